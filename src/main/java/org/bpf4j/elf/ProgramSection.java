package org.bpf4j.elf;

import org.bpf4j.prog.ProgramType;

import java.util.List;
import java.util.Optional;

/**
 * What an ELF section name says about the programs in it, the way libbpf's section table reads it: the program
 * type, the expected attach type passed at load, how {@link Collection#attachAll()} attaches it and the target
 * written after the prefix ({@code tp/syscalls/sys_enter_execve} is a tracepoint program for
 * {@code syscalls:sys_enter_execve}). A leading {@code ?} turns autoload off, as in libbpf.
 *
 * @param section            the section name as written (without the {@code ?})
 * @param type               the program type
 * @param expectedAttachType the {@code enum bpf_attach_type} value given to BPF_PROG_LOAD (0 for none)
 * @param attach             how the section attaches by itself
 * @param target             what follows the prefix and its {@code /} ("" when nothing does)
 * @param autoload           false for a section written {@code ?name}
 * @param sleepable          true for the {@code .s} variants (BPF_F_SLEEPABLE)
 */
public record ProgramSection(String section, ProgramType type, int expectedAttachType, Attach attach, String target,
                             boolean autoload, boolean sleepable) {
    /** How a section's programs are attached by {@link Collection#attachAll()}. */
    public enum Attach {
        /** {@code tracepoint/CATEGORY/NAME}, {@code tp/CATEGORY/NAME}. */
        TRACEPOINT,
        /** {@code raw_tracepoint/NAME}, {@code raw_tp/NAME}. */
        RAW_TRACEPOINT,
        /** {@code tp_btf/NAME}: a tracing program bound at load time to {@code btf_trace_NAME}. */
        TP_BTF,
        /** {@code kprobe/FUNC[+OFFSET]}. */
        KPROBE,
        /** {@code kretprobe/FUNC}. */
        KRETPROBE,
        /** {@code uprobe/BINARY:FUNC[+OFFSET]}. */
        UPROBE,
        /** {@code uretprobe/BINARY:FUNC}. */
        URETPROBE,
        /** {@code usdt/BINARY:PROVIDER:NAME}. */
        USDT,
        /** {@code fentry/FUNC}: bound at load time to the kernel function's BTF id. */
        FENTRY,
        /** {@code fexit/FUNC}: as fentry. */
        FEXIT,
        /** No attach point in the name (socket, xdp, tc, cgroup..., perf_event): the caller attaches it. */
        MANUAL
    }

    /** {@code enum bpf_attach_type} values the table uses (linux/bpf.h). */
    static final int CGROUP_INET_INGRESS = 0, CGROUP_INET_EGRESS = 1, CGROUP_INET_SOCK_CREATE = 2, CGROUP_SOCK_OPS = 3,
            SK_SKB_STREAM_PARSER = 4, SK_SKB_STREAM_VERDICT = 5, CGROUP_DEVICE = 6, SK_MSG_VERDICT = 7,
            CGROUP_INET4_BIND = 8, CGROUP_INET6_BIND = 9, CGROUP_INET4_CONNECT = 10, CGROUP_INET6_CONNECT = 11,
            CGROUP_INET4_POST_BIND = 12, CGROUP_INET6_POST_BIND = 13, CGROUP_UDP4_SENDMSG = 14,
            CGROUP_UDP6_SENDMSG = 15, LIRC_MODE2 = 16, FLOW_DISSECTOR = 17, CGROUP_SYSCTL = 18,
            CGROUP_UDP4_RECVMSG = 19, CGROUP_UDP6_RECVMSG = 20, CGROUP_GETSOCKOPT = 21, CGROUP_SETSOCKOPT = 22,
            TRACE_RAW_TP = 23, TRACE_FENTRY = 24, TRACE_FEXIT = 25, MODIFY_RETURN = 26, LSM_MAC = 27,
            TRACE_ITER = 28, CGROUP_INET4_GETPEERNAME = 29, CGROUP_INET6_GETPEERNAME = 30,
            CGROUP_INET4_GETSOCKNAME = 31, CGROUP_INET6_GETSOCKNAME = 32, XDP_DEVMAP = 33,
            CGROUP_INET_SOCK_RELEASE = 34, XDP_CPUMAP = 35, SK_LOOKUP = 36, XDP = 37, SK_SKB_VERDICT = 38,
            SK_REUSEPORT_SELECT = 39, SK_REUSEPORT_SELECT_OR_MIGRATE = 40;

    /** One row of the table: a prefix ("name+" also takes "name/..."), its type, attach type and attach kind. */
    private record Def(String prefix, ProgramType type, int attachType, Attach attach, boolean sleepable) {
        boolean plus() { return prefix.endsWith("+"); }
        String base() { return plus() ? prefix.substring(0, prefix.length() - 1) : prefix; }
    }

    private static Def d(String prefix, ProgramType type, int attachType, Attach attach) {
        return new Def(prefix, type, attachType, attach, prefix.contains(".s+") || prefix.equals("syscall"));
    }

    // libbpf's section_defs, in its order (the first match wins): the sections a tracing tool and the common
    // networking programs use. Prefixes are libbpf's; the code here is bpf4j's own.
    private static final List<Def> TABLE = List.of(
            d("socket", ProgramType.SOCKET_FILTER, 0, Attach.MANUAL),
            d("sk_reuseport/migrate", ProgramType.SK_REUSEPORT, SK_REUSEPORT_SELECT_OR_MIGRATE, Attach.MANUAL),
            d("sk_reuseport", ProgramType.SK_REUSEPORT, SK_REUSEPORT_SELECT, Attach.MANUAL),
            d("kprobe+", ProgramType.KPROBE, 0, Attach.KPROBE),
            d("uprobe+", ProgramType.KPROBE, 0, Attach.UPROBE),
            d("uprobe.s+", ProgramType.KPROBE, 0, Attach.UPROBE),
            d("kretprobe+", ProgramType.KPROBE, 0, Attach.KRETPROBE),
            d("uretprobe+", ProgramType.KPROBE, 0, Attach.URETPROBE),
            d("uretprobe.s+", ProgramType.KPROBE, 0, Attach.URETPROBE),
            d("usdt+", ProgramType.KPROBE, 0, Attach.USDT),
            d("tc", ProgramType.SCHED_CLS, 0, Attach.MANUAL),
            d("classifier", ProgramType.SCHED_CLS, 0, Attach.MANUAL),
            d("action", ProgramType.SCHED_ACT, 0, Attach.MANUAL),
            d("tracepoint+", ProgramType.TRACEPOINT, 0, Attach.TRACEPOINT),
            d("tp+", ProgramType.TRACEPOINT, 0, Attach.TRACEPOINT),
            d("raw_tracepoint+", ProgramType.RAW_TRACEPOINT, 0, Attach.RAW_TRACEPOINT),
            d("raw_tp+", ProgramType.RAW_TRACEPOINT, 0, Attach.RAW_TRACEPOINT),
            d("raw_tracepoint.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, 0, Attach.RAW_TRACEPOINT),
            d("raw_tp.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, 0, Attach.RAW_TRACEPOINT),
            d("tp_btf+", ProgramType.TRACING, TRACE_RAW_TP, Attach.TP_BTF),
            d("fentry+", ProgramType.TRACING, TRACE_FENTRY, Attach.FENTRY),
            d("fmod_ret+", ProgramType.TRACING, MODIFY_RETURN, Attach.MANUAL),
            d("fexit+", ProgramType.TRACING, TRACE_FEXIT, Attach.FEXIT),
            d("fentry.s+", ProgramType.TRACING, TRACE_FENTRY, Attach.FENTRY),
            d("fexit.s+", ProgramType.TRACING, TRACE_FEXIT, Attach.FEXIT),
            d("lsm+", ProgramType.LSM, LSM_MAC, Attach.MANUAL),
            d("iter+", ProgramType.TRACING, TRACE_ITER, Attach.MANUAL),
            d("syscall", ProgramType.SYSCALL, 0, Attach.MANUAL),
            d("xdp/devmap", ProgramType.XDP, XDP_DEVMAP, Attach.MANUAL),
            d("xdp/cpumap", ProgramType.XDP, XDP_CPUMAP, Attach.MANUAL),
            d("xdp", ProgramType.XDP, XDP, Attach.MANUAL),
            d("perf_event", ProgramType.PERF_EVENT, 0, Attach.MANUAL),
            d("lwt_in", ProgramType.LWT_IN, 0, Attach.MANUAL),
            d("lwt_out", ProgramType.LWT_OUT, 0, Attach.MANUAL),
            d("lwt_xmit", ProgramType.LWT_XMIT, 0, Attach.MANUAL),
            d("lwt_seg6local", ProgramType.LWT_SEG6LOCAL, 0, Attach.MANUAL),
            d("sockops", ProgramType.SOCK_OPS, CGROUP_SOCK_OPS, Attach.MANUAL),
            d("sk_skb/stream_parser", ProgramType.SK_SKB, SK_SKB_STREAM_PARSER, Attach.MANUAL),
            d("sk_skb/stream_verdict", ProgramType.SK_SKB, SK_SKB_STREAM_VERDICT, Attach.MANUAL),
            d("sk_skb", ProgramType.SK_SKB, 0, Attach.MANUAL),
            d("sk_msg", ProgramType.SK_MSG, SK_MSG_VERDICT, Attach.MANUAL),
            d("lirc_mode2", ProgramType.LIRC_MODE2, LIRC_MODE2, Attach.MANUAL),
            d("flow_dissector", ProgramType.FLOW_DISSECTOR, FLOW_DISSECTOR, Attach.MANUAL),
            d("cgroup_skb/ingress", ProgramType.CGROUP_SKB, CGROUP_INET_INGRESS, Attach.MANUAL),
            d("cgroup_skb/egress", ProgramType.CGROUP_SKB, CGROUP_INET_EGRESS, Attach.MANUAL),
            d("cgroup/skb", ProgramType.CGROUP_SKB, 0, Attach.MANUAL),
            d("cgroup/sock_create", ProgramType.CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, Attach.MANUAL),
            d("cgroup/sock_release", ProgramType.CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE, Attach.MANUAL),
            d("cgroup/sock", ProgramType.CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, Attach.MANUAL),
            d("cgroup/post_bind4", ProgramType.CGROUP_SOCK, CGROUP_INET4_POST_BIND, Attach.MANUAL),
            d("cgroup/post_bind6", ProgramType.CGROUP_SOCK, CGROUP_INET6_POST_BIND, Attach.MANUAL),
            d("cgroup/bind4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET4_BIND, Attach.MANUAL),
            d("cgroup/bind6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET6_BIND, Attach.MANUAL),
            d("cgroup/connect4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT, Attach.MANUAL),
            d("cgroup/connect6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET6_CONNECT, Attach.MANUAL),
            d("cgroup/sendmsg4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_UDP4_SENDMSG, Attach.MANUAL),
            d("cgroup/sendmsg6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_UDP6_SENDMSG, Attach.MANUAL),
            d("cgroup/recvmsg4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_UDP4_RECVMSG, Attach.MANUAL),
            d("cgroup/recvmsg6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_UDP6_RECVMSG, Attach.MANUAL),
            d("cgroup/getpeername4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET4_GETPEERNAME, Attach.MANUAL),
            d("cgroup/getpeername6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET6_GETPEERNAME, Attach.MANUAL),
            d("cgroup/getsockname4", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET4_GETSOCKNAME, Attach.MANUAL),
            d("cgroup/getsockname6", ProgramType.CGROUP_SOCK_ADDR, CGROUP_INET6_GETSOCKNAME, Attach.MANUAL),
            d("cgroup/sysctl", ProgramType.CGROUP_SYSCTL, CGROUP_SYSCTL, Attach.MANUAL),
            d("cgroup/getsockopt", ProgramType.CGROUP_SOCKOPT, CGROUP_GETSOCKOPT, Attach.MANUAL),
            d("cgroup/setsockopt", ProgramType.CGROUP_SOCKOPT, CGROUP_SETSOCKOPT, Attach.MANUAL),
            d("cgroup/dev", ProgramType.CGROUP_DEVICE, CGROUP_DEVICE, Attach.MANUAL),
            d("sk_lookup", ProgramType.SK_LOOKUP, SK_LOOKUP, Attach.MANUAL));

    /**
     * Reads a section name; empty when no row of the table matches (libbpf refuses such a program too). A row
     * written {@code name+} matches {@code name} and {@code name/...}; other rows match the name exactly.
     */
    public static Optional<ProgramSection> parse(String name) {
        boolean autoload = true;
        String sec = name;
        if (sec.startsWith("?")) {
            autoload = false;
            sec = sec.substring(1);
        }
        for (Def def : TABLE) {
            String base = def.base();
            String target;
            if (sec.equals(base)) target = "";
            else if (def.plus() && sec.startsWith(base + "/")) target = sec.substring(base.length() + 1);
            else continue;
            return Optional.of(new ProgramSection(sec, def.type(), def.attachType(), def.attach(), target, autoload,
                    def.sleepable()));
        }
        return Optional.empty();
    }
}
