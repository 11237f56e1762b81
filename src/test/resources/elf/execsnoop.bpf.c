// An execsnoop: one event per execve(2) into a ring buffer, filtered by a parent process id set before load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define FILENAME_LEN 64

struct event {
    u32 pid;
    u32 ppid;
    u32 uid;
    int retval;
    char comm[16];
    char filename[FILENAME_LEN];
};

// keeps struct event in the object's BTF, where user space reads its layout (as libbpf-tools do)
const struct event *unused_event __attribute__((unused));

const volatile u32 target_ppid = 0;    // 0: every process

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

u64 seen;

SEC("tp/syscalls/sys_enter_execve")
int handle_execve(struct trace_event_raw_sys_enter *ctx)
{
    struct task_struct *task = (void *)bpf_get_current_task();
    u32 ppid = BPF_CORE_READ(task, real_parent, tgid);
    if (target_ppid && ppid != target_ppid)
        return 0;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->ppid = ppid;
    e->uid = (u32)bpf_get_current_uid_gid();
    e->retval = 0;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
    bpf_ringbuf_submit(e, 0);
    __sync_fetch_and_add(&seen, 1);
    return 0;
}
