package org.bpf4j.prog;

import org.bpf4j.BpfException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** A program loaded into the kernel: owns its file descriptor. */
public final class KernelProgram implements AutoCloseable {
    // union bpf_attr for BPF_PROG_LOAD (linux/bpf.h): offsets checked against the UAPI header.
    private static final int ATTR_SIZE = 128, PROG_TYPE = 0, INSN_CNT = 4, INSNS = 8, LICENSE = 16, LOG_LEVEL = 24,
            LOG_SIZE = 28, LOG_BUF = 32, KERN_VERSION = 40, PROG_FLAGS = 44, PROG_NAME = 48, EXPECTED_ATTACH_TYPE = 68,
            PROG_BTF_FD = 72, FUNC_INFO_REC_SIZE = 76, FUNC_INFO = 80, FUNC_INFO_CNT = 88, LINE_INFO_REC_SIZE = 92,
            LINE_INFO = 96, LINE_INFO_CNT = 104, ATTACH_BTF_ID = 108;
    private static final int FIRST_LOG = 1 << 16, MAX_LOG = 1 << 30;

    private final String name;
    private final ProgramType type;
    private final Fd fd;

    private KernelProgram(String name, ProgramType type, Fd fd) {
        this.name = name;
        this.type = type;
        this.fd = fd;
    }

    /**
     * Loads encoded instructions (BPF_PROG_LOAD). The first try asks for no log; when the verifier rejects
     * the program it is loaded again with a log, grown until the whole log fits, and a {@link VerifierException}
     * carries it.
     */
    public static KernelProgram load(String name, ProgramType type, byte[] insns, String license, int expectedAttachType) {
        return load(name, type, insns, license, expectedAttachType, 0);
    }

    /**
     * Loads encoded instructions for a program bound at load time to the kernel BTF type {@code attachBtfId} (an
     * fentry/fexit program names its function so); otherwise as {@link #load(String, ProgramType, byte[], String, int)}.
     */
    public static KernelProgram load(String name, ProgramType type, byte[] insns, String license, int expectedAttachType,
                                     int attachBtfId) {
        return load(name, type, insns, license, expectedAttachType, attachBtfId, null);
    }

    /**
     * What a program compiled from C carries besides its instructions: the BTF object its functions are described
     * in, {@code bpf_func_info} (8-byte records) and {@code bpf_line_info} (16-byte records) relative to these
     * instructions, so that the verifier's log shows source lines, plus the kernel version and BPF_F_* flags.
     */
    public record Extras(org.bpf4j.sys.Fd btf, byte[] funcInfo, byte[] lineInfo, int kernVersion, int flags) {}

    /** Loads as {@link #load(String, ProgramType, byte[], String, int, int)}, with {@code extras} when not null. */
    public static KernelProgram load(String name, ProgramType type, byte[] insns, String license, int expectedAttachType,
                                     int attachBtfId, Extras extras) {
        if (insns.length == 0 || insns.length % 8 != 0)
            throw new IllegalArgumentException("program " + name + ": " + insns.length + " bytes is not a whole number of instructions");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, PROG_TYPE, type.value());
            attr.set(JAVA_INT, INSN_CNT, insns.length / 8);
            attr.set(JAVA_LONG, INSNS, arena.allocateFrom(JAVA_BYTE, insns).address());
            attr.set(JAVA_LONG, LICENSE, arena.allocateFrom(license).address());
            attr.set(JAVA_INT, EXPECTED_ATTACH_TYPE, expectedAttachType);
            attr.set(JAVA_INT, ATTACH_BTF_ID, attachBtfId);
            if (extras != null) {
                attr.set(JAVA_INT, KERN_VERSION, extras.kernVersion());
                attr.set(JAVA_INT, PROG_FLAGS, extras.flags());
                if (extras.btf() != null) {
                    attr.set(JAVA_INT, PROG_BTF_FD, extras.btf().value());
                    if (extras.funcInfo() != null && extras.funcInfo().length > 0) {
                        attr.set(JAVA_INT, FUNC_INFO_REC_SIZE, 8);
                        attr.set(JAVA_LONG, FUNC_INFO, arena.allocateFrom(JAVA_BYTE, extras.funcInfo()).address());
                        attr.set(JAVA_INT, FUNC_INFO_CNT, extras.funcInfo().length / 8);
                    }
                    if (extras.lineInfo() != null && extras.lineInfo().length > 0) {
                        attr.set(JAVA_INT, LINE_INFO_REC_SIZE, 16);
                        attr.set(JAVA_LONG, LINE_INFO, arena.allocateFrom(JAVA_BYTE, extras.lineInfo()).address());
                        attr.set(JAVA_INT, LINE_INFO_CNT, extras.lineInfo().length / 16);
                    }
                }
            }
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, attr, JAVA_BYTE, PROG_NAME, Math.min(15, n.length));
            int r = Syscalls.bpfOrErrno(BpfCmd.PROG_LOAD, attr);
            if (r >= 0) return new KernelProgram(name, type, new Fd(r));
            int firstErrno = -r;
            if (firstErrno == Errno.EPERM && !org.bpf4j.sys.Privileges.canTrace())
                throw new BpfException("BPF_PROG_LOAD", firstErrno, "loading program '" + name + "' needs CAP_BPF and CAP_PERFMON (run as root)");
            for (int size = FIRST_LOG; size <= MAX_LOG; size *= 8) {
                try (Arena logArena = Arena.ofConfined()) {
                    MemorySegment log = logArena.allocate(size);
                    attr.set(JAVA_INT, LOG_LEVEL, 1);
                    attr.set(JAVA_INT, LOG_SIZE, size);
                    attr.set(JAVA_LONG, LOG_BUF, log.address());
                    r = Syscalls.bpfOrErrno(BpfCmd.PROG_LOAD, attr);
                    if (r >= 0) return new KernelProgram(name, type, new Fd(r)); // passed with a log: a flaky first try
                    if (-r == Errno.ENOSPC && size < MAX_LOG) continue;
                    String text = log.getString(0);
                    if (text.isEmpty()) throw new BpfException("BPF_PROG_LOAD", -r, "program '" + name + "'");
                    throw new VerifierException(name, -r, text);
                }
            }
            throw new BpfException("BPF_PROG_LOAD", firstErrno, "program '" + name + "'");
        }
    }

    /**
     * Loads {@code spec}, filling each symbolic map reference with the descriptor of the map of that name.
     */
    public static KernelProgram load(ProgramSpec spec, java.util.Map<String, ? extends org.bpf4j.map.KernelMap> maps) {
        return load(spec, maps, 0);
    }

    /** Loads {@code spec} bound to the kernel BTF type {@code attachBtfId} (see the six-argument load). */
    public static KernelProgram load(ProgramSpec spec, java.util.Map<String, ? extends org.bpf4j.map.KernelMap> maps,
                                     int attachBtfId) {
        byte[] insns = spec.program().encode(name -> {
            org.bpf4j.map.KernelMap m = maps.get(name);
            if (m == null) throw new IllegalArgumentException("program " + spec.name() + " uses map '" + name + "', which was not given");
            return m.fd().value();
        });
        // a program that takes a subprogram's address (a callback) must describe its functions in BTF
        org.bpf4j.btf.FuncBtf funcs = org.bpf4j.btf.FuncBtf.of(spec.program());
        if (funcs == null) return load(spec.name(), spec.type(), insns, spec.license(), spec.expectedAttachType(), attachBtfId);
        try (Fd btf = org.bpf4j.btf.BtfLoader.load(funcs.btf())) {
            return load(spec.name(), spec.type(), insns, spec.license(), spec.expectedAttachType(), attachBtfId,
                    new Extras(btf, funcs.funcInfo(), null, 0, 0));
        }
    }

    // union bpf_attr .test for BPF_PROG_TEST_RUN (linux/bpf.h): offsets checked against the UAPI header.
    private static final int TEST_SIZE = 80, T_PROG_FD = 0, T_RETVAL = 4, T_DATA_SIZE_IN = 8, T_DATA_SIZE_OUT = 12,
            T_DATA_IN = 16, T_DATA_OUT = 24, T_REPEAT = 32, T_DURATION = 36, T_CTX_SIZE_IN = 40, T_CTX_SIZE_OUT = 44,
            T_CTX_IN = 48, T_CTX_OUT = 56, T_FLAGS = 64;

    /**
     * Runs the program in the kernel (BPF_PROG_TEST_RUN) {@code repeat} times on {@code data} (a packet, for
     * socket filters and the like; may be empty) and {@code ctx} (a context, for raw tracepoints and others; may be
     * null). {@code flags} are the {@code BPF_F_TEST_*} flags. Programs of types the kernel cannot test-run fail
     * with a {@link BpfException}.
     */
    public TestRun testRun(byte[] data, byte[] ctx, int repeat, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(TEST_SIZE, 8);
            attr.set(JAVA_INT, T_PROG_FD, fd.value());
            attr.set(JAVA_INT, T_REPEAT, repeat);
            attr.set(JAVA_INT, T_FLAGS, flags);
            MemorySegment out = MemorySegment.NULL;
            if (data != null && data.length > 0) {
                attr.set(JAVA_INT, T_DATA_SIZE_IN, data.length);
                attr.set(JAVA_LONG, T_DATA_IN, arena.allocateFrom(JAVA_BYTE, data).address());
                out = arena.allocate(data.length + 256L);
                attr.set(JAVA_INT, T_DATA_SIZE_OUT, (int) out.byteSize());
                attr.set(JAVA_LONG, T_DATA_OUT, out.address());
            }
            MemorySegment ctxOut = MemorySegment.NULL;
            if (ctx != null && ctx.length > 0) {
                attr.set(JAVA_INT, T_CTX_SIZE_IN, ctx.length);
                attr.set(JAVA_LONG, T_CTX_IN, arena.allocateFrom(JAVA_BYTE, ctx).address());
            }
            try {
                Syscalls.bpf(BpfCmd.PROG_TEST_RUN, attr);
            } catch (BpfException e) {
                throw new BpfException("test run of program '" + name + "'", e);
            }
            int dataOutSize = (int) Math.min(out.byteSize(), Integer.toUnsignedLong(attr.get(JAVA_INT, T_DATA_SIZE_OUT)));
            return new TestRun(attr.get(JAVA_INT, T_RETVAL), Integer.toUnsignedLong(attr.get(JAVA_INT, T_DURATION)),
                    out.byteSize() == 0 ? new byte[0] : out.asSlice(0, dataOutSize).toArray(JAVA_BYTE),
                    ctxOut.byteSize() == 0 ? new byte[0] : ctxOut.toArray(JAVA_BYTE));
        }
    }

    /**
     * Runs the program {@code times} times through BPF_PROG_TEST_RUN on context {@code ctx}, one call each (for the
     * program types whose runs the kernel will not repeat itself, raw tracepoints among them), with one request
     * reused, so that a benchmark times the program and the call rather than this side's allocations. Stops at the
     * first run that returns non-zero and returns that value; 0 when every run returned 0.
     */
    public int testRuns(byte[] ctx, long times) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(TEST_SIZE, 8);
            MemorySegment in = arena.allocateFrom(JAVA_BYTE, ctx);
            for (long n = 0; n < times; n++) {
                attr.fill((byte) 0);
                attr.set(JAVA_INT, T_PROG_FD, fd.value());
                attr.set(JAVA_INT, T_CTX_SIZE_IN, ctx.length);
                attr.set(JAVA_LONG, T_CTX_IN, in.address());
                try {
                    Syscalls.bpf(BpfCmd.PROG_TEST_RUN, attr);
                } catch (BpfException e) {
                    throw new BpfException("test run of program '" + name + "'", e);
                }
                int retval = attr.get(JAVA_INT, T_RETVAL);
                if (retval != 0) return retval;
            }
            return 0;
        }
    }

    /**
     * Turns on the kernel's run-time statistics of every program (BPF_ENABLE_STATS, BPF_STATS_RUN_TIME) for as
     * long as the returned descriptor is open: {@link #runStats} then counts runs and their time.
     */
    public static Fd enableRunTimeStats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(8, 8); // struct { __u32 type; } enable_stats; BPF_STATS_RUN_TIME = 0
            return new Fd(Syscalls.bpf(BpfCmd.ENABLE_STATS, attr));
        }
    }

    /** The kernel's count of this program's runs and their total time in ns, {run_time_ns, run_cnt}, while stats are on. */
    public long[] runStats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = org.bpf4j.sys.ObjInfo.get(arena, fd.value(), 208, "program"); // run_time_ns @192, run_cnt @200
            return new long[] {info.get(JAVA_LONG, 192), info.get(JAVA_LONG, 200)};
        }
    }

    /** The name given at load time. */
    public String name() { return name; }

    /** The program type. */
    public ProgramType type() { return type; }

    /** The descriptor, for attaching. */
    public Fd fd() { return fd; }

    /**
     * Pins the program at {@code path} on the BPF file system (mounted at /sys/fs/bpf first when needed), so that
     * it outlives this process until the pin is removed. Nothing is ever pinned implicitly.
     */
    public void pin(java.nio.file.Path path) { org.bpf4j.sys.BpfFs.pin(fd, path, "program '" + name + "'"); }

    /** Opens the program pinned at {@code path} (BPF_OBJ_GET); its name and type are read back from the kernel. */
    public static KernelProgram open(java.nio.file.Path path) {
        return fromFd(org.bpf4j.sys.BpfFs.get(path, 0), path.toString());
    }

    /** Opens the program with kernel id {@code id} (BPF_PROG_GET_FD_BY_ID). */
    public static KernelProgram openById(int id) {
        Fd fd;
        try {
            fd = org.bpf4j.sys.ObjInfo.fdById(BpfCmd.PROG_GET_FD_BY_ID, id);
        } catch (BpfException e) {
            if (e.errno() == Errno.ENOENT) throw new org.bpf4j.UserException("no program with id " + id, e);
            throw e;
        }
        return fromFd(fd, "program id " + id);
    }

    private static KernelProgram fromFd(Fd fd, String what) {
        try {
            ProgramInfo info = ProgramInfo.read(fd.value());
            if (info.type() == null)
                throw new org.bpf4j.UserException(what + " has program type " + info.typeValue() + ", unknown to bpf4j");
            return new KernelProgram(info.name(), info.type(), fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The kernel's metadata for this program, including its translated instructions. */
    public ProgramInfo info() { return ProgramInfo.read(fd.value()); }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return "KernelProgram[" + name + ", " + type.bpftoolName() + ", " + fd + "]"; }
}
