package org.bpf4j.elf;

/**
 * Raw little-endian instruction slots as they sit in an object's code section, read and patched in place while
 * linking and relocating (the decoded {@link org.bpf4j.asm.Instruction} records come after). Slot {@code i} is bytes
 * {@code 8i..8i+7}: opcode, dst:4 src:4, offset:16, imm:32.
 */
final class RawCode {
    private RawCode() {}

    static final int LD_IMM64 = 0x18, CALL = 0x85;
    /** The opcode classes (low three bits). */
    static final int CLASS_LD = 0, CLASS_LDX = 1, CLASS_ST = 2, CLASS_STX = 3, CLASS_ALU = 4, CLASS_JMP = 5,
            CLASS_JMP32 = 6, CLASS_ALU64 = 7;

    static int opcode(byte[] c, int slot) { return c[slot * 8] & 0xff; }

    static int src(byte[] c, int slot) { return (c[slot * 8 + 1] >>> 4) & 0xf; }

    static void setSrc(byte[] c, int slot, int src) {
        c[slot * 8 + 1] = (byte) ((c[slot * 8 + 1] & 0x0f) | (src << 4));
    }

    static int offset(byte[] c, int slot) { return (short) ((c[slot * 8 + 2] & 0xff) | (c[slot * 8 + 3] << 8)); }

    static void setOffset(byte[] c, int slot, int off) {
        c[slot * 8 + 2] = (byte) off;
        c[slot * 8 + 3] = (byte) (off >>> 8);
    }

    static int imm(byte[] c, int slot) {
        int at = slot * 8 + 4;
        return (c[at] & 0xff) | (c[at + 1] & 0xff) << 8 | (c[at + 2] & 0xff) << 16 | c[at + 3] << 24;
    }

    static void setImm(byte[] c, int slot, int imm) {
        int at = slot * 8 + 4;
        c[at] = (byte) imm;
        c[at + 1] = (byte) (imm >>> 8);
        c[at + 2] = (byte) (imm >>> 16);
        c[at + 3] = (byte) (imm >>> 24);
    }

    static void setOpcode(byte[] c, int slot, int op) { c[slot * 8] = (byte) op; }

    /** The whole 64-bit immediate of the lddw at {@code slot}. */
    static long imm64(byte[] c, int slot) {
        return Integer.toUnsignedLong(imm(c, slot)) | ((long) imm(c, slot + 1) << 32);
    }

    static void setImm64(byte[] c, int slot, long v) {
        setImm(c, slot, (int) v);
        setImm(c, slot + 1, (int) (v >>> 32));
    }

    static boolean isLdImm64(byte[] c, int slot) { return opcode(c, slot) == LD_IMM64; }

    /** A call of a local function ({@code BPF_PSEUDO_CALL}). */
    static boolean isLocalCall(byte[] c, int slot) { return opcode(c, slot) == CALL && src(c, slot) == 1; }

    /** An lddw of a subprogram's address ({@code BPF_PSEUDO_FUNC}). */
    static boolean isFuncAddress(byte[] c, int slot) { return isLdImm64(c, slot) && src(c, slot) == 4; }

    /** Turns the instruction at {@code slot} into {@code call 0xbad2310}, libbpf's mark for a failed relocation. */
    static void poison(byte[] c, int slot) {
        for (int i = 0; i < 8; i++) c[slot * 8 + i] = 0;
        setOpcode(c, slot, CALL);
        setImm(c, slot, 0xbad2310);
    }

    static int slots(byte[] c) { return c.length / 8; }
}
