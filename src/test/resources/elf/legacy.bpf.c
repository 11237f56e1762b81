// The legacy 'maps' section (struct bpf_map_def), which libbpf 1.0 dropped and bpf4j still reads, as cilium does.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct bpf_map_def {
    unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def SEC("maps") legacy_counts = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(u32),
    .value_size = sizeof(u64),
    .max_entries = 4,
};

SEC("raw_tp/sys_enter")
int count(void *ctx)
{
    u32 key = 2;
    u64 *v = bpf_map_lookup_elem(&legacy_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}
