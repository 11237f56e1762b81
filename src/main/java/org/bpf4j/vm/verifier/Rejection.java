package org.bpf4j.vm.verifier;

/** Internal: the verifier found an unsafe instruction; {@link Verifier} turns it into a VerifierException. */
final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int pc;

    Rejection(int pc, String reason) {
        super(reason, null, false, false);
        this.pc = pc;
    }
}
