package org.bpf4j.features;

import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Program;
import org.bpf4j.btf.BtfLoader;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Native;
import org.bpf4j.sys.Syscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the running kernel supports, found the way libbpf and bpftool find it: by loading a tiny program or
 * creating a tiny map of each kind and closing it at once. Answers are cached for the life of the process.
 */
public final class Features {
    private Features() {}

    private static final Map<ProgramType, Boolean> PROG_TYPES = new ConcurrentHashMap<>();
    private static final Map<MapType, Boolean> MAP_TYPES = new ConcurrentHashMap<>();
    private static final Map<Long, Optional<Boolean>> HELPERS = new ConcurrentHashMap<>();

    /** {@code enum bpf_attach_type} values the probes need. */
    private static final int BPF_CGROUP_INET4_CONNECT = 10, BPF_LIRC_MODE2 = 16, BPF_CGROUP_GETSOCKOPT = 21, BPF_TRACE_FENTRY = 24,
            BPF_MODIFY_RETURN = 26, BPF_SK_LOOKUP = 36, BPF_TRACE_KPROBE_MULTI = 42, BPF_NETFILTER = 45;
    private static final int BPF_F_SLEEPABLE = 1 << 4, BPF_F_NO_PREALLOC = 1, BPF_F_MMAPABLE = 1 << 10;

    private static final byte[] RETURN_ZERO = Assembler.parse("r0 = 0\nexit").encode();

    /** Whether programs of {@code type} load here. */
    public static boolean programType(ProgramType type) {
        return PROG_TYPES.computeIfAbsent(type, t -> probeProgram(t, RETURN_ZERO, false).supported());
    }

    /** A program-type probe's answer; {@code log} is the verifier's, when the probe asked for one. */
    record Answer(boolean supported, Probe.Result result) {}

    /** Loads {@code insns} as a program of {@code type}, with the attributes that type needs (libbpf's probe_prog_load). */
    private static Answer probeProgram(ProgramType type, byte[] insns, boolean log) {
        int attach = 0, flags = 0, btfId = 0, expectedErrno = 0;
        boolean needLog = log;
        switch (type) {
            case CGROUP_SOCKOPT -> attach = BPF_CGROUP_GETSOCKOPT;
            case CGROUP_SOCK_ADDR -> attach = BPF_CGROUP_INET4_CONNECT;
            case SK_LOOKUP -> attach = BPF_SK_LOOKUP;
            case LIRC_MODE2 -> attach = BPF_LIRC_MODE2;
            case NETFILTER -> attach = BPF_NETFILTER;
            case TRACING, LSM, EXT -> {
                // no valid target: a kernel that has the type says "attach_btf_id" is wrong, with EINVAL
                attach = type == ProgramType.TRACING ? BPF_TRACE_FENTRY : type == ProgramType.LSM ? BPF_MODIFY_RETURN : 0;
                btfId = 1;
                expectedErrno = Errno.EINVAL;
                needLog = true;
            }
            case SYSCALL -> flags = BPF_F_SLEEPABLE;
            case STRUCT_OPS -> expectedErrno = Errno.ENOTSUPP;
            default -> { }
        }
        Probe.Result r = Probe.loadProgram(type.value(), insns, attach, flags, btfId, kernelVersion(), needLog);
        return new Answer(expectedErrno != 0 ? refusedAsExpected(type, expectedErrno, r) : r.ok(), r);
    }

    /**
     * Whether a probe load that must fail failed the way a kernel that has {@code type} fails it: with the errno
     * expected, and for types that need a BTF target, the verifier's complaint about that target. An extension
     * (ext) program with a kernel function as its target is told "Cannot replace kernel functions" (libbpf looks
     * for that text; bpf4j looked for "attach_btf_id" and called ext missing where bpftool found it).
     */
    static boolean refusedAsExpected(ProgramType type, int expectedErrno, Probe.Result r) {
        if (r.ok() || r.errno() != expectedErrno) return false;
        if (expectedErrno != Errno.EINVAL) return true;
        String log = r.log();
        return type == ProgramType.EXT
                ? log.contains("Cannot replace kernel functions") || log.contains("can only be attached to another program")
                : log.contains("attach_btf_id");
    }

    /**
     * Whether programs of {@code type} may call helper {@code helperId}; empty when a probe cannot tell (types that
     * need a BTF target or a struct_ops map to load at all). A helper counts as available unless the verifier
     * rejects the call itself ({@code "invalid func"}, {@code "unknown func"},
     * {@code "program of this type cannot use helper"}); failing on its arguments means the helper is there.
     */
    public static Optional<Boolean> helper(ProgramType type, int helperId) {
        return HELPERS.computeIfAbsent(((long) type.value() << 32) | helperId, k -> {
            switch (type) {
                case TRACING, EXT, LSM, STRUCT_OPS -> { return Optional.empty(); }
                default -> { }
            }
            byte[] insns = Program.of(List.of(Instruction.call(Helper.byId(helperId).orElseThrow()), Instruction.exit())).encode();
            Probe.Result r = probeProgram(type, insns, true).result();
            if (r.ok()) return Optional.of(true);
            String log = r.log();
            return Optional.of(!(log.contains("invalid func ") || log.contains("unknown func ")
                    || log.contains("program of this type cannot use helper")));
        });
    }

    /** Whether maps of {@code type} can be created here (libbpf's probe_map_create attributes). */
    public static boolean mapType(MapType type) {
        return MAP_TYPES.computeIfAbsent(type, Features::probeMap);
    }

    private static boolean probeMap(MapType type) {
        int key = 4, value = 4, max = 1, flags = 0, btfKey = 0, btfValue = 0, vmlinuxValue = 0, expectedErrno = 0;
        boolean localStorage = false;
        switch (type) {
            case STACK_TRACE -> value = 8;
            case LPM_TRIE -> {
                key = 8;
                value = 8;
                flags = BPF_F_NO_PREALLOC;
            }
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> {
                key = 16; // struct bpf_cgroup_storage_key
                value = 8;
                max = 0;
            }
            case QUEUE, STACK, BLOOM_FILTER -> key = 0;
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> {
                btfKey = 1;
                btfValue = 3;
                value = 8;
                max = 0;
                flags = BPF_F_NO_PREALLOC;
                localStorage = true;
            }
            case RINGBUF, USER_RINGBUF -> {
                key = 0;
                value = 0;
                max = (int) Native.pageSize();
            }
            case STRUCT_OPS -> {
                vmlinuxValue = 1;
                expectedErrno = Errno.ENOTSUPP;
            }
            case ARENA -> {
                key = 0;
                value = 0;
                flags = BPF_F_MMAPABLE;
            }
            case UNSPEC -> { return false; }
            default -> { }
        }
        Fd btf = null;
        int inner = -1;
        try {
            if (localStorage) btf = BtfLoader.load(localStorageBtf());
            if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) {
                inner = Probe.createMapFd(new Probe.MapAttrs(MapType.HASH.value(), 4, 4, 1, 0, 0, 0, 0, 0, 0));
                if (inner < 0) return false;
            }
            Probe.Result r = Probe.createMap(new Probe.MapAttrs(type.value(), key, value, max, flags, Math.max(inner, 0),
                    btf == null ? 0 : btf.value(), btfKey, btfValue, vmlinuxValue));
            return expectedErrno != 0 ? !r.ok() && r.errno() == expectedErrno : r.ok();
        } catch (org.bpf4j.BpfException e) {
            return false;
        } finally {
            if (btf != null) btf.close();
            if (inner >= 0) Syscalls.close(inner);
        }
    }

    /** struct bpf_spin_lock { int val; }; struct val { int cnt; struct bpf_spin_lock l; }: what local storage maps need. */
    private static byte[] localStorageBtf() {
        byte[] strs = "\0bpf_spin_lock\0val\0cnt\0l\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int[] types = {
            0, 1 << 24, 4, (1 << 24) | 32,                  // [1] int: INT, signed, 32 bits
            1, (4 << 24) | 1, 4, 15, 1, 0,                  // [2] struct bpf_spin_lock { int val; }
            15, (4 << 24) | 2, 8, 19, 1, 0, 23, 2, 32,      // [3] struct val { int cnt; struct bpf_spin_lock l; }
        };
        ByteBuffer b = ByteBuffer.allocate(24 + types.length * 4 + strs.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(types.length * 4)
                .putInt(types.length * 4).putInt(strs.length);
        for (int t : types) b.putInt(t);
        return b.put(strs).array();
    }

    /** Whether the kernel takes programs longer than 4096 instructions (libbpf's large-insn probe). */
    public static boolean largeInstructionLimit() {
        return MISC.computeIfAbsent("large_insn_limit", k -> {
            // 4096 times "r0 = 1", then "exit", encoded here: assembling 4097 lines of text took seconds of --info
            byte[] insns = new byte[4097 * 8];
            for (int i = 0; i < 4096; i++) {
                insns[i * 8] = (byte) 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K, dst r0
                insns[i * 8 + 4] = 1;       // imm, little-endian
            }
            insns[4096 * 8] = (byte) 0x95;  // BPF_JMP | BPF_EXIT
            return probeProgram(ProgramType.SCHED_CLS, insns, false).supported();
        });
    }

    /** Whether the verifier accepts bounded loops. */
    public static boolean boundedLoops() {
        return misc("bounded_loops", "r0 = 10\nr0 -= 1\nif r0 != 0x0 goto pc-2\nexit");
    }

    /** Whether the v2 ISA extension (jlt, jle, jslt, jsle) is there. */
    public static boolean isaV2() {
        return misc("v2", "r0 = 0\nif r0 < 0x1 goto pc+1\nr0 = 1\nexit");
    }

    /** Whether the v3 ISA extension (32-bit jumps) is there. */
    public static boolean isaV3() {
        return misc("v3", "r0 = 0\nif w0 < 0x1 goto pc+1\nr0 = 1\nexit");
    }

    private static final Map<String, Boolean> MISC = new ConcurrentHashMap<>();

    private static boolean misc(String name, String program) {
        return MISC.computeIfAbsent(name, k -> probeProgram(ProgramType.SOCKET_FILTER, Assembler.parse(program).encode(), false).supported());
    }

    /** LINUX_VERSION_CODE of the running kernel, from its release string (what old kernels wanted for kprobes). */
    static int kernelVersion() {
        String[] v = System.getProperty("os.version", "0.0.0").split("[.\\-+]");
        try {
            int major = Integer.parseInt(v[0]), minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            int patch = v.length > 2 && v[2].matches("\\d+") ? Math.min(255, Integer.parseInt(v[2])) : 0;
            return (major << 16) | (minor << 8) | patch;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whether the kernel makes kprobe_multi links (5.18 with CONFIG_FPROBE): a link is created, as libbpf and
     * bpftrace probe; a program of that attach type loading is not enough (6.1 without fprobe loads it and then
     * refuses the link). See {@code AttachSupport.kprobeMulti} for the reason when not.
     */
    public static boolean kprobeMulti() {
        return MISC.computeIfAbsent("kprobe_multi", k -> org.bpf4j.link.AttachSupport.kprobeMulti().supported());
    }

    /** Whether the map batch commands (5.6) work: a batch lookup of a hash map is answered, not refused. */
    public static boolean mapBatch() {
        return MISC.computeIfAbsent("map_batch", k -> org.bpf4j.map.KernelMap.batchSupported());
    }

    /** Every program type this build knows, with whether it loads here. */
    public static Map<ProgramType, Boolean> programTypes() {
        Map<ProgramType, Boolean> out = new EnumMap<>(ProgramType.class);
        for (ProgramType t : ProgramType.values()) if (t != ProgramType.UNSPEC) out.put(t, programType(t));
        return out;
    }
}
