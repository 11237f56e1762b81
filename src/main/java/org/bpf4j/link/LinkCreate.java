package org.bpf4j.link;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** BPF_LINK_CREATE and BPF_RAW_TRACEPOINT_OPEN, the two calls that make a BPF link. */
final class LinkCreate {
    private LinkCreate() {}

    /** {@code enum bpf_attach_type} values bpf4j uses. */
    static final int BPF_TRACE_RAW_TP = 23, BPF_TRACE_FENTRY = 24, BPF_TRACE_FEXIT = 25, BPF_PERF_EVENT = 41,
            BPF_TRACE_KPROBE_MULTI = 42, BPF_TRACE_UPROBE_MULTI = 48;

    // union bpf_attr .link_create (linux/bpf.h): prog_fd @0, target_fd @4, attach_type @8, flags @12, then a
    // union at 16: perf_event.bpf_cookie (u64) or target_btf_id (u32). Offsets checked against the UAPI header.
    private static final int SIZE = 64, PROG_FD = 0, TARGET_FD = 4, ATTACH_TYPE = 8, EXTRA = 16;
    // union bpf_attr .raw_tracepoint: name @0 (pointer), prog_fd @8.
    private static final int RAW_SIZE = 24, RAW_NAME = 0, RAW_PROG_FD = 8;

    /** BPF_LINK_CREATE; returns the link descriptor, or {@code -errno}. {@code extra} is the cookie or btf id. */
    static int create(int progFd, int targetFd, int attachType, long extra) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            attr.set(JAVA_INT, PROG_FD, progFd);
            attr.set(JAVA_INT, TARGET_FD, targetFd);
            attr.set(JAVA_INT, ATTACH_TYPE, attachType);
            attr.set(JAVA_LONG, EXTRA, extra);
            return Syscalls.bpfOrErrno(BpfCmd.LINK_CREATE, attr);
        }
    }

    // .link_create.kprobe_multi at 16: flags (u32), cnt (u32), syms (pointer to char *[cnt]), addrs, cookies.
    private static final int KM_FLAGS = 16, KM_CNT = 20, KM_SYMS = 24, KM_ADDRS = 32;
    /** BPF_F_KPROBE_MULTI_RETURN: the programs run at the functions' returns. */
    static final int BPF_F_KPROBE_MULTI_RETURN = 1;

    /**
     * BPF_LINK_CREATE of a kprobe_multi link on {@code symbols} (by name) or, when {@code symbols} is empty, on
     * {@code addrs}; returns the link descriptor, or {@code -errno}.
     */
    static int kprobeMulti(int progFd, java.util.List<String> symbols, long[] addrs, boolean ret) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            attr.set(JAVA_INT, PROG_FD, progFd);
            attr.set(JAVA_INT, ATTACH_TYPE, BPF_TRACE_KPROBE_MULTI);
            attr.set(JAVA_INT, KM_FLAGS, ret ? BPF_F_KPROBE_MULTI_RETURN : 0);
            if (!symbols.isEmpty()) {
                MemorySegment names = arena.allocate(JAVA_LONG, symbols.size());
                for (int i = 0; i < symbols.size(); i++) names.setAtIndex(JAVA_LONG, i, arena.allocateFrom(symbols.get(i)).address());
                attr.set(JAVA_INT, KM_CNT, symbols.size());
                attr.set(JAVA_LONG, KM_SYMS, names.address());
            } else {
                attr.set(JAVA_INT, KM_CNT, addrs.length);
                attr.set(JAVA_LONG, KM_ADDRS, arena.allocateFrom(JAVA_LONG, addrs).address());
            }
            return Syscalls.bpfOrErrno(BpfCmd.LINK_CREATE, attr);
        }
    }

    // .link_create.uprobe_multi at 16 (6.6): path, offsets, ref_ctr_offsets, cookies (pointers), cnt @48, flags @52,
    // pid @56. The offsets are file offsets, as a uprobe's.
    private static final int UM_PATH = 16, UM_OFFSETS = 24, UM_CNT = 48, UM_FLAGS = 52, UM_PID = 56;
    /** BPF_F_UPROBE_MULTI_RETURN: the programs run at the functions' returns. */
    static final int BPF_F_UPROBE_MULTI_RETURN = 1;

    /**
     * BPF_LINK_CREATE of a uprobe_multi link on {@code offsets} of the file {@code path}, in process {@code pid}
     * only when positive; returns the link descriptor, or {@code -errno}.
     */
    static int uprobeMulti(int progFd, String path, long[] offsets, boolean ret, int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            attr.set(JAVA_INT, PROG_FD, progFd);
            attr.set(JAVA_INT, ATTACH_TYPE, BPF_TRACE_UPROBE_MULTI);
            attr.set(JAVA_LONG, UM_PATH, arena.allocateFrom(path).address());
            attr.set(JAVA_LONG, UM_OFFSETS, arena.allocateFrom(JAVA_LONG, offsets).address());
            attr.set(JAVA_INT, UM_CNT, offsets.length);
            attr.set(JAVA_INT, UM_FLAGS, ret ? BPF_F_UPROBE_MULTI_RETURN : 0);
            attr.set(JAVA_INT, UM_PID, Math.max(pid, 0));
            return Syscalls.bpfOrErrno(BpfCmd.LINK_CREATE, attr);
        }
    }

    /**
     * BPF_RAW_TRACEPOINT_OPEN of {@code name} (null for a tracing program, whose target was fixed at load time);
     * returns the link descriptor, or {@code -errno}.
     */
    static int rawTracepointOpen(String name, int progFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(RAW_SIZE, 8);
            attr.set(JAVA_LONG, RAW_NAME, name == null ? 0 : arena.allocateFrom(name).address());
            attr.set(JAVA_INT, RAW_PROG_FD, progFd);
            return Syscalls.bpfOrErrno(BpfCmd.RAW_TRACEPOINT_OPEN, attr);
        }
    }
}
