// A CO-RE read of a field this kernel lacks, not guarded by bpf_core_field_exists: the relocation poisons the
// load, and the verifier rejects the program at that instruction as it does under libbpf.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
    int no_such_field;
} __attribute__((preserve_access_index));

long value;

SEC("raw_tp/sys_enter")
int unguarded(void *ctx)
{
    struct task_struct___old *o = (void *)bpf_get_current_task();
    value = BPF_CORE_READ(o, no_such_field);
    return 0;
}
