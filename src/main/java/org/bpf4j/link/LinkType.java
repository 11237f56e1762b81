package org.bpf4j.link;

import java.util.Locale;

/** BPF link types ({@code enum bpf_link_type} in linux/bpf.h), in UAPI order so that the ordinal is the kernel's value. */
public enum LinkType {
    UNSPEC, RAW_TRACEPOINT, TRACING, CGROUP, ITER, NETNS, XDP, PERF_EVENT, KPROBE_MULTI, STRUCT_OPS, NETFILTER, TCX,
    UPROBE_MULTI, NETKIT, SOCKMAP;

    /** The kernel's number for this type ({@code BPF_LINK_TYPE_*}). */
    public int value() { return ordinal(); }

    /** The name bpftool prints, e.g. {@code "raw_tracepoint"}. */
    public String bpftoolName() { return name().toLowerCase(Locale.ROOT); }

    /** The type with kernel number {@code value}, or {@code null} for one this enum does not know. */
    public static LinkType of(int value) {
        LinkType[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }
}
