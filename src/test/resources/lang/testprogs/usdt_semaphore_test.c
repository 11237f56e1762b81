// cc: -O0 -g
// Stand-in for bpftrace's testprogs/usdt_semaphore_test (written for bpf4j): tracetest:testprobe guarded by its
// semaphore; every 100 ms for 30 s, when the semaphore is set, it fires with arg1 telling the semaphore's value, in
// two lines: v0.17's test program said "tracetest_testprobe_semaphore: N", v0.26's says "USDT semaphore: N".
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

unsigned short tracetest_testprobe_semaphore __attribute__((section(".probes")));

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    struct timespec tick = {0, 100000000};
    char text[64];
    for (long n = 0; n < 300; n++) {
        if (tracetest_testprobe_semaphore) {
            snprintf(text, sizeof text, "tracetest_testprobe_semaphore: %d\nUSDT semaphore: %d", tracetest_testprobe_semaphore,
                     tracetest_testprobe_semaphore);
            STAP_PROBE2(tracetest, testprobe, n, text);
        }
        nanosleep(&tick, 0);
    }
    return 0;
}
