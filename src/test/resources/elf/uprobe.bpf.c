// Uprobes by section name, attached by attachAll(): libc's getppid(), on entry and on return.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile u32 target_tgid = 0;
u64 entries, returns;
long last_ret;

SEC("uprobe/libc.so.6:getppid")
int BPF_KPROBE(on_getppid)
{
    if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
        __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("uretprobe/libc.so.6:getppid")
int BPF_KRETPROBE(on_getppid_return, long ret)
{
    if ((bpf_get_current_pid_tgid() >> 32) == target_tgid) {
        __sync_fetch_and_add(&returns, 1);
        last_ret = ret;
    }
    return 0;
}
