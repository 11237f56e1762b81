// cc: -O0 -g
// Stand-in for bpftrace's testprogs/usdt_quoted_probe (written for bpf4j): a probe whose name has quotes in it,
// test:"probe1", fired with arg0 1 every 100 ms for 30 s.
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    struct timespec tick = {0, 100000000};
    for (int n = 0; n < 300; n++) {
        int one = 1;
        DTRACE_PROBE1(test, "probe1", one);
        nanosleep(&tick, 0);
    }
    return 0;
}
