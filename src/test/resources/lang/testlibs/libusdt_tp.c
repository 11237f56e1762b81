// cc: -O0 -g -shared -fPIC
// Stand-in for bpftrace's testlibs/libusdt_tp.so (written for bpf4j): a library with a USDT probe,
// tracetestlib:lib_probe_1.
#include <sys/sdt.h>

void usdt_tp_fire(long n) { DTRACE_PROBE1(tracetestlib, lib_probe_1, n); }
