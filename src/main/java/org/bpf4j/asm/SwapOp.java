package org.bpf4j.asm;

/**
 * The byte-swap operations ({@code BPF_END}): to little or big endian (class ALU, source bit
 * {@code BPF_TO_LE}/{@code BPF_TO_BE}) and the unconditional {@code bswap} (class ALU64); the width
 * (16, 32 or 64) is the immediate.
 */
public enum SwapOp {
    /** {@code BPF_ALU | BPF_END | BPF_TO_LE}: convert to little endian (le16/le32/le64). */
    LE(0xd4, "le"),
    /** {@code BPF_ALU | BPF_END | BPF_TO_BE}: convert to big endian (be16/be32/be64). */
    BE(0xdc, "be"),
    /** {@code BPF_ALU64 | BPF_END}: unconditional byte swap (bswap16/32/64). */
    BSWAP(0xd7, "bswap");

    private final int opcode;
    private final String mnemonic;

    SwapOp(int opcode, String mnemonic) {
        this.opcode = opcode;
        this.mnemonic = mnemonic;
    }

    /** The whole opcode byte. */
    public int opcode() {
        return opcode;
    }

    /** The mnemonic prefix: {@code le}, {@code be} or {@code bswap}. */
    public String mnemonic() {
        return mnemonic;
    }

    /** The byte swap of the low {@code bits} (16, 32 or 64) of {@code dst}. */
    public Instruction of(Reg dst, int bits) {
        return new Instruction(new Operation.Swap(this), dst, Reg.R0, 0, bits);
    }
}
