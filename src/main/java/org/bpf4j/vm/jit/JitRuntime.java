package org.bpf4j.vm.jit;

import org.bpf4j.vm.Machine;
import org.bpf4j.vm.VmFault;

/** What compiled programs call besides memory and helpers: frame checks and faults. Public for hidden classes. */
public final class JitRuntime {
    private JitRuntime() {}

    /** The callee's r10 for a local call at {@code pc} from a frame whose r10 is {@code r10}; faults past the deepest frame. */
    public static long enterFrame(Machine m, long r10, int pc) {
        long next = r10 - Machine.FRAME_SIZE;
        if (next <= m.stackTop() - (long) Machine.FRAME_SIZE * Machine.MAX_FRAMES)
            throw new VmFault(pc, "call stack too deep (more than " + Machine.MAX_FRAMES + " frames)");
        return next;
    }

    /** Counts a backward jump at {@code pc} against the run's iteration budget ({@link Machine#iteration}). */
    public static void iteration(Machine m, int pc) {
        m.iteration(pc);
    }

    /** A fault to throw at {@code pc}. */
    public static RuntimeException fault(int pc, String message) {
        return new VmFault(pc, message);
    }
}
