// Sections whose attach points this kernel lacks or has: a kprobe (no CONFIG_KPROBES here), and a BTF-typed raw
// tracepoint; the fentry program is off by default ('?') since this kernel refuses to load it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

u64 kprobe_hits, btf_hits, fentry_hits;

SEC("kprobe/do_nanosleep")
int on_nanosleep(struct pt_regs *ctx)
{
    __sync_fetch_and_add(&kprobe_hits, 1);
    return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
    if (id == 110) /* getppid */
        __sync_fetch_and_add(&btf_hits, 1);
    return 0;
}

SEC("?fentry/do_nanosleep")
int BPF_PROG(on_fentry)
{
    __sync_fetch_and_add(&fentry_hits, 1);
    return 0;
}
