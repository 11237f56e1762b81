package org.bpf4j.asm;

import java.util.Objects;

/**
 * What an instruction does, as a closed family of records; together with the operands of
 * {@link Instruction} it determines the encoding. Every operation knows its opcode byte.
 *
 * <pre>
 *   opcode byte:  +-------+---+-----+      ALU/JMP: op(4) | source(1) | class(3)
 *                 | 7..4  | 3 | 2..0|      LD/ST:   mode(3) | size(2) | class(3)
 *                 +-------+---+-----+
 * </pre>
 */
public sealed interface Operation {

    /** The opcode byte (first byte of the slot). */
    int opcode();

    /**
     * Arithmetic: {@code dst op= src|imm} in 32-bit (ALU) or 64-bit (ALU64) width.
     *
     * @param op     the operation
     * @param source immediate (K) or register (X) operand
     * @param wide   true for ALU64, false for ALU
     */
    record Alu(AluOp op, Source source, boolean wide) implements Operation {
        /** Validates that {@code op} exists in this class and with this source. */
        public Alu {
            Objects.requireNonNull(op);
            Objects.requireNonNull(source);
            if (source == Source.K && !op.hasImmediateForm()) {
                throw new IllegalArgumentException(op + " has no immediate form");
            }
            if (source == Source.X && !op.hasRegisterForm()) {
                throw new IllegalArgumentException(op + " has no register form");
            }
            if (!wide && !op.hasAlu32Form()) {
                throw new IllegalArgumentException(op + " has no 32-bit form");
            }
        }

        @Override
        public int opcode() {
            return op.bits() | source.bits() | (wide ? OpClass.ALU64 : OpClass.ALU).bits();
        }
    }

    /**
     * Byte swap of dst; the width (16, 32, 64) is the immediate.
     *
     * @param op to little endian, to big endian, or unconditional
     */
    record Swap(SwapOp op) implements Operation {
        /** Requires a kind. */
        public Swap {
            Objects.requireNonNull(op);
        }

        @Override
        public int opcode() {
            return op.opcode();
        }
    }

    /**
     * Conditional jump {@code if dst op src|imm goto pc+off}, 64-bit (JMP) or 32-bit (JMP32) comparison.
     *
     * @param op     the comparison (not JA)
     * @param source immediate (K) or register (X) operand
     * @param narrow true for JMP32, false for JMP
     */
    record Jump(JmpOp op, Source source, boolean narrow) implements Operation {
        /** Requires a conditional operation. */
        public Jump {
            Objects.requireNonNull(op);
            Objects.requireNonNull(source);
            if (!op.isConditional()) {
                throw new IllegalArgumentException("JA is Operation.Goto or Operation.GotoLong");
            }
        }

        @Override
        public int opcode() {
            return op.bits() | source.bits() | (narrow ? OpClass.JMP32 : OpClass.JMP).bits();
        }
    }

    /** {@code goto pc+off} ({@code BPF_JMP | BPF_JA}). */
    record Goto() implements Operation {
        @Override
        public int opcode() {
            return 0x05;
        }
    }

    /** {@code gotol pc+imm} ({@code BPF_JMP32 | BPF_JA}): the target offset is the 32-bit immediate. */
    record GotoLong() implements Operation {
        @Override
        public int opcode() {
            return 0x06;
        }
    }

    /** Kernel extension {@code gotox dst} ({@code BPF_JMP | BPF_JA | BPF_X}): indirect jump. */
    record GotoIndirect() implements Operation {
        @Override
        public int opcode() {
            return 0x0d;
        }
    }

    /** Kernel extension {@code may_goto pc+off} ({@code BPF_JMP | BPF_JCOND}, src {@code BPF_MAY_GOTO}). */
    record MayGoto() implements Operation {
        @Override
        public int opcode() {
            return 0xe5;
        }
    }

    /**
     * {@code call imm} ({@code BPF_JMP | BPF_CALL}): helper, local function or kfunc.
     *
     * @param kind what imm names, the src field
     */
    record Call(CallKind kind) implements Operation {
        /** Requires a kind. */
        public Call {
            Objects.requireNonNull(kind);
        }

        @Override
        public int opcode() {
            return 0x85;
        }
    }

    /**
     * {@code callx dst} ({@code BPF_JMP | BPF_CALL | BPF_X}): call the helper whose id is in dst. Not in
     * RFC 9669 nor Linux; used by the bpf_conformance suite.
     */
    record CallRegister() implements Operation {
        @Override
        public int opcode() {
            return 0x8d;
        }
    }

    /** {@code exit} ({@code BPF_JMP | BPF_EXIT}). */
    record Exit() implements Operation {
        @Override
        public int opcode() {
            return 0x95;
        }
    }

    /**
     * {@code dst = *(size *)(src + off)}, zero- or sign-extending ({@code BPF_LDX | BPF_MEM/BPF_MEMSX}).
     *
     * @param size   the access size
     * @param signed true for BPF_MEMSX (B, H, W only)
     */
    record Load(Size size, boolean signed) implements Operation {
        /** Rejects a sign-extending DW load. */
        public Load {
            Objects.requireNonNull(size);
            if (signed && size == Size.DW) {
                throw new IllegalArgumentException("no sign-extending DW load");
            }
        }

        @Override
        public int opcode() {
            return (signed ? Mode.MEMSX : Mode.MEM).bits() | size.bits() | OpClass.LDX.bits();
        }
    }

    /**
     * {@code *(size *)(dst + off) = src} ({@code BPF_STX | BPF_MEM}).
     *
     * @param size the access size
     */
    record Store(Size size) implements Operation {
        /** Requires a size. */
        public Store {
            Objects.requireNonNull(size);
        }

        @Override
        public int opcode() {
            return Mode.MEM.bits() | size.bits() | OpClass.STX.bits();
        }
    }

    /**
     * {@code *(size *)(dst + off) = imm} ({@code BPF_ST | BPF_MEM}).
     *
     * @param size the access size
     */
    record StoreImm(Size size) implements Operation {
        /** Requires a size. */
        public StoreImm {
            Objects.requireNonNull(size);
        }

        @Override
        public int opcode() {
            return Mode.MEM.bits() | size.bits() | OpClass.ST.bits();
        }
    }

    /**
     * Atomic read-modify-write of {@code *(size *)(dst + off)} ({@code BPF_STX | BPF_ATOMIC}); the kind is in imm.
     *
     * @param size the access size (W or DW; any for load-acquire and store-release)
     * @param op   the atomic operation
     */
    record Atomic(Size size, AtomicOp op) implements Operation {
        /** Rejects sizes the operation lacks. */
        public Atomic {
            Objects.requireNonNull(size);
            Objects.requireNonNull(op);
            if (!op.allowsAllSizes() && size != Size.W && size != Size.DW) {
                throw new IllegalArgumentException("atomic " + op + " needs size W or DW");
            }
        }

        @Override
        public int opcode() {
            return Mode.ATOMIC.bits() | size.bits() | OpClass.STX.bits();
        }
    }

    /**
     * {@code dst = imm64} ({@code BPF_LD | BPF_IMM | BPF_DW}), two slots; the src kind says what imm64 means.
     *
     * @param pseudo the src field kind
     */
    record LoadImm64(Pseudo pseudo) implements Operation {
        /** Requires a kind. */
        public LoadImm64 {
            Objects.requireNonNull(pseudo);
        }

        @Override
        public int opcode() {
            return 0x18;
        }
    }

    /**
     * Legacy packet load into r0 ({@code BPF_LD | BPF_ABS} or, if indirect, {@code BPF_LD | BPF_IND}).
     *
     * @param indirect true for BPF_IND (offset src + imm), false for BPF_ABS (offset imm)
     * @param size     the access size (not DW)
     */
    record LoadPacket(boolean indirect, Size size) implements Operation {
        /** Rejects DW. */
        public LoadPacket {
            Objects.requireNonNull(size);
            if (size == Size.DW) {
                throw new IllegalArgumentException("no DW packet load");
            }
        }

        @Override
        public int opcode() {
            return (indirect ? Mode.IND : Mode.ABS).bits() | size.bits() | OpClass.LD.bits();
        }
    }

    /** Kernel-internal speculation barrier {@code nospec} ({@code BPF_ST | BPF_NOSPEC}, 0xc2). */
    record NoSpec() implements Operation {
        @Override
        public int opcode() {
            return 0xc2;
        }
    }
}
