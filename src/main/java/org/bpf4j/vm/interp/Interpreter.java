package org.bpf4j.vm.interp;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Size;
import org.bpf4j.asm.SwapOp;
import org.bpf4j.vm.Executable;
import org.bpf4j.vm.Helpers;
import org.bpf4j.vm.LinkedProgram;
import org.bpf4j.vm.Machine;
import org.bpf4j.vm.Memory;
import org.bpf4j.vm.Ops;
import org.bpf4j.vm.VmFault;

/**
 * The reference engine: RFC 9669 semantics over a decoded form of the program (parallel arrays of code,
 * registers, offset, immediate and target), one {@code switch} per instruction. Every memory access goes
 * through {@link Memory}'s checked accessors; local calls push a frame (r1-r10 saved, a fresh 512-byte stack
 * frame below the caller's).
 */
public final class Interpreter implements Executable {
    // internal codes: the opcode byte, plus 0x100 times a selector for operations that share an opcode
    private static final int SIGNED = 0x100, SX8 = 0x200, SX16 = 0x300, SX32 = 0x400, CALL_LOCAL = 0x185, END = -1;

    private final int[] code;
    private final byte[] dst;
    private final byte[] src;
    private final short[] off;
    private final long[] imm;
    private final int[] target;

    private Interpreter(LinkedProgram p) {
        int n = p.size();
        // one slot more than instructions: a sentinel that faults when execution runs off the end
        code = new int[n + 1];
        dst = new byte[n + 1];
        src = new byte[n + 1];
        off = new short[n + 1];
        imm = new long[n + 1];
        target = java.util.Arrays.copyOf(p.targets(), n + 1);
        code[n] = END;
        for (int i = 0; i < n; i++) {
            Instruction insn = p.instructions().get(i);
            dst[i] = (byte) insn.dst().index();
            src[i] = (byte) insn.src().index();
            off[i] = (short) insn.offset();
            imm[i] = insn.imm();
            code[i] = codeOf(insn);
            if (insn.op() instanceof Operation.LoadImm64) imm[i] = p.constants()[i];
            if (insn.op() instanceof Operation.Atomic a) imm[i] = a.op().imm();
        }
    }

    /** Decodes {@code program} for interpretation. */
    public static Interpreter of(LinkedProgram program) {
        return new Interpreter(program);
    }

    private static int codeOf(Instruction insn) {
        int opcode = insn.opcode();
        return switch (insn.op()) {
            case Operation.Alu a -> opcode + switch (a.op()) {
                case SDIV, SMOD -> SIGNED;
                case MOVSX8 -> SX8;
                case MOVSX16 -> SX16;
                case MOVSX32 -> SX32;
                default -> 0;
            };
            case Operation.Swap s -> s.op().opcode() + 0x100 * switch ((int) insn.imm()) {
                case 16 -> 1;
                case 32 -> 2;
                default -> 3;
            };
            case Operation.GotoLong g -> 0x05;
            case Operation.Call c -> switch (c.kind()) {
                case LOCAL -> CALL_LOCAL;
                default -> 0x85;
            };
            case Operation.Atomic a when a.op() == AtomicOp.LOAD_ACQUIRE -> new Operation.Load(a.size(), false).opcode();
            case Operation.Atomic a when a.op() == AtomicOp.STORE_RELEASE -> new Operation.Store(a.size()).opcode();
            case Operation.NoSpec n -> 0x05;
            default -> opcode;
        };
    }

    @Override
    public long execute(Machine m, long r1, long r2) {
        long[] r = new long[16]; // 16, and register numbers masked with 15: the JVM drops the bounds checks
        r[1] = r1;
        r[2] = r2;
        r[10] = m.stackTop();
        final Memory mem = m.memory();
        final int[] code = this.code;
        final byte[] dst = this.dst, src = this.src;
        final short[] off = this.off;
        final long[] imm = this.imm;
        final int[] target = this.target;
        int[] returnTo = null;
        long[] saved = null;
        int depth = 0;
        int pc = 0;
        int last = -1;
        while (true) {
            final int i = pc++;
            if (i <= last) m.iteration(last); // a backward jump: one loop iteration of the run's budget
            last = i;
            switch (code[i]) {
                // ---- ALU64, immediate ----
                case 0x07 -> r[dst[i] & 15] += imm[i];
                case 0x17 -> r[dst[i] & 15] -= imm[i];
                case 0x27 -> r[dst[i] & 15] *= imm[i];
                case 0x37 -> r[dst[i] & 15] = Ops.udiv64(r[dst[i] & 15], imm[i]);
                case 0x37 + SIGNED -> r[dst[i] & 15] = Ops.sdiv64(r[dst[i] & 15], imm[i]);
                case 0x47 -> r[dst[i] & 15] |= imm[i];
                case 0x57 -> r[dst[i] & 15] &= imm[i];
                case 0x67 -> r[dst[i] & 15] <<= imm[i];
                case 0x77 -> r[dst[i] & 15] >>>= imm[i];
                case 0x87 -> r[dst[i] & 15] = -r[dst[i] & 15];
                case 0x97 -> r[dst[i] & 15] = Ops.umod64(r[dst[i] & 15], imm[i]);
                case 0x97 + SIGNED -> r[dst[i] & 15] = Ops.smod64(r[dst[i] & 15], imm[i]);
                case 0xa7 -> r[dst[i] & 15] ^= imm[i];
                case 0xb7 -> r[dst[i] & 15] = imm[i];
                case 0xc7 -> r[dst[i] & 15] >>= imm[i];
                // ---- ALU64, register ----
                case 0x0f -> r[dst[i] & 15] += r[src[i] & 15];
                case 0x1f -> r[dst[i] & 15] -= r[src[i] & 15];
                case 0x2f -> r[dst[i] & 15] *= r[src[i] & 15];
                case 0x3f -> r[dst[i] & 15] = Ops.udiv64(r[dst[i] & 15], r[src[i] & 15]);
                case 0x3f + SIGNED -> r[dst[i] & 15] = Ops.sdiv64(r[dst[i] & 15], r[src[i] & 15]);
                case 0x4f -> r[dst[i] & 15] |= r[src[i] & 15];
                case 0x5f -> r[dst[i] & 15] &= r[src[i] & 15];
                case 0x6f -> r[dst[i] & 15] <<= r[src[i] & 15];
                case 0x7f -> r[dst[i] & 15] >>>= r[src[i] & 15];
                case 0x9f -> r[dst[i] & 15] = Ops.umod64(r[dst[i] & 15], r[src[i] & 15]);
                case 0x9f + SIGNED -> r[dst[i] & 15] = Ops.smod64(r[dst[i] & 15], r[src[i] & 15]);
                case 0xaf -> r[dst[i] & 15] ^= r[src[i] & 15];
                case 0xbf -> r[dst[i] & 15] = r[src[i] & 15];
                case 0xbf + SX8 -> r[dst[i] & 15] = (byte) r[src[i] & 15];
                case 0xbf + SX16 -> r[dst[i] & 15] = (short) r[src[i] & 15];
                case 0xbf + SX32 -> r[dst[i] & 15] = (int) r[src[i] & 15];
                case 0xcf -> r[dst[i] & 15] >>= r[src[i] & 15];
                // ---- ALU32, immediate ----
                case 0x04 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] + (int) imm[i]) & 0xffffffffL;
                case 0x14 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] - (int) imm[i]) & 0xffffffffL;
                case 0x24 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] * (int) imm[i]) & 0xffffffffL;
                case 0x34 -> r[dst[i] & 15] = Ops.udiv32(r[dst[i] & 15], imm[i]);
                case 0x34 + SIGNED -> r[dst[i] & 15] = Ops.sdiv32(r[dst[i] & 15], imm[i]);
                case 0x44 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] | (int) imm[i]) & 0xffffffffL;
                case 0x54 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] & (int) imm[i]) & 0xffffffffL;
                case 0x64 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] << (int) imm[i]) & 0xffffffffL;
                case 0x74 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] >>> (int) imm[i]) & 0xffffffffL;
                case 0x84 -> r[dst[i] & 15] = (-(int) r[dst[i] & 15]) & 0xffffffffL;
                case 0x94 -> r[dst[i] & 15] = Ops.umod32(r[dst[i] & 15], imm[i]);
                case 0x94 + SIGNED -> r[dst[i] & 15] = Ops.smod32(r[dst[i] & 15], imm[i]);
                case 0xa4 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] ^ (int) imm[i]) & 0xffffffffL;
                case 0xb4 -> r[dst[i] & 15] = imm[i] & 0xffffffffL;
                case 0xc4 -> r[dst[i] & 15] = ((int) r[dst[i] & 15] >> (int) imm[i]) & 0xffffffffL;
                // ---- ALU32, register ----
                case 0x0c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] + (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x1c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] - (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x2c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] * (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x3c -> r[dst[i] & 15] = Ops.udiv32(r[dst[i] & 15], r[src[i] & 15]);
                case 0x3c + SIGNED -> r[dst[i] & 15] = Ops.sdiv32(r[dst[i] & 15], r[src[i] & 15]);
                case 0x4c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] | (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x5c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] & (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x6c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] << (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x7c -> r[dst[i] & 15] = ((int) r[dst[i] & 15] >>> (int) r[src[i] & 15]) & 0xffffffffL;
                case 0x9c -> r[dst[i] & 15] = Ops.umod32(r[dst[i] & 15], r[src[i] & 15]);
                case 0x9c + SIGNED -> r[dst[i] & 15] = Ops.smod32(r[dst[i] & 15], r[src[i] & 15]);
                case 0xac -> r[dst[i] & 15] = ((int) r[dst[i] & 15] ^ (int) r[src[i] & 15]) & 0xffffffffL;
                case 0xbc -> r[dst[i] & 15] = r[src[i] & 15] & 0xffffffffL;
                case 0xbc + SX8 -> r[dst[i] & 15] = (byte) r[src[i] & 15] & 0xffffffffL;
                case 0xbc + SX16 -> r[dst[i] & 15] = (short) r[src[i] & 15] & 0xffffffffL;
                case 0xcc -> r[dst[i] & 15] = ((int) r[dst[i] & 15] >> (int) r[src[i] & 15]) & 0xffffffffL;
                // ---- byte swaps: to little endian is a truncation on this (little-endian) VM ----
                case 0x1d4 -> r[dst[i] & 15] &= 0xffffL;
                case 0x2d4 -> r[dst[i] & 15] &= 0xffffffffL;
                case 0x3d4 -> { }
                case 0x1dc, 0x1d7 -> r[dst[i] & 15] = Ops.swap(r[dst[i] & 15], 16);
                case 0x2dc, 0x2d7 -> r[dst[i] & 15] = Ops.swap(r[dst[i] & 15], 32);
                case 0x3dc, 0x3d7 -> r[dst[i] & 15] = Ops.swap(r[dst[i] & 15], 64);
                // ---- lddw ----
                case 0x18 -> r[dst[i] & 15] = imm[i];
                // ---- loads ----
                case 0x61 -> r[dst[i] & 15] = Memory.load32(mem, r[src[i] & 15] + off[i], i);
                case 0x69 -> r[dst[i] & 15] = Memory.load(mem, r[src[i] & 15] + off[i], 2, i);
                case 0x71 -> r[dst[i] & 15] = Memory.load(mem, r[src[i] & 15] + off[i], 1, i);
                case 0x79 -> r[dst[i] & 15] = Memory.load64(mem, r[src[i] & 15] + off[i], i);
                case 0x81 -> r[dst[i] & 15] = Memory.loadSigned(mem, r[src[i] & 15] + off[i], 4, i);
                case 0x89 -> r[dst[i] & 15] = Memory.loadSigned(mem, r[src[i] & 15] + off[i], 2, i);
                case 0x91 -> r[dst[i] & 15] = Memory.loadSigned(mem, r[src[i] & 15] + off[i], 1, i);
                // ---- stores ----
                case 0x62 -> Memory.store32(mem, r[dst[i] & 15] + off[i], imm[i], i);
                case 0x6a -> Memory.store(mem, r[dst[i] & 15] + off[i], 2, imm[i], i);
                case 0x72 -> Memory.store(mem, r[dst[i] & 15] + off[i], 1, imm[i], i);
                case 0x7a -> Memory.store64(mem, r[dst[i] & 15] + off[i], imm[i], i);
                case 0x63 -> Memory.store32(mem, r[dst[i] & 15] + off[i], r[src[i] & 15], i);
                case 0x6b -> Memory.store(mem, r[dst[i] & 15] + off[i], 2, r[src[i] & 15], i);
                case 0x73 -> Memory.store(mem, r[dst[i] & 15] + off[i], 1, r[src[i] & 15], i);
                case 0x7b -> Memory.store64(mem, r[dst[i] & 15] + off[i], r[src[i] & 15], i);
                // ---- atomics ----
                case 0xc3, 0xdb -> {
                    int size = code[i] == 0xc3 ? 4 : 8;
                    long addr = r[dst[i] & 15] + off[i];
                    int op = (int) imm[i];
                    if (op == AtomicOp.CMPXCHG.imm()) {
                        r[0] = Memory.compareExchange(mem, addr, size, r[0], r[src[i] & 15], i);
                    } else {
                        long old = Memory.atomic(mem, addr, size, op, r[src[i] & 15], i);
                        if ((op & 1) != 0) r[src[i] & 15] = old;
                    }
                }
                // ---- jumps ----
                case 0x05 -> pc = target[i];
                case 0x15 -> { if (r[dst[i] & 15] == imm[i]) pc = target[i]; }
                case 0x1d -> { if (r[dst[i] & 15] == r[src[i] & 15]) pc = target[i]; }
                case 0x25 -> { if (Long.compareUnsigned(r[dst[i] & 15], imm[i]) > 0) pc = target[i]; }
                case 0x2d -> { if (Long.compareUnsigned(r[dst[i] & 15], r[src[i] & 15]) > 0) pc = target[i]; }
                case 0x35 -> { if (Long.compareUnsigned(r[dst[i] & 15], imm[i]) >= 0) pc = target[i]; }
                case 0x3d -> { if (Long.compareUnsigned(r[dst[i] & 15], r[src[i] & 15]) >= 0) pc = target[i]; }
                case 0x45 -> { if ((r[dst[i] & 15] & imm[i]) != 0) pc = target[i]; }
                case 0x4d -> { if ((r[dst[i] & 15] & r[src[i] & 15]) != 0) pc = target[i]; }
                case 0x55 -> { if (r[dst[i] & 15] != imm[i]) pc = target[i]; }
                case 0x5d -> { if (r[dst[i] & 15] != r[src[i] & 15]) pc = target[i]; }
                case 0x65 -> { if (r[dst[i] & 15] > imm[i]) pc = target[i]; }
                case 0x6d -> { if (r[dst[i] & 15] > r[src[i] & 15]) pc = target[i]; }
                case 0x75 -> { if (r[dst[i] & 15] >= imm[i]) pc = target[i]; }
                case 0x7d -> { if (r[dst[i] & 15] >= r[src[i] & 15]) pc = target[i]; }
                case 0xa5 -> { if (Long.compareUnsigned(r[dst[i] & 15], imm[i]) < 0) pc = target[i]; }
                case 0xad -> { if (Long.compareUnsigned(r[dst[i] & 15], r[src[i] & 15]) < 0) pc = target[i]; }
                case 0xb5 -> { if (Long.compareUnsigned(r[dst[i] & 15], imm[i]) <= 0) pc = target[i]; }
                case 0xbd -> { if (Long.compareUnsigned(r[dst[i] & 15], r[src[i] & 15]) <= 0) pc = target[i]; }
                case 0xc5 -> { if (r[dst[i] & 15] < imm[i]) pc = target[i]; }
                case 0xcd -> { if (r[dst[i] & 15] < r[src[i] & 15]) pc = target[i]; }
                case 0xd5 -> { if (r[dst[i] & 15] <= imm[i]) pc = target[i]; }
                case 0xdd -> { if (r[dst[i] & 15] <= r[src[i] & 15]) pc = target[i]; }
                // ---- 32-bit jumps ----
                case 0x16 -> { if ((int) r[dst[i] & 15] == (int) imm[i]) pc = target[i]; }
                case 0x1e -> { if ((int) r[dst[i] & 15] == (int) r[src[i] & 15]) pc = target[i]; }
                case 0x26 -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) imm[i]) > 0) pc = target[i]; }
                case 0x2e -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) r[src[i] & 15]) > 0) pc = target[i]; }
                case 0x36 -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) imm[i]) >= 0) pc = target[i]; }
                case 0x3e -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) r[src[i] & 15]) >= 0) pc = target[i]; }
                case 0x46 -> { if (((int) r[dst[i] & 15] & (int) imm[i]) != 0) pc = target[i]; }
                case 0x4e -> { if (((int) r[dst[i] & 15] & (int) r[src[i] & 15]) != 0) pc = target[i]; }
                case 0x56 -> { if ((int) r[dst[i] & 15] != (int) imm[i]) pc = target[i]; }
                case 0x5e -> { if ((int) r[dst[i] & 15] != (int) r[src[i] & 15]) pc = target[i]; }
                case 0x66 -> { if ((int) r[dst[i] & 15] > (int) imm[i]) pc = target[i]; }
                case 0x6e -> { if ((int) r[dst[i] & 15] > (int) r[src[i] & 15]) pc = target[i]; }
                case 0x76 -> { if ((int) r[dst[i] & 15] >= (int) imm[i]) pc = target[i]; }
                case 0x7e -> { if ((int) r[dst[i] & 15] >= (int) r[src[i] & 15]) pc = target[i]; }
                case 0xa6 -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) imm[i]) < 0) pc = target[i]; }
                case 0xae -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) r[src[i] & 15]) < 0) pc = target[i]; }
                case 0xb6 -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) imm[i]) <= 0) pc = target[i]; }
                case 0xbe -> { if (Integer.compareUnsigned((int) r[dst[i] & 15], (int) r[src[i] & 15]) <= 0) pc = target[i]; }
                case 0xc6 -> { if ((int) r[dst[i] & 15] < (int) imm[i]) pc = target[i]; }
                case 0xce -> { if ((int) r[dst[i] & 15] < (int) r[src[i] & 15]) pc = target[i]; }
                case 0xd6 -> { if ((int) r[dst[i] & 15] <= (int) imm[i]) pc = target[i]; }
                case 0xde -> { if ((int) r[dst[i] & 15] <= (int) r[src[i] & 15]) pc = target[i]; }
                // ---- calls and exit ----
                case 0x85, 0x8d -> {
                    int id = code[i] == 0x85 ? (int) imm[i] : (int) r[dst[i] & 15];
                    r[0] = Helpers.call(m, id, r[1], r[2], r[3], r[4], r[5], i);
                    if (m.tailCallPending()) return m.finishTailCall();
                }
                case CALL_LOCAL -> {
                    if (depth + 1 >= Machine.MAX_FRAMES) throw new VmFault(i, "call stack too deep (more than " + Machine.MAX_FRAMES + " frames)");
                    if (returnTo == null) {
                        returnTo = new int[Machine.MAX_FRAMES];
                        saved = new long[Machine.MAX_FRAMES * 10];
                    }
                    // the callee gets r1-r5 and a fresh frame; the caller gets back r1-r9 as they were (r1-r5 are
                    // undefined after a call, and keeping them is what the JIT's separate methods do too)
                    returnTo[depth] = pc;
                    System.arraycopy(r, 1, saved, depth * 10, 10);
                    depth++;
                    r[0] = r[6] = r[7] = r[8] = r[9] = 0;
                    r[10] -= Machine.FRAME_SIZE;
                    pc = target[i];
                }
                case 0x95 -> {
                    if (depth == 0) return r[0];
                    depth--;
                    System.arraycopy(saved, depth * 10, r, 1, 10);
                    pc = returnTo[depth];
                }
                case END -> throw new VmFault(i - 1, "execution ran past the last instruction");
                default -> throw new VmFault(i, "the interpreter cannot run opcode 0x" + Integer.toHexString(code[i]));
            }
        }
    }

    /** The number of instructions. */
    public int size() { return code.length - 1; }

    static {
        // the codes above assume these encodings; fail fast if the asm model ever changes them
        assert new Operation.Load(Size.W, false).opcode() == 0x61 && SwapOp.LE.opcode() == 0xd4 && AluOp.SDIV.offset() == 1;
    }
}
