package org.bpf4j.vm;

import org.bpf4j.UserException;

/**
 * A program did something at run time that the VM refuses: an out-of-bounds or unmapped memory access, a
 * call of an unknown helper, too deep a call stack. The message names the instruction index.
 */
public final class VmFault extends UserException {
    private static final long serialVersionUID = 1L;
    private final int instruction;

    /** A fault at instruction {@code instruction} (-1 when unknown). */
    public VmFault(int instruction, String detail) {
        super((instruction >= 0 ? "instruction " + instruction + ": " : "") + detail);
        this.instruction = instruction;
    }

    /** The index of the faulting instruction, or -1. */
    public int instruction() { return instruction; }
}
