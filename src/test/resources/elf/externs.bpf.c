// Externs resolved at load: .kconfig values (LINUX_KERNEL_VERSION, CONFIG_*) and kfuncs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern bool CONFIG_BPF4J_NO_SUCH_OPTION __kconfig __weak;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

long version, hz, has_bpf, no_such, found_self;

SEC("tp_btf/sys_enter")
int uses_externs(void *ctx)
{
    u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct task_struct *t = bpf_task_from_pid(tgid);
    if (t) {
        found_self = t->tgid == tgid;
        bpf_task_release(t);
    }
    version = LINUX_KERNEL_VERSION;
    hz = CONFIG_HZ;
    has_bpf = CONFIG_BPF_SYSCALL;
    no_such = CONFIG_BPF4J_NO_SUCH_OPTION;
    return 0;
}
