// Externs bpf4j does not resolve yet: a .kconfig value and a kfunc.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int LINUX_KERNEL_VERSION __kconfig;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

long version;

SEC("tp_btf/sys_enter")
int uses_externs(void *ctx)
{
    struct task_struct *t = bpf_task_from_pid(1);
    if (t)
        bpf_task_release(t);
    version = LINUX_KERNEL_VERSION;
    return 0;
}
