// A program the verifier rejects: a map value used without the NULL check. With .BTF.ext's line_info passed at
// load, the verifier's log quotes this source line.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } counts SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int missing_null_check(void *ctx)
{
    u32 key = 1;
    u64 *value = bpf_map_lookup_elem(&counts, &key);
    *value += 1; /* bpf4j: no NULL check here */
    return 0;
}
