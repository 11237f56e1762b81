package org.bpf4j.vm;

import org.bpf4j.vm.map.UserMap;

import java.util.Arrays;

/**
 * The state one program runs against: its address space (stack, context, packet, map values), the
 * environment its helpers ask, and the tail-call bookkeeping. Both engines run on it, so they share one
 * memory model and one set of helpers. Not thread-safe: one run at a time.
 */
public final class Machine {
    /** Bytes of stack per call frame (r10 points at the top of the current frame). */
    public static final int FRAME_SIZE = 512;
    /** The deepest bpf-to-bpf call nesting, the main program included (the kernel's MAX_CALL_FRAMES). */
    public static final int MAX_FRAMES = 8;
    /** The kernel's MAX_TAIL_CALL_CNT. */
    public static final int MAX_TAIL_CALLS = 33;

    static final int STACK_ID = 1, CONTEXT_ID = 2, PACKET_ID = 3, FIRST_DYNAMIC_ID = 4;

    /** A map as one machine sees it: its handle (what lddw puts in a register) and the base of its values. */
    public record MapBinding(UserMap map, long handle, long valueBase) {}

    private final Memory memory = new Memory();
    private final Environment env;
    private final Region stack;
    private final long stackTop;
    private Region context;
    private long contextBase;
    TailCallable tailTarget;
    int tailCalls;

    /** A machine whose helpers ask {@code env}. */
    public Machine(Environment env) {
        this.env = env;
        memory.reserve(FIRST_DYNAMIC_ID);
        stack = Region.of(Region.Kind.STACK, "stack", new byte[FRAME_SIZE * MAX_FRAMES]);
        stackTop = memory.place(STACK_ID, stack) + stack.length;
        context(new byte[0]);
    }

    /** The address space. */
    public Memory memory() { return memory; }

    /** The environment. */
    public Environment environment() { return env; }

    /** r10 of the main program: the top of the first frame. */
    public long stackTop() { return stackTop; }

    /** Maps {@code map}'s handle and values into this machine. */
    public MapBinding bind(UserMap map) {
        long valueBase = map.values() == null ? 0 : memory.add(map.values());
        MapBinding binding = new MapBinding(map, memory.nextBase(), valueBase);
        memory.add(new Region(Region.Kind.MAP_HANDLE, "map " + map.spec().name() + " (the map itself)",
                new byte[0], 0, 0, false, binding));
        return binding;
    }

    /** The map whose handle is {@code handle}, or null. */
    public MapBinding mapAt(long handle) {
        Region r = memory.regionAt(handle);
        return r != null && r.kind == Region.Kind.MAP_HANDLE && (int) handle == 0 ? (MapBinding) r.owner : null;
    }

    /** Maps {@code ctx} (shared, not copied) as the context and returns its address. */
    public long context(byte[] ctx) {
        return context(Region.of(Region.Kind.CONTEXT, "context", ctx));
    }

    /** Maps {@code region} as the context and returns its address. */
    public long context(Region region) {
        context = region;
        contextBase = memory.place(CONTEXT_ID, region);
        return contextBase;
    }

    /** The context region of the current run. */
    public Region context() { return context; }

    /** Maps {@code data} as packet data and returns its address. */
    public long packet(byte[] data) {
        return memory.place(PACKET_ID, Region.of(Region.Kind.PACKET, "packet", data));
    }

    /**
     * The most backward jumps (loop iterations) one run may take, like the kernel's bounds on a program's work:
     * a program that was not verified, or whose loop the verifier could not bound, ends in a {@link VmFault}.
     */
    public static final long DEFAULT_ITERATIONS = 100_000_000L;
    private long iterationBudget = DEFAULT_ITERATIONS;
    private long iterationsLeft = DEFAULT_ITERATIONS;

    /** Sets the budget of backward jumps per run ({@link #DEFAULT_ITERATIONS} unless set). */
    public void iterationBudget(long budget) {
        if (budget < 0) throw new IllegalArgumentException("iteration budget " + budget);
        iterationBudget = iterationsLeft = budget;
    }

    /** Counts one backward jump at {@code pc}; a {@link VmFault} once the run's budget is spent. */
    public void iteration(int pc) {
        if (--iterationsLeft < 0)
            throw new VmFault(pc, "the run took more than " + iterationBudget + " loop iterations (backward jumps), its budget");
    }

    /** Clears the stack and the tail-call state before a run. */
    public void reset(int tailCallsSoFar) {
        iterationsLeft = iterationBudget;
        Arrays.fill(stack.data, (byte) 0);
        tailTarget = null;
        tailCalls = tailCallsSoFar;
    }

    /** Whether the last helper call was a successful {@code tail_call}: the engine then returns {@link #finishTailCall()}. */
    public boolean tailCallPending() { return tailTarget != null; }

    /** Runs the program the pending tail call jumps to, on the same context, and returns its r0. */
    public long finishTailCall() {
        TailCallable target = tailTarget;
        tailTarget = null;
        return target.runTailCall(context, tailCalls);
    }

    /** A program a {@code tail_call} can jump to. */
    public interface TailCallable {
        /** Runs on {@code context} after {@code depth} tail calls and returns r0. */
        long runTailCall(Region context, int depth);
    }
}
