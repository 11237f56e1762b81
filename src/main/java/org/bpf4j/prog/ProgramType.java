package org.bpf4j.prog;

import java.util.Locale;

/** Program types ({@code enum bpf_prog_type} in linux/bpf.h), in UAPI order so that the ordinal is the kernel's value. */
public enum ProgramType {
    UNSPEC, SOCKET_FILTER, KPROBE, SCHED_CLS, SCHED_ACT, TRACEPOINT, XDP, PERF_EVENT, CGROUP_SKB, CGROUP_SOCK,
    LWT_IN, LWT_OUT, LWT_XMIT, SOCK_OPS, SK_SKB, CGROUP_DEVICE, SK_MSG, RAW_TRACEPOINT, CGROUP_SOCK_ADDR,
    LWT_SEG6LOCAL, LIRC_MODE2, SK_REUSEPORT, FLOW_DISSECTOR, CGROUP_SYSCTL, RAW_TRACEPOINT_WRITABLE,
    CGROUP_SOCKOPT, TRACING, STRUCT_OPS, EXT, LSM, SK_LOOKUP, SYSCALL, NETFILTER;

    /** The kernel's number for this type ({@code BPF_PROG_TYPE_*}). */
    public int value() { return ordinal(); }

    /** The name bpftool prints, e.g. {@code "tracepoint"}. */
    public String bpftoolName() { return name().toLowerCase(Locale.ROOT); }

    /** The type with kernel number {@code value}, or {@code null} for one this enum does not know. */
    public static ProgramType of(int value) {
        ProgramType[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }
}
