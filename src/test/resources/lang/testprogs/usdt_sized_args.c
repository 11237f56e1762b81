// cc: -O2 -g
// Stand-in for bpftrace's testprogs/usdt_sized_args (written for bpf4j): test:probe1 with arguments of several
// sizes, and v0.26's test:probe2 (a uint32_t 1) and test:probe3 (a uint64_t UINT64_MAX), fired every 100 ms for
// 30 s.
#include <stdint.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

volatile int8_t s8 = -16;
volatile int16_t s16 = -3600;
volatile int32_t s32 = -202182160;
volatile int64_t s64 = -579005069656919568;
volatile uint32_t u32 = 1;
volatile uint64_t u64 = UINT64_MAX;

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    struct timespec tick = {0, 100000000};
    for (int n = 0; n < 300; n++) {
        int8_t a = s8; int16_t b = s16; int32_t c = s32; int64_t d = s64;
        DTRACE_PROBE4(test, probe1, a, b, c, d);
        uint32_t e = u32; uint64_t f = u64;
        DTRACE_PROBE1(test, probe2, e);
        DTRACE_PROBE1(test, probe3, f);
        nanosleep(&tick, 0);
    }
    return 0;
}
