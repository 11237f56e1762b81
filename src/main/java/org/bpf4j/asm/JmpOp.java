package org.bpf4j.asm;

/**
 * Jump operations, carrying the BPF_OP bits; JA is the unconditional jump, the others compare dst with
 * src or the immediate. Calls and exit are their own operations ({@link Operation.Call}, {@link Operation.Exit}).
 */
public enum JmpOp {
    /** {@code BPF_JA}: unconditional jump. */
    JA(0x00, "ja", "jmp"),
    /** {@code BPF_JEQ}: jump if ==. */
    JEQ(0x10, "jeq", "=="),
    /** {@code BPF_JGT}: jump if unsigned >. */
    JGT(0x20, "jgt", ">"),
    /** {@code BPF_JGE}: jump if unsigned >=. */
    JGE(0x30, "jge", ">="),
    /** {@code BPF_JSET}: jump if dst & src != 0. */
    JSET(0x40, "jset", "&"),
    /** {@code BPF_JNE}: jump if !=. */
    JNE(0x50, "jne", "!="),
    /** {@code BPF_JSGT}: jump if signed >. */
    JSGT(0x60, "jsgt", "s>"),
    /** {@code BPF_JSGE}: jump if signed >=. */
    JSGE(0x70, "jsge", "s>="),
    /** {@code BPF_JLT}: jump if unsigned <. */
    JLT(0xa0, "jlt", "<"),
    /** {@code BPF_JLE}: jump if unsigned <=. */
    JLE(0xb0, "jle", "<="),
    /** {@code BPF_JSLT}: jump if signed <. */
    JSLT(0xc0, "jslt", "s<"),
    /** {@code BPF_JSLE}: jump if signed <=. */
    JSLE(0xd0, "jsle", "s<=");

    private final int bits;
    private final String mnemonic;
    private final String symbol;

    JmpOp(int bits, String mnemonic, String symbol) {
        this.bits = bits;
        this.mnemonic = mnemonic;
        this.symbol = symbol;
    }

    /** The BPF_OP bits (mask 0xf0). */
    public int bits() {
        return bits;
    }

    /** The conformance-suite mnemonic without the {@code 32} suffix, e.g. {@code "jsgt"}. */
    public String mnemonic() {
        return mnemonic;
    }

    /** The comparison as printed by the kernel's disassembler, e.g. {@code "s>"}. */
    public String symbol() {
        return symbol;
    }

    /** Whether this is a conditional jump (every operation but JA). */
    public boolean isConditional() {
        return this != JA;
    }

    /** The conditional jump with BPF_OP bits {@code op}, or null. */
    static JmpOp decodeConditional(int op) {
        for (JmpOp j : values()) {
            if (j.bits == op && j != JA) {
                return j;
            }
        }
        return null;
    }

    // --- cilium-style factories (numeric offsets; the Program.Builder resolves labels) ---

    /** {@code if dst op imm goto pc+off} (BPF_JMP | BPF_K); JA gives {@code goto pc+off} and needs dst R0, imm 0. */
    public Instruction imm(Reg dst, int imm, int off) {
        if (this == JA) {
            return new Instruction(new Operation.Goto(), dst, Reg.R0, off, imm);
        }
        return new Instruction(new Operation.Jump(this, Source.K, false), dst, Reg.R0, off, imm);
    }

    /** {@code if dst op src goto pc+off} (BPF_JMP | BPF_X). */
    public Instruction reg(Reg dst, Reg src, int off) {
        return new Instruction(new Operation.Jump(this, Source.X, false), dst, src, off, 0);
    }

    /** {@code if wdst op imm goto pc+off} (BPF_JMP32 | BPF_K); JA gives {@code gotol pc+imm} with the target in imm. */
    public Instruction imm32(Reg dst, int imm, int off) {
        if (this == JA) {
            return new Instruction(new Operation.GotoLong(), dst, Reg.R0, off, imm);
        }
        return new Instruction(new Operation.Jump(this, Source.K, true), dst, Reg.R0, off, imm);
    }

    /** {@code if wdst op wsrc goto pc+off} (BPF_JMP32 | BPF_X). */
    public Instruction reg32(Reg dst, Reg src, int off) {
        return new Instruction(new Operation.Jump(this, Source.X, true), dst, src, off, 0);
    }
}
