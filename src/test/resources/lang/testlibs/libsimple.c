// cc: -O0 -g -shared -fPIC
// Stand-in for bpftrace's testlibs/libsimple.so (written for bpf4j): a library with fun(), installed without the
// execute bit (the case probes a function in a non-executable library).
__attribute__((noinline)) int fun(int n) { __asm__ volatile("" ::: "memory"); return n * 2; }
