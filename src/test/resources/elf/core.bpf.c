// CO-RE relocations of every kind against this kernel's BTF; the results land in .bss for the test to read.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

// flavours: the same kernel types as a program built for another kernel might see them
struct task_struct___old {
    int pid;
    int no_such_field;
} __attribute__((preserve_access_index));

struct bpf4j_no_such_type {
    int a;
};

enum bpf_map_type___local {
    BPF_MAP_TYPE_RINGBUF___local = 27,
    BPF_MAP_TYPE_NO_SUCH_TYPE___local = 1000,
};

struct results {
    long off_pid, size_comm, exists_pid, exists_missing, signed_pid, signed_flags;
    long bf_off, bf_size, bf_lshift, bf_rshift, bf_signed;
    long arr_off, nested_off;
    long id_local, id_kernel, type_exists, type_missing, type_size, type_matches;
    long enum_exists, enum_missing, enum_value;
    long guarded;
} res;

SEC("raw_tp/sys_enter")
int core_values(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    struct task_struct___old *o = (void *)t;

    res.off_pid = bpf_core_field_offset(struct task_struct, pid);
    res.size_comm = bpf_core_field_size(struct task_struct, comm);
    res.exists_pid = bpf_core_field_exists(struct task_struct___old, pid);
    res.exists_missing = bpf_core_field_exists(struct task_struct___old, no_such_field);
    res.signed_pid = __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
    res.signed_flags = __builtin_preserve_field_info(t->flags, BPF_FIELD_SIGNED);
    res.bf_off = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_BYTE_OFFSET);
    res.bf_size = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_BYTE_SIZE);
    res.bf_lshift = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_LSHIFT_U64);
    res.bf_rshift = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_RSHIFT_U64);
    res.bf_signed = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_SIGNED);
    res.arr_off = bpf_core_field_offset(struct task_struct, comm[3]);
    res.nested_off = bpf_core_field_offset(struct task_struct, se.vruntime);
    res.id_local = bpf_core_type_id_local(struct task_struct);
    res.id_kernel = bpf_core_type_id_kernel(struct task_struct);
    res.type_exists = bpf_core_type_exists(struct task_struct);
    res.type_missing = bpf_core_type_exists(struct bpf4j_no_such_type);
    res.type_size = bpf_core_type_size(struct task_struct);
    res.type_matches = bpf_core_type_matches(struct bpf4j_no_such_type);
    res.enum_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
    res.enum_missing = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_NO_SUCH_TYPE___local);
    res.enum_value = bpf_core_enum_value(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
    // a read of a field this kernel lacks, guarded: the poisoned load is dead code the verifier prunes
    if (bpf_core_field_exists(o->no_such_field))
        res.guarded = BPF_CORE_READ(o, no_such_field);
    else
        res.guarded = -1;
    return 0;
}
