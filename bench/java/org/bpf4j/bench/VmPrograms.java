package org.bpf4j.bench;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;

import java.util.Random;

/** The programs the VM benchmarks run: loop-heavy ones (with their executed instruction counts) and large ones. */
final class VmPrograms {
    private VmPrograms() {}

    static final int ITERATIONS = 10_000;

    /** A loop of arithmetic: 5 instructions per iteration. */
    static Program alu() {
        return Program.builder().mov64(Reg.R0, 0).mov64(Reg.R1, 0).mov64(Reg.R2, 1)
                .label("loop")
                .alu64(AluOp.ADD, Reg.R0, Reg.R1).alu64(AluOp.XOR, Reg.R0, Reg.R2).alu64(AluOp.MUL, Reg.R2, 3)
                .alu64(AluOp.ADD, Reg.R1, 1).jmp(JmpOp.JLT, Reg.R1, ITERATIONS, "loop")
                .exit().build();
    }

    /** A loop through the stack at a variable offset: 10 instructions per iteration. */
    static Program stack() {
        Program.Builder b = Program.builder();
        for (int k = 1; k <= 8; k++) b.st(Size.DW, Reg.R10, -8 * k, 0);
        return b.mov64(Reg.R0, 0).mov64(Reg.R1, 0)
                .label("loop")
                .mov64(Reg.R2, Reg.R1).alu64(AluOp.AND, Reg.R2, 7).alu64(AluOp.LSH, Reg.R2, 3)
                .mov64(Reg.R3, Reg.R10).alu64(AluOp.ADD, Reg.R3, -64).alu64(AluOp.ADD, Reg.R3, Reg.R2)
                .stx(Size.DW, Reg.R3, 0, Reg.R1).ldx(Size.DW, Reg.R4, Reg.R3, 0).alu64(AluOp.ADD, Reg.R0, Reg.R4)
                .alu64(AluOp.ADD, Reg.R1, 1).jmp(JmpOp.JLT, Reg.R1, ITERATIONS, "loop")
                .exit().build();
    }

    /** Instructions one run of {@code name} executes. */
    static long executed(String name) {
        return switch (name) {
            case "alu" -> 3 + 5L * ITERATIONS + 1;
            default -> 8 + 2 + 11L * ITERATIONS + 1;
        };
    }

    static Program named(String name) {
        return name.equals("alu") ? alu() : stack();
    }

    /**
     * A large program of about {@code size} instructions on unknown numbers: arithmetic, stack stores and loads,
     * and (with {@code branches}) bounds checks of r9 guarding stores (paths fork and join), ending in exit.
     */
    static Program large(int size, long seed, boolean branches) {
        Random rnd = new Random(seed);
        Program.Builder b = Program.builder();
        // unknown numbers to start from, so that both sides of the branches are explored
        for (int r = 6; r <= 9; r++) b.call(org.bpf4j.asm.Helper.GET_PRANDOM_U32).mov64(Reg.of(r), Reg.R0);
        for (int r = 0; r <= 5; r++) b.mov64(Reg.of(r), Reg.of(6 + r % 4)).alu64(AluOp.XOR, Reg.of(r), rnd.nextInt(1000));
        for (int k = 1; k <= 8; k++) b.st(Size.DW, Reg.R10, -8 * k, k);
        int n = 28, label = 0;
        while (n < size - 1) {
            int kind = rnd.nextInt(10);
            Reg d = Reg.of(rnd.nextInt(9)), s = Reg.of(rnd.nextInt(9));
            if (d == Reg.R0 || s == Reg.R0) continue; // r0 is the return value: keep it a number
            if (kind < 5) {
                AluOp op = new AluOp[] {AluOp.ADD, AluOp.SUB, AluOp.AND, AluOp.OR, AluOp.XOR, AluOp.MUL}[rnd.nextInt(6)];
                if (rnd.nextBoolean()) b.alu64(op, d, s); else b.alu32(op, d, rnd.nextInt(256));
                n++;
            } else if (kind < 7) {
                b.stx(Size.DW, Reg.R10, -8 * (1 + rnd.nextInt(8)), d);
                n++;
            } else if (kind < 9 || !branches) {
                b.ldx(Size.DW, d, Reg.R10, -8 * (1 + rnd.nextInt(8)));
                n++;
            } else {
                // a bounds check on the unknown r9 guarding a store to the stack, as generated code does
                String skip = "s" + label++;
                b.jmp(JmpOp.JGT, Reg.R9, rnd.nextInt(1 << 20), skip);
                b.stx(Size.DW, Reg.R10, -8 * (1 + rnd.nextInt(8)), s).alu64(AluOp.ADD, s, 1);
                b.label(skip);
                n += 3;
            }
        }
        return b.exit().build();
    }
}
