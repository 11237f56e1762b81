#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

const volatile int target_pid = 0;
const volatile char tag[8] = "bpf4j";
int counter = 7;
long hits;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __type(key, u32);
    __type(value, u64);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

static __noinline int bump(u32 pid)
{
    u64 one = 1, *v = bpf_map_lookup_elem(&counts, &pid);
    if (v) __sync_fetch_and_add(v, 1);
    else bpf_map_update_elem(&counts, &pid, &one, BPF_ANY);
    return counter;
}

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (target_pid && pid != target_pid) return 0;
    hits++;
    counter = bump(pid) + 1;
    struct task_struct *t = (void *)bpf_get_current_task();
    int ppid = BPF_CORE_READ(t, real_parent, tgid);
    bpf_printk("ppid %d %s", ppid, tag);
    return 0;
}

SEC("raw_tp/sys_enter")
int on_raw(void *ctx)
{
    return bump(0);
}
