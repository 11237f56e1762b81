package org.bpf4j.map;

import java.util.Locale;

/** Map types ({@code enum bpf_map_type} in linux/bpf.h), in UAPI order so that the ordinal is the kernel's value. */
public enum MapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE, CGROUP_ARRAY,
    LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, SOCKMAP, CPUMAP, XSKMAP, SOCKHASH,
    CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE, STACK, SK_STORAGE, DEVMAP_HASH, STRUCT_OPS,
    RINGBUF, INODE_STORAGE, TASK_STORAGE, BLOOM_FILTER, USER_RINGBUF, CGRP_STORAGE, ARENA;

    /** The kernel's number for this type ({@code BPF_MAP_TYPE_*}). */
    public int value() { return ordinal(); }

    /** True for the per-CPU types, whose values hold one slot (rounded up to 8 bytes) per possible CPU. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH || this == PERCPU_CGROUP_STORAGE;
    }

    /** The name bpftool prints, e.g. {@code "perf_event_array"}. */
    public String bpftoolName() { return name().toLowerCase(Locale.ROOT); }

    /** The type with kernel number {@code value}, or {@code null} for one this enum does not know. */
    public static MapType of(int value) {
        MapType[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }
}
