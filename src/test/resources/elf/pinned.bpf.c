// A map pinned by name (LIBBPF_PIN_BY_NAME): the first load pins it, later loads reuse it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, u32);
    __type(value, u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

SEC("raw_tp/sys_enter")
int bump_shared(void *ctx)
{
    u32 key = 1;
    u64 *v = bpf_map_lookup_elem(&shared_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}
