// cc: -O0 -g
// Stand-in for bpftrace's testprogs/usdt_multiple_locations (written for bpf4j): tracetest:testprobe at one place,
// tracetest:testprobe2 at two and tracetest:testprobe3 at three (6 locations), fired every 100 ms for 30 s.
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    struct timespec tick = {0, 100000000};
    for (int n = 0; n < 300; n++) {
        DTRACE_PROBE1(tracetest, testprobe, n);
        if (n % 2) DTRACE_PROBE1(tracetest, testprobe2, n);
        else DTRACE_PROBE1(tracetest, testprobe2, -n);
        if (n % 3 == 0) DTRACE_PROBE1(tracetest, testprobe3, n);
        else if (n % 3 == 1) DTRACE_PROBE1(tracetest, testprobe3, -n);
        else DTRACE_PROBE1(tracetest, testprobe3, 2 * n);
        nanosleep(&tick, 0);
    }
    return 0;
}
