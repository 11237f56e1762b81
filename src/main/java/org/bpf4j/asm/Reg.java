package org.bpf4j.asm;

/**
 * The eleven eBPF registers: R0 holds return values, R1-R5 arguments, R6-R9 are callee-saved
 * and R10 is the read-only frame pointer.
 */
public enum Reg {
    /** Return value of functions and exit value of the program. */
    R0,
    /** First argument; the context pointer at program entry. */
    R1,
    /** Second argument. */
    R2,
    /** Third argument. */
    R3,
    /** Fourth argument. */
    R4,
    /** Fifth argument. */
    R5,
    /** Callee-saved. */
    R6,
    /** Callee-saved. */
    R7,
    /** Callee-saved. */
    R8,
    /** Callee-saved. */
    R9,
    /** The read-only frame pointer. */
    R10;

    private static final Reg[] ALL = values();

    /** The register number as encoded in the 4-bit dst or src field. */
    public int index() {
        return ordinal();
    }

    /** The register with number {@code i}; throws IllegalArgumentException outside 0..10. */
    public static Reg of(int i) {
        if (i < 0 || i >= ALL.length) {
            throw new IllegalArgumentException("invalid register r" + i);
        }
        return ALL[i];
    }
}
