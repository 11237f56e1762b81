/* Load generator for bench/event_rate.py: waits for a line on stdin, then calls getppid(2) in a tight loop for
 * SECONDS and prints "CALLS ELAPSED_SECONDS". Compiled by the bench with gcc; not part of bpf4j. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 5.0;
    char line[16];
    if (!fgets(line, sizeof line, stdin)) return 1;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long calls = 0;
    double elapsed = 0;
    while (elapsed < secs) {
        for (int i = 0; i < 1000; i++) syscall(SYS_getppid);
        calls += 1000;
        clock_gettime(CLOCK_MONOTONIC, &t);
        elapsed = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
    }
    printf("%ld %.6f\n", calls, elapsed);
    return 0;
}
