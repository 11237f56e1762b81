package org.bpf4j.vm.verifier;

/** Internal: the verifier found an unsafe instruction; {@link Verifier} turns it into a VerifierException. */
final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int pc;
    /** Whether the instruction budget ran out (rather than an unsafe instruction). */
    final boolean budget;
    /** The registers at the instruction, for the log (set where the state is known). */
    String registers;

    Rejection(int pc, String reason) {
        this(pc, reason, false);
    }

    Rejection(int pc, String reason, boolean budget) {
        super(reason, null, false, false);
        this.pc = pc;
        this.budget = budget;
    }
}
