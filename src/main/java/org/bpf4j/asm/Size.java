package org.bpf4j.asm;

/** Memory access sizes, carrying the BPF_SIZE bits ({@code BPF_W}, {@code BPF_H}, {@code BPF_B}, {@code BPF_DW}). */
public enum Size {
    /** {@code BPF_W}: 32-bit word. */
    W(0x00, 4),
    /** {@code BPF_H}: 16-bit half word. */
    H(0x08, 2),
    /** {@code BPF_B}: byte. */
    B(0x10, 1),
    /** {@code BPF_DW}: 64-bit double word. */
    DW(0x18, 8);

    private final int bits;
    private final int bytes;

    Size(int bits, int bytes) {
        this.bits = bits;
        this.bytes = bytes;
    }

    /** The value of the size field within the opcode (mask 0x18). */
    public int bits() {
        return bits;
    }

    /** The access width in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The size whose bits are {@code opcode & 0x18}. */
    public static Size fromOpcode(int opcode) {
        return switch (opcode & 0x18) {
            case 0x00 -> W;
            case 0x08 -> H;
            case 0x10 -> B;
            default -> DW;
        };
    }

    // --- cilium-style factories ---

    /** {@code dst = *(size *)(src + off)} (BPF_LDX | BPF_MEM). */
    public Instruction load(Reg dst, Reg src, int off) {
        return new Instruction(new Operation.Load(this, false), dst, src, off, 0);
    }

    /** {@code dst = *(signed size *)(src + off)}, sign-extending (BPF_LDX | BPF_MEMSX); not for DW. */
    public Instruction loadSigned(Reg dst, Reg src, int off) {
        return new Instruction(new Operation.Load(this, true), dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = src} (BPF_STX | BPF_MEM). */
    public Instruction store(Reg dst, int off, Reg src) {
        return new Instruction(new Operation.Store(this), dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = imm} (BPF_ST | BPF_MEM). */
    public Instruction storeImm(Reg dst, int off, int imm) {
        return new Instruction(new Operation.StoreImm(this), dst, Reg.R0, off, imm);
    }

    /** Legacy packet load {@code r0 = *(size *)skb[imm]} (BPF_LD | BPF_ABS); not for DW. */
    public Instruction loadAbs(int imm) {
        return new Instruction(new Operation.LoadPacket(false, this), Reg.R0, Reg.R0, 0, imm);
    }

    /** Legacy packet load {@code r0 = *(size *)skb[src + imm]} (BPF_LD | BPF_IND); not for DW. */
    public Instruction loadInd(Reg src, int imm) {
        return new Instruction(new Operation.LoadPacket(true, this), Reg.R0, src, 0, imm);
    }
}
