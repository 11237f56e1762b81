// cc: -O0 -g
// Stand-in for bpftrace's testprogs/usdt_test (written for bpf4j; needs Debian's systemtap-sdt-dev): three USDT
// probes, tracetest:testprobe, tracetest:testprobe2 and tracetest2:testprobe2, fired every 100 ms for 30 s
// (arg0 a number, arg1 "Hello World1", "Hello World2" and "Hello World3", as v0.26's test program has them).
// "should_not_skip" is the cases' REQUIRES check: it exits 0 at once.
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    const char *hello1 = "Hello World1", *hello2 = "Hello World2", *hello3 = "Hello World3";
    // read once: a page of the strings nothing touches is not mapped yet, and a probe cannot fault it in
    volatile size_t touched = strlen(hello1) + strlen(hello2) + strlen(hello3);
    (void) touched;
    struct timespec tick = {0, 100000000};
    for (long n = 0; n < 300; n++) {
        DTRACE_PROBE2(tracetest, testprobe, n, hello1);
        DTRACE_PROBE2(tracetest, testprobe2, n, hello2);
        DTRACE_PROBE2(tracetest2, testprobe2, n, hello3);
        nanosleep(&tick, 0);
    }
    return 0;
}
