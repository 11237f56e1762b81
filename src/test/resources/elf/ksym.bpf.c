// A typed kernel variable (__ksym): lddw BPF_PSEUDO_BTF_ID with its vmlinux BTF id. This kernel lists no data
// symbols in kallsyms (no CONFIG_KALLSYMS_ALL), so the verifier refuses it by name, for libbpf as for bpf4j.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern const struct rq runqueues __ksym;

long cpu0;

SEC("tp_btf/sys_enter")
int reads_runqueues(void *ctx)
{
    struct rq *rq = bpf_per_cpu_ptr(&runqueues, 0);
    if (rq)
        cpu0 = rq->cpu + 100;
    return 0;
}
