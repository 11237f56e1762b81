/* A storm of kill(2) calls for EventPathTest: waits for a line on stdin, then sends signal 0 to itself N times as fast
 * as it can and prints "N". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    char line[16];
    if (!fgets(line, sizeof line, stdin)) return 1;
    pid_t self = getpid();
    for (long i = 0; i < n; i++) kill(self, 0);
    printf("%ld\n", n);
    return 0;
}
