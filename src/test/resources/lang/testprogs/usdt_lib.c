// cc: -O0 -g -L@testlibs -lusdt_tp -Wl,-rpath,$ORIGIN/../testlibs
// Stand-in for bpftrace's testprogs/usdt_lib (written for bpf4j): calls into testlibs/libusdt_tp.so, whose
// tracetestlib:lib_probe_1 fires, every 100 ms for 30 s.
#include <string.h>
#include <time.h>

void usdt_tp_fire(long n);

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    struct timespec tick = {0, 100000000};
    for (long n = 0; n < 300; n++) {
        usdt_tp_fire(n);
        nanosleep(&tick, 0);
    }
    return 0;
}
