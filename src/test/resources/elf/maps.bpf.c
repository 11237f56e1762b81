// One map of each kind a tracing tool uses, a program array with an initial slot for a tail call, and an array
// of maps with an initial inner map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, u32); __type(value, u64); } hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 32); __type(key, u64); __type(value, u32); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(u32)); __uint(value_size, sizeof(u32)); } perf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } ring SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 16); __uint(key_size, sizeof(u32)); __uint(value_size, 127 * sizeof(u64)); } stacks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, u32); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 16); __type(value, u32); __uint(map_extra, 3); } bloom SEC(".maps");

struct lpm_key { u32 prefixlen; u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __type(key, struct lpm_key); __type(value, u64);
         __uint(map_flags, BPF_F_NO_PREALLOC); } lpm SEC(".maps");

struct inner_map { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); };
struct inner_map inner0 SEC(".maps"), inner1 SEC(".maps");
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, u32);
    __array(values, struct inner_map);
} outer SEC(".maps") = { .values = { [1] = &inner1 } };

int tail_target(void *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __array(values, int (void *));
} jumps SEC(".maps") = { .values = { [0] = (void *)&tail_target } };

u64 tail_runs;

SEC("raw_tp/sys_enter")
int tail_target(void *ctx)
{
    __sync_fetch_and_add(&tail_runs, 1);
    return 0;
}

SEC("raw_tp/sys_enter")
int use_maps(void *ctx)
{
    u32 k = 0, v32 = 1;
    u64 k64 = 0, one = 1;
    struct lpm_key lk = { 32, 0x0100007f };
    u64 *p = bpf_map_lookup_elem(&hash, &k);
    if (p) *p += 1;
    p = bpf_map_lookup_elem(&percpu, &k);
    if (p) *p += 1;
    bpf_map_update_elem(&lru, &k64, &v32, BPF_ANY);
    bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &k, sizeof(k));
    bpf_ringbuf_output(&ring, &k, sizeof(k), 0);
    bpf_get_stackid(ctx, &stacks, 0);
    bpf_map_push_elem(&queue, &v32, BPF_ANY);
    bpf_map_push_elem(&bloom, &v32, BPF_ANY);
    bpf_map_lookup_elem(&lpm, &lk);
    void *in = bpf_map_lookup_elem(&outer, &v32);
    if (in) {
        p = bpf_map_lookup_elem(in, &k);
        if (p) *p = one;
    }
    bpf_tail_call(ctx, &jumps, 0);
    return 0;
}
