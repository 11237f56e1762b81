package org.bpf4j.vm;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.asm.SwapOp;

import java.util.Random;

/**
 * Random eBPF programs for differential tests. r9 holds the context pointer and r10 the stack; r0-r8 start
 * as numbers (constants or bytes of the context); r0-r5 are the working registers, r6 and r7 the scratch of
 * variable-offset accesses, r8 a loop counter. Jumps go forward, plus an optional counted loop, so every
 * program ends. With {@code guarded}, memory offsets are sometimes masked or compared first (so that some are
 * provably in bounds and the verifier accepts them) and sometimes not.
 */
public final class RandomPrograms {
    public static final int CONTEXT = 64;
    /** The hash map the programs look values up in: keys 1 and 2 of 0-3 are there ({@link #fill}). */
    public static final org.bpf4j.map.MapSpec VALUES = org.bpf4j.map.MapSpec.of("vals", org.bpf4j.map.MapType.HASH, 4, 16, 8);
    private static final int VALUE_SLOT = -72;
    private static final AluOp[] ALU = {AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.SDIV, AluOp.OR, AluOp.AND,
            AluOp.LSH, AluOp.RSH, AluOp.NEG, AluOp.MOD, AluOp.SMOD, AluOp.XOR, AluOp.MOV, AluOp.ARSH};
    private static final JmpOp[] JMP = {JmpOp.JEQ, JmpOp.JGT, JmpOp.JGE, JmpOp.JSET, JmpOp.JNE, JmpOp.JSGT, JmpOp.JSGE,
            JmpOp.JLT, JmpOp.JLE, JmpOp.JSLT, JmpOp.JSLE};
    private static final Size[] SIZES = Size.values();

    private final Random rnd;
    private final boolean guarded;
    private final boolean stackOnly;
    private final Program.Builder b = Program.builder();
    private int labels;

    private RandomPrograms(long seed, boolean guarded, boolean stackOnly) {
        this.rnd = new Random(seed);
        this.guarded = guarded;
        this.stackOnly = stackOnly;
    }

    /** A random program from {@code seed}. */
    public static Program generate(long seed, boolean guarded) {
        return new RandomPrograms(seed, guarded, false).program();
    }

    /** A random program that touches only the stack (r9 = r10), for comparing with the kernel's verifier. */
    public static Program stackOnly(long seed) {
        return new RandomPrograms(seed, true, true).program();
    }

    /** A random context. */
    public static byte[] context(long seed) {
        byte[] ctx = new byte[CONTEXT];
        new Random(seed ^ 0x5eed).nextBytes(ctx);
        return ctx;
    }

    /** A number register to read: r0-r5 or the loop counter r8 (r6, r7 are the memory sequence's scratch). */
    private Reg reg() {
        int r = rnd.nextInt(7);
        return Reg.of(r == 6 ? 8 : r);
    }

    private int imm() {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(8);
            case 1 -> -rnd.nextInt(8);
            case 2 -> Integer.MIN_VALUE;
            case 3 -> 1 << rnd.nextInt(32);
            default -> rnd.nextInt();
        };
    }

    private Program program() {
        b.mov64(Reg.R9, stackOnly ? Reg.R10 : Reg.R1);
        if (stackOnly) for (int k = 1; k <= 8; k++) b.st(Size.DW, Reg.R10, -8 * k, rnd.nextInt());
        for (int r = 0; r <= 8; r++) {
            if (rnd.nextBoolean() || stackOnly && rnd.nextBoolean()) b.lddw(Reg.of(r), rnd.nextLong());
            else if (stackOnly) b.ldx(Size.DW, Reg.of(r), Reg.R9, -8 - 8 * rnd.nextInt(8));
            else b.ldx(Size.DW, Reg.of(r), Reg.R9, 8 * rnd.nextInt(CONTEXT / 8));
        }
        // the stack's first 64 bytes are written, so that reads of them are defined
        for (int k = 1; k <= 8; k++) b.stx(Size.DW, Reg.R10, -8 * k, reg());
        if (!stackOnly) {
            // a map value (or null) kept at r10-72: looked up with a key that may be missing
            b.st(Size.W, Reg.R10, -76, rnd.nextInt(4)).loadMapFd(Reg.R1, "vals").mov64(Reg.R2, Reg.R10).alu64(AluOp.ADD, Reg.R2, -76)
                    .call(org.bpf4j.asm.Helper.MAP_LOOKUP_ELEM).stx(Size.DW, Reg.R10, VALUE_SLOT, Reg.R0);
            for (int r = 0; r <= 5; r++) b.lddw(Reg.of(r), rnd.nextLong());
        }
        int n = 10 + rnd.nextInt(40);
        boolean loop = rnd.nextInt(4) == 0;
        if (loop) {
            b.mov64(Reg.R8, 0).label("loop");
        }
        for (int i = 0; i < n; i++) statement();
        if (loop) {
            b.alu64(AluOp.ADD, Reg.R8, 1).jmp(JmpOp.JLT, Reg.R8, 1 + rnd.nextInt(20), "loop");
        }
        if (rnd.nextInt(3) == 0) {
            // a local call: the callee works on r1-r5 and a stack slot of its own frame, and returns in r0
            b.callLocal("f").exit().label("f");
            b.stx(Size.DW, Reg.R10, -8, Reg.R1).mov64(Reg.R0, Reg.R2);
            for (int i = 0; i < 3; i++) {
                AluOp op = ALU[rnd.nextInt(ALU.length)];
                if (op == AluOp.NEG) b.neg64(Reg.R0); else b.alu64(op, Reg.R0, Reg.of(1 + rnd.nextInt(5)));
            }
            b.ldx(Size.DW, Reg.R1, Reg.R10, -8).alu64(AluOp.XOR, Reg.R0, Reg.R1);
        }
        return b.exit().build();
    }

    private void statement() {
        int k = rnd.nextInt(100);
        Reg d = Reg.of(rnd.nextInt(6)); // r8 is the loop counter
        if (k < 45) {
            AluOp op = ALU[rnd.nextInt(ALU.length)];
            boolean wide = rnd.nextBoolean();
            if (op == AluOp.NEG) {
                if (wide) b.neg64(d); else b.neg32(d);
            } else if (rnd.nextBoolean()) {
                if (wide) b.alu64(op, d, imm()); else b.alu32(op, d, imm());
            } else {
                if (wide) b.alu64(op, d, reg()); else b.alu32(op, d, reg());
            }
        } else if (k < 50) {
            AluOp op = new AluOp[] {AluOp.MOVSX8, AluOp.MOVSX16, AluOp.MOVSX32}[rnd.nextInt(3)];
            if (op == AluOp.MOVSX32 || rnd.nextBoolean()) b.alu64(op, d, reg()); else b.alu32(op, d, reg());
        } else if (k < 55) {
            b.swap(SwapOp.values()[rnd.nextInt(3)], d, new int[] {16, 32, 64}[rnd.nextInt(3)]);
        } else if (k < 70) {
            memory(d);
        } else if (k < 75) {
            AtomicOp op = new AtomicOp[] {AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.FETCH_ADD,
                    AtomicOp.FETCH_OR, AtomicOp.FETCH_AND, AtomicOp.FETCH_XOR, AtomicOp.XCHG, AtomicOp.CMPXCHG}[rnd.nextInt(10)];
            Size size = rnd.nextBoolean() ? Size.W : Size.DW;
            b.atomic(op, size, Reg.R10, -8 * (1 + rnd.nextInt(8)), d);
        } else {
            String skip = "l" + labels++;
            JmpOp op = JMP[rnd.nextInt(JMP.length)];
            boolean narrow = rnd.nextBoolean();
            if (rnd.nextBoolean()) {
                if (narrow) b.jmp32(op, d, imm(), skip); else b.jmp(op, d, imm(), skip);
            } else {
                if (narrow) b.jmp32(op, d, reg(), skip); else b.jmp(op, d, reg(), skip);
            }
            int body = 1 + rnd.nextInt(4);
            for (int i = 0; i < body; i++) statement();
            b.label(skip);
        }
    }

    /** A load or store through the context or the stack, at a fixed or a variable offset. */
    private void memory(Reg d) {
        Size size = SIZES[rnd.nextInt(SIZES.length)];
        if (!stackOnly && rnd.nextInt(3) == 0) {
            mapValue(d, size);
            return;
        }
        boolean stack = stackOnly || rnd.nextBoolean();
        Reg base = stack ? Reg.R10 : Reg.R9;
        int limit = stack ? 64 : CONTEXT;
        if (!guarded || rnd.nextInt(3) == 0) {
            int off = (stack ? -limit : 0) + rnd.nextInt(limit - size.bytes() + 1);
            if (!guarded && rnd.nextInt(10) == 0) off += 64; // now and then out of bounds
            access(size, d, base, off);
            return;
        }
        // base + (index bounded by a mask or a comparison)
        Reg idx = Reg.R7, ptr = Reg.R6;
        b.mov64(idx, reg());
        String out = "m" + labels++;
        if (rnd.nextBoolean()) {
            b.alu64(AluOp.AND, idx, rnd.nextInt(limit));
        } else {
            b.jmp(rnd.nextBoolean() ? JmpOp.JGT : JmpOp.JGE, idx, rnd.nextInt(limit), out);
        }
        b.mov64(ptr, base);
        if (stack) b.alu64(AluOp.ADD, ptr, -limit);
        b.alu64(AluOp.ADD, ptr, idx);
        access(size, d, ptr, 0);
        b.label(out);
    }

    /** An access to the looked-up value: null-checked and in bounds when guarded, and now and then not. */
    private void mapValue(Reg d, Size size) {
        Reg ptr = Reg.R6;
        b.ldx(Size.DW, ptr, Reg.R10, VALUE_SLOT);
        String out = "v" + labels++;
        if (guarded || rnd.nextInt(4) != 0) b.jmp(JmpOp.JEQ, ptr, 0, out);
        int off = rnd.nextInt(VALUES.valueSize() - size.bytes() + 1);
        if (!guarded && rnd.nextInt(5) == 0) off += 8; // now and then past the value
        access(size, d, ptr, off);
        b.label(out);
    }

    /** Puts keys 1 and 2 in the map {@code vals}. */
    public static void fill(org.bpf4j.map.BpfMap vals) {
        vals.put(org.bpf4j.vm.Bytes.u32(1), new byte[16]);
        vals.put(org.bpf4j.vm.Bytes.u32(2), new byte[16]);
    }

    private void access(Size size, Reg d, Reg base, int off) {
        switch (rnd.nextInt(3)) {
            case 0 -> b.ldx(size, d, base, off);
            case 1 -> b.stx(size, base, off, reg());
            default -> b.st(size, base, off, imm());
        }
    }
}
