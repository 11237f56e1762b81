package org.bpf4j.prog;

import org.bpf4j.asm.Helper;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a helper takes and returns, and which program types may call it: the kernel's {@code bpf_func_proto}
 * for the helpers bpf4j knows. One table, keyed by {@link Helper} (which keeps the ids and names), read by the
 * userspace verifier, the VM and the compiler.
 *
 * @param helper       the helper
 * @param returns      what r0 holds after the call
 * @param args         the kinds of r1, r2, ... (as many as the helper takes)
 * @param programTypes the program types that may call it; empty means every type
 */
public record HelperSignature(Helper helper, Ret returns, List<Arg> args, Set<ProgramType> programTypes) {

    /** Argument kinds ({@code enum bpf_arg_type}). */
    public enum Arg {
        /** {@code ARG_ANYTHING}: any initialised value. */
        ANYTHING,
        /** {@code ARG_CONST_MAP_PTR}: a map, as loaded by lddw. */
        CONST_MAP_PTR,
        /** {@code ARG_PTR_TO_MAP_KEY}: readable memory of the map's key size. */
        PTR_TO_MAP_KEY,
        /** {@code ARG_PTR_TO_MAP_VALUE}: readable memory of the map's value size. */
        PTR_TO_MAP_VALUE,
        /** {@code ARG_PTR_TO_CTX}: the program's context pointer, unmodified. */
        PTR_TO_CTX,
        /** {@code ARG_PTR_TO_MEM | MEM_RDONLY}: readable memory, its size in the next argument. */
        PTR_TO_MEM,
        /** {@code ARG_PTR_TO_UNINIT_MEM}: writable memory the helper fills, its size in the next argument. */
        PTR_TO_UNINIT_MEM,
        /** {@code ARG_CONST_SIZE}: a positive size bounded by the verifier. */
        CONST_SIZE,
        /** {@code ARG_CONST_SIZE_OR_ZERO}: a size that may be 0. */
        CONST_SIZE_OR_ZERO
    }

    /** Return kinds ({@code enum bpf_return_type}). */
    public enum Ret {
        /** {@code RET_INTEGER}. */
        INTEGER,
        /** {@code RET_VOID}: r0 is not defined after the call. */
        VOID,
        /** {@code RET_PTR_TO_MAP_VALUE_OR_NULL}: a pointer into the map of argument 1, or 0. */
        MAP_VALUE_OR_NULL
    }

    /** Validates and copies. */
    public HelperSignature {
        args = List.copyOf(args);
        programTypes = programTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(programTypes));
        if (args.size() > 5) throw new IllegalArgumentException(helper + ": more than 5 arguments");
    }

    /** Whether a program of {@code type} may call this helper. */
    public boolean allowedIn(ProgramType type) {
        return programTypes.isEmpty() || programTypes.contains(type);
    }

    private static final Set<ProgramType> TRACING = EnumSet.of(ProgramType.KPROBE, ProgramType.TRACEPOINT,
            ProgramType.PERF_EVENT, ProgramType.RAW_TRACEPOINT, ProgramType.RAW_TRACEPOINT_WRITABLE, ProgramType.TRACING);
    private static final Map<Helper, HelperSignature> TABLE = new EnumMap<>(Helper.class);

    static {
        Set<ProgramType> all = Set.of();
        def(Helper.MAP_LOOKUP_ELEM, Ret.MAP_VALUE_OR_NULL, all, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        def(Helper.MAP_UPDATE_ELEM, Ret.INTEGER, all, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY, Arg.PTR_TO_MAP_VALUE, Arg.ANYTHING);
        def(Helper.MAP_DELETE_ELEM, Ret.INTEGER, all, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        def(Helper.KTIME_GET_NS, Ret.INTEGER, all);
        def(Helper.KTIME_GET_BOOT_NS, Ret.INTEGER, all);
        def(Helper.GET_PRANDOM_U32, Ret.INTEGER, all);
        def(Helper.GET_SMP_PROCESSOR_ID, Ret.INTEGER, all);
        def(Helper.TRACE_PRINTK, Ret.INTEGER, all, Arg.PTR_TO_MEM, Arg.CONST_SIZE, Arg.ANYTHING, Arg.ANYTHING, Arg.ANYTHING);
        def(Helper.TAIL_CALL, Ret.VOID, all, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING);
        def(Helper.GET_CURRENT_PID_TGID, Ret.INTEGER, all);
        def(Helper.GET_CURRENT_UID_GID, Ret.INTEGER, all);
        def(Helper.GET_CURRENT_COMM, Ret.INTEGER, TRACING, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE);
        for (Helper h : List.of(Helper.PROBE_READ, Helper.PROBE_READ_STR, Helper.PROBE_READ_USER, Helper.PROBE_READ_KERNEL,
                Helper.PROBE_READ_USER_STR, Helper.PROBE_READ_KERNEL_STR)) {
            def(h, Ret.INTEGER, TRACING, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, Arg.ANYTHING);
        }
        def(Helper.PERF_EVENT_OUTPUT, Ret.INTEGER, all, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING, Arg.PTR_TO_MEM, Arg.CONST_SIZE_OR_ZERO);
        def(Helper.RINGBUF_OUTPUT, Ret.INTEGER, all, Arg.CONST_MAP_PTR, Arg.PTR_TO_MEM, Arg.CONST_SIZE_OR_ZERO, Arg.ANYTHING);
    }

    private static void def(Helper h, Ret ret, Set<ProgramType> types, Arg... args) {
        TABLE.put(h, new HelperSignature(h, ret, List.of(args), types));
    }

    /** The signature of {@code helper}, if bpf4j knows it. */
    public static Optional<HelperSignature> of(Helper helper) {
        return Optional.ofNullable(TABLE.get(helper));
    }

    /** The signature of the helper with id {@code id}, if bpf4j knows it. */
    public static Optional<HelperSignature> of(int id) {
        return Helper.byId(id).map(TABLE::get);
    }

    /** Every signature in the table. */
    public static List<HelperSignature> all() {
        return List.copyOf(TABLE.values());
    }
}
