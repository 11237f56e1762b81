package org.bpf4j.asm;

/**
 * What the 64-bit immediate of an lddw ({@code BPF_LD | BPF_IMM | BPF_DW}) means, selected by its src field
 * ({@code BPF_PSEUDO_*} in linux/bpf.h).
 */
public enum Pseudo {
    /** src 0: a plain 64-bit constant. */
    IMM64(0),
    /** src 1 {@code BPF_PSEUDO_MAP_FD}: imm low is a map file descriptor. */
    MAP_FD(Instruction.PSEUDO_MAP_FD),
    /** src 2 {@code BPF_PSEUDO_MAP_VALUE}: imm low is a map fd, imm high an offset into its value. */
    MAP_VALUE(Instruction.PSEUDO_MAP_VALUE),
    /** src 3 {@code BPF_PSEUDO_BTF_ID}: imm low is a kernel variable's BTF id. */
    BTF_ID(Instruction.PSEUDO_BTF_ID),
    /** src 4 {@code BPF_PSEUDO_FUNC}: imm low is a pc-relative offset to a subprogram. */
    FUNC(Instruction.PSEUDO_FUNC),
    /** src 5 {@code BPF_PSEUDO_MAP_IDX}: imm low is an index into the load attribute's fd_array. */
    MAP_IDX(Instruction.PSEUDO_MAP_IDX),
    /** src 6 {@code BPF_PSEUDO_MAP_IDX_VALUE}: fd_array index plus a value offset in imm high. */
    MAP_IDX_VALUE(Instruction.PSEUDO_MAP_IDX_VALUE);

    private static final Pseudo[] ALL = values();
    private final int src;

    Pseudo(int src) {
        this.src = src;
    }

    /** The src field value. */
    public int src() {
        return src;
    }

    /** Whether the high 32 bits are a value offset (MAP_VALUE, MAP_IDX_VALUE) rather than zero. */
    public boolean hasValueOffset() {
        return this == MAP_VALUE || this == MAP_IDX_VALUE;
    }

    /** The kind with src field {@code src}; IllegalArgumentException if unknown. */
    public static Pseudo of(int src) {
        if (src < 0 || src >= ALL.length) {
            throw new IllegalArgumentException("unknown lddw src " + src);
        }
        return ALL[src];
    }

    /** {@code dst = imm64} interpreted per this kind (for MAP_VALUE: low = fd, high = offset). */
    public Instruction of(Reg dst, long imm64) {
        return new Instruction(new Operation.LoadImm64(this), dst, Reg.R0, 0, imm64);
    }
}
