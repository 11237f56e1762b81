package org.bpf4j.asm;

import java.util.Objects;

/**
 * One eBPF instruction as an immutable value: an {@link Operation} and its operands. An lddw is one
 * instruction of {@link #width() width} 2 whose {@code imm} holds all 64 bits; for every other instruction
 * {@code imm} is the signed 32-bit immediate. Fields an operation does not use must be zero (R0), and the
 * offset the v4 operations consume (sdiv, smod, movsx) is part of the operation, so {@code offset} is 0 there.
 *
 * <pre>
 *   slot (8 bytes, little endian):  opcode:8 | dst:4 src:4 | offset:16 | imm:32
 *   lddw second slot:               0        | 0     0     | 0         | imm high:32
 * </pre>
 *
 * @param op     the operation
 * @param dst    the destination register (R0 where unused)
 * @param src    the source register (R0 where unused, and for calls and lddw whose src field is the kind)
 * @param offset the signed 16-bit offset: jump displacement or memory offset
 * @param imm    the immediate: signed 32-bit, or all 64 bits for lddw
 */
public record Instruction(Operation op, Reg dst, Reg src, int offset, long imm) {

    /** {@code BPF_PSEUDO_MAP_FD}: lddw src for a map file descriptor. */
    public static final int PSEUDO_MAP_FD = 1;
    /** {@code BPF_PSEUDO_MAP_VALUE}: lddw src for a map fd plus a value offset. */
    public static final int PSEUDO_MAP_VALUE = 2;
    /** {@code BPF_PSEUDO_BTF_ID}: lddw src for a kernel variable's BTF id. */
    public static final int PSEUDO_BTF_ID = 3;
    /** {@code BPF_PSEUDO_FUNC}: lddw src for the address of a subprogram (pc-relative imm). */
    public static final int PSEUDO_FUNC = 4;
    /** {@code BPF_PSEUDO_MAP_IDX}: lddw src for an index into fd_array. */
    public static final int PSEUDO_MAP_IDX = 5;
    /** {@code BPF_PSEUDO_MAP_IDX_VALUE}: lddw src for an fd_array index plus a value offset. */
    public static final int PSEUDO_MAP_IDX_VALUE = 6;
    /** {@code BPF_PSEUDO_CALL}: call src for a local function (pc-relative imm). */
    public static final int PSEUDO_CALL = 1;
    /** {@code BPF_PSEUDO_KFUNC_CALL}: call src for a kernel function by BTF id. */
    public static final int PSEUDO_KFUNC_CALL = 2;

    /**
     * Validates the operands against the operation; an immediate in 0x80000000..0xffffffff of a 32-bit form
     * is taken as its two's complement int.
     */
    public Instruction {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(src, "src");
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " out of 16-bit range");
        }
        if (!(op instanceof Operation.LoadImm64)) {
            if (imm < Integer.MIN_VALUE || imm > 0xffffffffL) {
                throw new IllegalArgumentException("immediate " + imm + " out of 32-bit range");
            }
            imm = (int) imm;
        }
        Rules.check(op, dst, src, offset, imm);
    }

    /** The number of 8-byte slots: 2 for lddw, else 1. */
    public int width() {
        return op instanceof Operation.LoadImm64 ? 2 : 1;
    }

    /** The opcode byte. */
    public int opcode() {
        return op.opcode();
    }

    /** The encoded 4-bit src field: the register, or the call/lddw kind. */
    public int srcField() {
        return switch (op) {
            case Operation.Call c -> c.kind().src();
            case Operation.LoadImm64 l -> l.pseudo().src();
            default -> src.index();
        };
    }

    /** The encoded 16-bit offset field, including the offset the v4 ALU forms use to select the operation. */
    public int offsetField() {
        return op instanceof Operation.Alu a ? a.op().offset() : offset;
    }

    /** The low 32 bits of the immediate as encoded in the (first) slot, including the atomic kind. */
    public int immField() {
        return op instanceof Operation.Atomic a ? a.op().imm() : (int) imm;
    }

    /** The high 32 bits of an lddw's immediate (the second slot's imm); 0 for other instructions. */
    public int immHigh() {
        return op instanceof Operation.LoadImm64 ? (int) (imm >>> 32) : 0;
    }

    /** This instruction with another offset (for label resolution). */
    public Instruction withOffset(int newOffset) {
        return new Instruction(op, dst, src, newOffset, imm);
    }

    /** This instruction with another immediate (for label and map fd resolution). */
    public Instruction withImm(long newImm) {
        return new Instruction(op, dst, src, offset, newImm);
    }

    /**
     * This instruction with another low 32-bit immediate: for lddw the high half is kept (so a negative
     * pc-relative subprog offset stays in the low slot), otherwise the same as {@link #withImm(long)}.
     */
    public Instruction withImmLow(int low) {
        if (op instanceof Operation.LoadImm64) {
            return new Instruction(op, dst, src, offset, (imm & 0xffffffff00000000L) | Integer.toUnsignedLong(low));
        }
        return new Instruction(op, dst, src, offset, low);
    }

    /** Whether this is a lddw referring to a map (src MAP_FD or MAP_VALUE), whose low imm is the map fd. */
    public boolean isMapLoad() {
        return op instanceof Operation.LoadImm64(Pseudo p) && (p == Pseudo.MAP_FD || p == Pseudo.MAP_VALUE);
    }

    // --- factories for the operations that live on no enum ---

    /** {@code exit}. */
    public static Instruction exit() {
        return new Instruction(new Operation.Exit(), Reg.R0, Reg.R0, 0, 0);
    }

    /** {@code call helper}. */
    public static Instruction call(Helper helper) {
        return CallKind.HELPER.of(helper.id());
    }

    /** Call of the local function {@code imm} slots after the next instruction. */
    public static Instruction callLocal(int imm) {
        return CallKind.LOCAL.of(imm);
    }

    /** Call of the kfunc with BTF id {@code btfId} from the BTF at fd_array index {@code btfFdIndex} (0: vmlinux). */
    public static Instruction callKfunc(int btfId, int btfFdIndex) {
        return new Instruction(new Operation.Call(CallKind.KFUNC), Reg.R0, Reg.R0, btfFdIndex, btfId);
    }

    /** {@code goto pc+off}. */
    public static Instruction ja(int off) {
        return new Instruction(new Operation.Goto(), Reg.R0, Reg.R0, off, 0);
    }

    /** {@code gotol pc+imm} (32-bit displacement). */
    public static Instruction gotol(int imm) {
        return new Instruction(new Operation.GotoLong(), Reg.R0, Reg.R0, 0, imm);
    }

    /** {@code dst = imm64} (lddw, src 0). */
    public static Instruction lddw(Reg dst, long imm64) {
        return Pseudo.IMM64.of(dst, imm64);
    }

    /** {@code dst = map fd} (lddw src BPF_PSEUDO_MAP_FD). */
    public static Instruction loadMapFd(Reg dst, int fd) {
        return Pseudo.MAP_FD.of(dst, Integer.toUnsignedLong(fd));
    }

    /** {@code dst = &map value + valueOffset} (lddw src BPF_PSEUDO_MAP_VALUE). */
    public static Instruction loadMapValue(Reg dst, int fd, int valueOffset) {
        return Pseudo.MAP_VALUE.of(dst, ((long) valueOffset << 32) | Integer.toUnsignedLong(fd));
    }

    /** {@code dst = src + per-cpu offset}: kernel-internal BPF_ADDR_PERCPU move. */
    public static Instruction movPercpu(Reg dst, Reg src) {
        return AluOp.MOV_PERCPU.reg64(dst, src);
    }

    /** {@code dst = addr_space_cast(src, dstAs, srcAs)}: kernel BPF_ADDR_SPACE_CAST move between spaces 0 and 1. */
    public static Instruction addrSpaceCast(Reg dst, Reg src, int dstAs, int srcAs) {
        if ((dstAs & ~0xffff) != 0 || (srcAs & ~0xffff) != 0) {
            throw new IllegalArgumentException("address spaces are 16-bit");
        }
        return new Instruction(new Operation.Alu(AluOp.ADDR_SPACE_CAST, Source.X, true), dst, src, 0,
                (dstAs << 16) | srcAs);
    }
}
