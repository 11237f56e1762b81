// cc: -O0 -g
// A second program matching testprogs/usdt_test* (written for bpf4j; needs Debian's systemtap-sdt-dev), built for
// the v0.26 cases only: their wildcard-file cases (usdt:./testprogs/usdt_test*::*) attach across two files, 6 probes,
// where v0.17's cases expect the 3 of usdt_test alone. Three probes of its own, fired every 100 ms for 30 s.
#include <sys/sdt.h>
#include <time.h>

int main(void) {
    struct timespec tick = {0, 100000000};
    for (long n = 0; n < 300; n++) {
        DTRACE_PROBE1(tracetest_b, first, n);
        DTRACE_PROBE1(tracetest_b, second, n);
        DTRACE_PROBE1(tracetest_b, third, n);
        nanosleep(&tick, 0);
    }
    return 0;
}
