/* Load generator for bench/event_rate.py, bench/event_rate_api.py and the event-path tests: waits for a line on stdin, calls getppid(2) N
 * times as fast as it can, and prints "N ELAPSED_SECONDS". Built under the name "gen", which the scripts filter on. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    char line[16];
    if (!fgets(line, sizeof line, stdin)) return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%ld %.6f\n", n, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
