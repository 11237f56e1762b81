// An ebpf_exporter-style object for bpf4j exporter's --config.dir tests: maps named after their metrics, u64
// values, keys the YAML decodes. Only processes named "ppidload" (the tests' workload) are counted.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_BUCKET 26

struct call_key {
    u32 nr;
    u32 pad;
};

struct index_key {
    char comm[16];
    u64 bucket;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 512);
    __type(key, struct call_key);
    __type(value, u64);
} syscalls_total SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct index_key);
    __type(value, u64);
} call_index SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, u64);
} cpu_calls_total SEC(".maps");

u64 calls;

static __always_inline bool is_load(void)
{
    char comm[16] = {};
    const char want[] = "ppidload";
    bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
    for (int i = 0; i < sizeof(want); i++)
        if (comm[i] != want[i])
            return false;
    return true;
}

static __always_inline void add(void *map, void *key, u64 n)
{
    u64 *v = bpf_map_lookup_elem(map, key);
    if (!v) {
        if (bpf_map_update_elem(map, key, &n, BPF_NOEXIST) == 0)
            return;
        v = bpf_map_lookup_elem(map, key);   /* another CPU inserted it first: add to theirs */
        if (!v)
            return;
    }
    __sync_fetch_and_add(v, n);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int on_enter(struct trace_event_raw_sys_enter *ctx)
{
    if (!is_load())
        return 0;
    struct call_key key = { .nr = (u32)ctx->id };
    add(&syscalls_total, &key, 1);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    if (!is_load())
        return 0;
    u64 i = __sync_fetch_and_add(&calls, 1) + 1;
    struct index_key key = {};
    bpf_get_current_comm(key.comm, sizeof(key.comm));
    /* ebpf_exporter's exp2 buckets: bucket k counts values up to 2^k */
    u64 k = 0;
    for (; k < MAX_BUCKET && (1ULL << k) < i; k++)
        ;
    key.bucket = k;
    add(&call_index, &key, 1);
    key.bucket = MAX_BUCKET + 1;   /* the bucket after the last holds the sum */
    add(&call_index, &key, i);
    u32 zero = 0;
    u64 *c = bpf_map_lookup_elem(&cpu_calls_total, &zero);
    if (c)
        *c += 1;
    return 0;
}
