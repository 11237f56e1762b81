// cc: -O2 -g
// Stand-in for bpftrace's testprogs/usdt_inlined (written for bpf4j): one probe, tracetest:testprobe, in a function
// inlined at two places, so that it has two locations; it fires with arg1 999, then 100.
#include <string.h>
#include <sys/sdt.h>

static inline __attribute__((always_inline)) void fire(long n, long value) { DTRACE_PROBE2(tracetest, testprobe, n, value); }

volatile long first = 999, second = 100;

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    long a = first, b = second;
    __asm__ volatile("" : "+r"(a), "+r"(b)); // operands in registers, as bcc's parser (bpftrace 0.17) wants them
    fire(1, a);
    fire(2, b);
    return 0;
}
