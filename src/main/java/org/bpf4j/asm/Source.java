package org.bpf4j.asm;

/** The operand source bit of ALU and jump opcodes: {@code BPF_K} (immediate) or {@code BPF_X} (register). */
public enum Source {
    /** {@code BPF_K}: the second operand is the 32-bit immediate. */
    K(0x00),
    /** {@code BPF_X}: the second operand is the src register. */
    X(0x08);

    private final int bits;

    Source(int bits) {
        this.bits = bits;
    }

    /** The source bit (mask 0x08). */
    public int bits() {
        return bits;
    }

    /** The source of an opcode byte. */
    public static Source fromOpcode(int opcode) {
        return (opcode & 0x08) == 0 ? K : X;
    }
}
