// bpf-to-bpf calls: a static subprogram shared by two programs, one calling another, a global subprogram
// (verified on its own by the kernel), and a bpf_loop callback loaded by address (lddw BPF_PSEUDO_FUNC).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

long total, loops;

static __noinline long square(long x)
{
    return x * x;
}

static __noinline long sum_squares(long a, long b)
{
    return square(a) + square(b);
}

__noinline int global_add(int a, int b)
{
    return a + b;
}

static long loop_step(u64 index, void *ctx)
{
    long *acc = ctx;
    *acc += index;
    return 0;
}

SEC("raw_tp/sys_enter")
int first(void *ctx)
{
    long acc = 0;
    bpf_loop(4, loop_step, &acc, 0);
    loops = acc;
    total = sum_squares(3, 4) + global_add(1, 2);
    return 0;
}

SEC("raw_tp/sys_exit")
int second(void *ctx)
{
    total = square(5);
    return 0;
}
