package org.bpf4j.features;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The raw loads a feature probe makes: a tiny program or map with the exact attributes a probe needs (attach
 * type, flags, BTF ids), answered by the kernel's errno and verifier log rather than by exceptions, and closed at
 * once. Not a way to load objects to keep: {@link org.bpf4j.prog.KernelProgram} and {@link org.bpf4j.map.KernelMap}
 * are.
 */
final class Probe {
    private Probe() {}

    /** What the kernel said: success, or the errno and the verifier's log (empty unless asked for). */
    record Result(boolean ok, int errno, String log) {}

    // union bpf_attr for BPF_PROG_LOAD (offsets checked against linux/bpf.h).
    private static final int PROG_SIZE = 128, PROG_TYPE = 0, INSN_CNT = 4, INSNS = 8, LICENSE = 16, LOG_LEVEL = 24,
            LOG_SIZE = 28, LOG_BUF = 32, KERN_VERSION = 40, PROG_FLAGS = 44, EXPECTED_ATTACH_TYPE = 68,
            ATTACH_BTF_ID = 108;

    /** BPF_PROG_LOAD of {@code insns}; with {@code log} a 4 KiB level-1 verifier log is returned. */
    static Result loadProgram(int type, byte[] insns, int expectedAttachType, int progFlags, int attachBtfId,
                              int kernVersion, boolean log) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PROG_SIZE, 8);
            attr.set(JAVA_INT, PROG_TYPE, type);
            attr.set(JAVA_INT, INSN_CNT, insns.length / 8);
            attr.set(JAVA_LONG, INSNS, arena.allocateFrom(JAVA_BYTE, insns).address());
            attr.set(JAVA_LONG, LICENSE, arena.allocateFrom("GPL").address());
            attr.set(JAVA_INT, KERN_VERSION, kernVersion);
            attr.set(JAVA_INT, PROG_FLAGS, progFlags);
            attr.set(JAVA_INT, EXPECTED_ATTACH_TYPE, expectedAttachType);
            attr.set(JAVA_INT, ATTACH_BTF_ID, attachBtfId);
            MemorySegment buf = MemorySegment.NULL;
            if (log) {
                buf = arena.allocate(4096);
                attr.set(JAVA_INT, LOG_LEVEL, 1);
                attr.set(JAVA_INT, LOG_SIZE, 4096);
                attr.set(JAVA_LONG, LOG_BUF, buf.address());
            }
            int r = Syscalls.bpfOrErrno(BpfCmd.PROG_LOAD, attr);
            if (r >= 0) Syscalls.close(r);
            return new Result(r >= 0, r >= 0 ? 0 : -r, log ? buf.getString(0) : "");
        }
    }

    // union bpf_attr for BPF_MAP_CREATE.
    private static final int MAP_SIZE = 72, MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12,
            MAP_FLAGS = 16, INNER_MAP_FD = 20, BTF_FD = 48, BTF_KEY = 52, BTF_VALUE = 56, BTF_VMLINUX_VALUE = 60,
            MAP_EXTRA = 64;

    /** The attributes of a probe map. */
    record MapAttrs(int type, int keySize, int valueSize, int maxEntries, int flags, int innerMapFd, int btfFd,
                    int btfKeyTypeId, int btfValueTypeId, int btfVmlinuxValueTypeId) {}

    /** BPF_MAP_CREATE, closing the map at once; returns the descriptor's fate. */
    static Result createMap(MapAttrs a) {
        int fd = createMapFd(a);
        if (fd >= 0) Syscalls.close(fd);
        return new Result(fd >= 0, fd >= 0 ? 0 : -fd, "");
    }

    /** BPF_MAP_CREATE; returns the descriptor (the caller closes it) or {@code -errno}. */
    static int createMapFd(MapAttrs a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(MAP_SIZE, 8);
            attr.set(JAVA_INT, MAP_TYPE, a.type());
            attr.set(JAVA_INT, KEY_SIZE, a.keySize());
            attr.set(JAVA_INT, VALUE_SIZE, a.valueSize());
            attr.set(JAVA_INT, MAX_ENTRIES, a.maxEntries());
            attr.set(JAVA_INT, MAP_FLAGS, a.flags());
            attr.set(JAVA_INT, INNER_MAP_FD, a.innerMapFd());
            attr.set(JAVA_INT, BTF_FD, a.btfFd());
            attr.set(JAVA_INT, BTF_KEY, a.btfKeyTypeId());
            attr.set(JAVA_INT, BTF_VALUE, a.btfValueTypeId());
            attr.set(JAVA_INT, BTF_VMLINUX_VALUE, a.btfVmlinuxValueTypeId());
            attr.set(JAVA_LONG, MAP_EXTRA, 0);
            return Syscalls.bpfOrErrno(BpfCmd.MAP_CREATE, attr);
        }
    }

}
