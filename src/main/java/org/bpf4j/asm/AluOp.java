package org.bpf4j.asm;

/**
 * Arithmetic operations of the ALU and ALU64 classes, carrying the BPF_OP bits and, for the v4 forms that
 * are told apart by the offset field (sdiv, smod, movsx), that offset.
 * Byte swaps ({@code BPF_END}) are {@link SwapOp}.
 */
public enum AluOp {
    /** {@code BPF_ADD}: dst += src. */
    ADD(0x00, 0, "add", "+="),
    /** {@code BPF_SUB}: dst -= src. */
    SUB(0x10, 0, "sub", "-="),
    /** {@code BPF_MUL}: dst *= src. */
    MUL(0x20, 0, "mul", "*="),
    /** {@code BPF_DIV}: unsigned dst /= src. */
    DIV(0x30, 0, "div", "/="),
    /** {@code BPF_DIV} with offset 1: signed dst /= src. */
    SDIV(0x30, 1, "sdiv", "s/="),
    /** {@code BPF_OR}: dst |= src. */
    OR(0x40, 0, "or", "|="),
    /** {@code BPF_AND}: dst &= src. */
    AND(0x50, 0, "and", "&="),
    /** {@code BPF_LSH}: dst <<= src. */
    LSH(0x60, 0, "lsh", "<<="),
    /** {@code BPF_RSH}: logical dst >>= src. */
    RSH(0x70, 0, "rsh", ">>="),
    /** {@code BPF_NEG}: dst = -dst (immediate form only, imm 0). */
    NEG(0x80, 0, "neg", "neg"),
    /** {@code BPF_MOD}: unsigned dst %= src. */
    MOD(0x90, 0, "mod", "%="),
    /** {@code BPF_MOD} with offset 1: signed dst %= src. */
    SMOD(0x90, 1, "smod", "s%="),
    /** {@code BPF_XOR}: dst ^= src. */
    XOR(0xa0, 0, "xor", "^="),
    /** {@code BPF_MOV}: dst = src. */
    MOV(0xb0, 0, "mov", "="),
    /** {@code BPF_MOV} with offset 8: dst = (s8) src (register form only). */
    MOVSX8(0xb0, 8, "movsx8", "="),
    /** {@code BPF_MOV} with offset 16: dst = (s16) src (register form only). */
    MOVSX16(0xb0, 16, "movsx16", "="),
    /** {@code BPF_MOV} with offset 32: dst = (s32) src (ALU64 register form only). */
    MOVSX32(0xb0, 32, "movsx32", "="),
    /** {@code BPF_ARSH}: arithmetic dst >>= src. */
    ARSH(0xc0, 0, "arsh", "s>>="),
    /**
     * Kernel extension {@code BPF_ADDR_SPACE_CAST} (ALU64 MOV X, offset 1): arena pointer cast, imm =
     * (dst address space << 16) | src address space.
     */
    ADDR_SPACE_CAST(0xb0, 1, "addr_space_cast", "="),
    /**
     * Kernel-internal {@code BPF_ADDR_PERCPU} (ALU64 MOV X, offset -1): dst = src + this CPU's per-cpu
     * offset; appears in xlated dumps of inlined helpers.
     */
    MOV_PERCPU(0xb0, -1, "mov_percpu", "=");

    private final int bits;
    private final int offset;
    private final String mnemonic;
    private final String symbol;

    AluOp(int bits, int offset, String mnemonic, String symbol) {
        this.bits = bits;
        this.offset = offset;
        this.mnemonic = mnemonic;
        this.symbol = symbol;
    }

    /** The BPF_OP bits (mask 0xf0). */
    public int bits() {
        return bits;
    }

    /** The value the offset field carries for this operation (0 for the classic operations). */
    public int offset() {
        return offset;
    }

    /** The conformance-suite mnemonic without the {@code 32} suffix, e.g. {@code "sdiv"}. */
    public String mnemonic() {
        return mnemonic;
    }

    /** The operator as printed by the kernel's disassembler, e.g. {@code "s/="}. */
    public String symbol() {
        return symbol;
    }

    /** Whether the operation exists with an immediate operand (BPF_K). */
    public boolean hasImmediateForm() {
        return offset == 0 || this == SDIV || this == SMOD;
    }

    /** Whether the operation exists with a register operand (BPF_X); NEG is immediate only. */
    public boolean hasRegisterForm() {
        return this != NEG;
    }

    /** Whether the operation exists in the 32-bit ALU class. */
    public boolean hasAlu32Form() {
        return this != MOVSX32 && this != ADDR_SPACE_CAST && this != MOV_PERCPU;
    }

    /** The operation for opcode bits {@code op} and offset field {@code off}, or null if none. */
    static AluOp decode(int op, int off) {
        for (AluOp a : values()) {
            if (a.bits == op && a.offset == off) {
                return a;
            }
        }
        return null;
    }

    // --- cilium-style factories ---

    /** 64-bit {@code dst op= imm} (BPF_ALU64 | BPF_K). */
    public Instruction imm64(Reg dst, int imm) {
        return new Instruction(new Operation.Alu(this, Source.K, true), dst, Reg.R0, 0, imm);
    }

    /** 64-bit {@code dst op= src} (BPF_ALU64 | BPF_X). */
    public Instruction reg64(Reg dst, Reg src) {
        return new Instruction(new Operation.Alu(this, Source.X, true), dst, src, 0, 0);
    }

    /** 32-bit {@code wdst op= imm} (BPF_ALU | BPF_K). */
    public Instruction imm32(Reg dst, int imm) {
        return new Instruction(new Operation.Alu(this, Source.K, false), dst, Reg.R0, 0, imm);
    }

    /** 32-bit {@code wdst op= wsrc} (BPF_ALU | BPF_X). */
    public Instruction reg32(Reg dst, Reg src) {
        return new Instruction(new Operation.Alu(this, Source.X, false), dst, src, 0, 0);
    }
}
