package org.bpf4j.asm;

/** Load and store modes, carrying the BPF_MODE bits (mask 0xe0). */
public enum Mode {
    /** {@code BPF_IMM}: 64-bit immediate (lddw). */
    IMM(0x00),
    /** {@code BPF_ABS}: legacy packet access at an absolute offset. */
    ABS(0x20),
    /** {@code BPF_IND}: legacy packet access at a register-relative offset. */
    IND(0x40),
    /** {@code BPF_MEM}: regular memory access. */
    MEM(0x60),
    /** {@code BPF_MEMSX}: sign-extending load. */
    MEMSX(0x80),
    /** {@code BPF_ATOMIC}: atomic operation, kind in imm. */
    ATOMIC(0xc0),
    /** {@code BPF_NOSPEC} (0xc0 in class ST): kernel-internal speculation barrier, no UAPI name. */
    NOSPEC(0xc0);

    private final int bits;

    Mode(int bits) {
        this.bits = bits;
    }

    /** The mode bits (mask 0xe0). */
    public int bits() {
        return bits;
    }
}
