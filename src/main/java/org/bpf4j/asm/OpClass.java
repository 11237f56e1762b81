package org.bpf4j.asm;

/** The instruction classes, carrying the BPF_CLASS bits (the low three bits of the opcode). */
public enum OpClass {
    /** {@code BPF_LD}: lddw and the legacy packet loads. */
    LD(0x00),
    /** {@code BPF_LDX}: loads into a register. */
    LDX(0x01),
    /** {@code BPF_ST}: stores of an immediate. */
    ST(0x02),
    /** {@code BPF_STX}: stores of a register, and atomics. */
    STX(0x03),
    /** {@code BPF_ALU}: 32-bit arithmetic. */
    ALU(0x04),
    /** {@code BPF_JMP}: 64-bit jumps, calls and exit. */
    JMP(0x05),
    /** {@code BPF_JMP32}: 32-bit jumps. */
    JMP32(0x06),
    /** {@code BPF_ALU64}: 64-bit arithmetic. */
    ALU64(0x07);

    private static final OpClass[] ALL = values();
    private final int bits;

    OpClass(int bits) {
        this.bits = bits;
    }

    /** The class bits (mask 0x07). */
    public int bits() {
        return bits;
    }

    /** The class of an opcode byte. */
    public static OpClass fromOpcode(int opcode) {
        return ALL[opcode & 0x07];
    }
}
