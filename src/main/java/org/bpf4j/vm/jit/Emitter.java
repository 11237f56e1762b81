package org.bpf4j.vm.jit;

import org.bpf4j.UserException;
import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Size;
import org.bpf4j.asm.Source;
import org.bpf4j.asm.SwapOp;
import org.bpf4j.vm.LinkedProgram;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.SwitchCase;
import java.util.List;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Emits one subprogram as a static method {@code long sub(Machine m, Memory mem, long r1, .., long r5, long r10)},
 * or, for a large subprogram, one chunk of it as {@code int chunk(Machine m, Memory mem, long[] regs, int pc)}.
 * Registers live in long locals; every instruction gets a label so that jumps are plain branches. A chunk
 * loads the registers from {@code regs} on entry (at any of its instructions, through a tableswitch) and stores
 * them back when it leaves: to another chunk (returning the instruction to go on at) or by exit (returning -1,
 * r0 in {@code regs[0]}). Chunks keep every method under HotSpot's limit for compiling huge methods.
 */
final class Emitter {
    static final ClassDesc CD_MEMORY = ClassDesc.of("org.bpf4j.vm.Memory");
    static final ClassDesc CD_OPS = ClassDesc.of("org.bpf4j.vm.Ops");
    static final ClassDesc CD_HELPERS = ClassDesc.of("org.bpf4j.vm.Helpers");
    static final ClassDesc CD_RUNTIME = ClassDesc.of("org.bpf4j.vm.jit.JitRuntime");
    static final MethodTypeDesc SUBPROGRAM = MethodTypeDesc.of(CD_long, JitCompiler.CD_MACHINE, CD_MEMORY,
            CD_long, CD_long, CD_long, CD_long, CD_long, CD_long);
    private static final MethodTypeDesc LL_L = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MEM_LOAD = MethodTypeDesc.of(CD_long, CD_MEMORY, CD_long, CD_int);
    private static final MethodTypeDesc MEM_LOAD_SIZED = MethodTypeDesc.of(CD_long, CD_MEMORY, CD_long, CD_int, CD_int);
    private static final MethodTypeDesc MEM_STORE = MethodTypeDesc.of(CD_void, CD_MEMORY, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MEM_STORE_SIZED = MethodTypeDesc.of(CD_void, CD_MEMORY, CD_long, CD_int, CD_long, CD_int);
    private static final MethodTypeDesc MEM_ATOMIC = MethodTypeDesc.of(CD_long, CD_MEMORY, CD_long, CD_int, CD_int, CD_long, CD_int);
    private static final MethodTypeDesc MEM_CMPXCHG = MethodTypeDesc.of(CD_long, CD_MEMORY, CD_long, CD_int, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc HELPER = MethodTypeDesc.of(CD_long, JitCompiler.CD_MACHINE, CD_int,
            CD_long, CD_long, CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc ENTER = MethodTypeDesc.of(CD_long, JitCompiler.CD_MACHINE, CD_long, CD_int);
    private static final MethodTypeDesc FAULT = MethodTypeDesc.of(ClassDesc.of("java.lang.RuntimeException"), CD_int, ClassDesc.of("java.lang.String"));
    private static final long U32 = 0xffffffffL;

    static final MethodTypeDesc CHUNK = MethodTypeDesc.of(CD_int, JitCompiler.CD_MACHINE, CD_MEMORY,
            CD_long.arrayType(), CD_int);
    /** Local slots of a whole subprogram: m, mem, then r1-r5 and r10 (parameters), then r0 and r6-r9. */
    private static final int[] SUB_SLOT = {14, 2, 4, 6, 8, 10, 16, 18, 20, 22, 12};
    /** Local slots of a chunk: m, mem, regs, pc, then r0-r10. */
    private static final int[] CHUNK_SLOT = {4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24};
    private static final int M = 0, MEM = 1, REGS = 2, PC = 3;

    private final LinkedProgram program;
    private final ClassDesc self;
    private final CodeBuilder code;
    private final int start, end, subStart, subEnd;
    private final boolean chunk;
    private final int[] slot;
    private final int tmp;
    private final Label[] labels;
    private final java.util.TreeMap<Integer, Label> leave = new java.util.TreeMap<>();

    /** An emitter of the whole subprogram [start, end). */
    Emitter(LinkedProgram program, ClassDesc self, CodeBuilder code, int start, int end) {
        this(program, self, code, start, end, start, end, false);
    }

    /** An emitter of the chunk [start, end) of the subprogram [subStart, subEnd). */
    Emitter(LinkedProgram program, ClassDesc self, CodeBuilder code, int start, int end, int subStart, int subEnd, boolean chunk) {
        this.program = program;
        this.self = self;
        this.code = code;
        this.start = start;
        this.end = end;
        this.subStart = subStart;
        this.subEnd = subEnd;
        this.chunk = chunk;
        this.slot = chunk ? CHUNK_SLOT : SUB_SLOT;
        this.tmp = chunk ? 26 : 24;
        this.labels = new Label[end - start];
        for (int i = 0; i < labels.length; i++) labels[i] = code.newLabel();
    }

    static String methodName(int start) {
        return "sub" + start;
    }

    static String chunkName(int start) {
        return "chunk" + start;
    }

    void emit() {
        if (chunk) {
            for (int r = 0; r <= 10; r++) {
                code.aload(REGS).loadConstant(r).laload();
                code.lstore(slot[r]);
            }
            Label bad = code.newLabel();
            List<SwitchCase> cases = new java.util.ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++) cases.add(SwitchCase.of(i, labels[i]));
            code.iload(PC).loadConstant(start).isub().tableswitch(0, labels.length - 1, bad, cases);
            code.labelBinding(bad);
            code.iload(PC).loadConstant("no instruction to enter here");
            code.invokestatic(CD_RUNTIME, "fault", FAULT).athrow();
        } else {
            for (int r : new int[] {0, 6, 7, 8, 9}) {
                code.lconst_0();
                code.lstore(slot[r]);
            }
        }
        for (int i = start; i < end; i++) {
            code.labelBinding(labels[i - start]);
            instruction(i, program.instructions().get(i));
        }
        if (chunk && end < subEnd) {
            goOn(end); // falling into the next chunk
        } else {
            code.loadConstant(end - 1).loadConstant("execution ran past the last instruction");
            code.invokestatic(CD_RUNTIME, "fault", FAULT).athrow();
        }
        for (var e : leave.entrySet()) {
            code.labelBinding(e.getValue());
            goOn(e.getKey());
        }
    }

    /** Leaves the chunk to go on at {@code pc} (-1: the subprogram returns regs[0]). */
    private void goOn(int pc) {
        for (int r = 0; r <= 10; r++) {
            code.aload(REGS).loadConstant(r);
            code.lload(slot[r]);
            code.lastore();
        }
        code.loadConstant(pc).ireturn();
    }

    private Label label(int i, int target) {
        if (target < subStart || target >= subEnd)
            throw new UserException("instruction " + i + ": jump to " + target + " leaves its subprogram; the JIT needs well-formed subprograms");
        if (target >= start && target < end) return labels[target - start];
        return leave.computeIfAbsent(target, t -> code.newLabel());
    }

    /** Returns r0 (on the operand stack as a long) from the subprogram. */
    private void returnLong() {
        if (!chunk) {
            code.lreturn();
            return;
        }
        code.lstore(slot[0]);
        goOn(-1);
    }

    private void load(int reg) { code.lload(slot[reg]); }

    private void store(int reg) { code.lstore(slot[reg]); }

    private void instruction(int i, Instruction insn) {
        int d = insn.dst().index(), s = insn.src().index();
        switch (insn.op()) {
            case Operation.Alu a -> alu(i, a, d, s, insn.imm());
            case Operation.Swap w -> {
                load(d);
                int bits = (int) insn.imm();
                if (w.op() == SwapOp.LE) {
                    if (bits != 64) code.loadConstant(bits == 16 ? 0xffffL : U32).land();
                } else {
                    code.loadConstant(bits).invokestatic(CD_OPS, "swap", MethodTypeDesc.of(CD_long, CD_long, CD_int));
                }
                store(d);
            }
            case Operation.LoadImm64 l -> {
                code.loadConstant(program.constants()[i]);
                store(d);
            }
            case Operation.Load l -> {
                address(s, insn.offset());
                memoryLoad(l.size(), l.signed(), i);
                store(d);
            }
            case Operation.Store st -> {
                address(d, insn.offset());
                load(s);
                memoryStore(st.size(), i);
            }
            case Operation.StoreImm st -> {
                address(d, insn.offset());
                code.loadConstant(insn.imm());
                memoryStore(st.size(), i);
            }
            case Operation.Atomic a -> atomic(i, a, d, s, insn.offset());
            case Operation.Goto g -> {
                backward(i);
                code.goto_(label(i, program.targets()[i]));
            }
            case Operation.GotoLong g -> {
                backward(i);
                code.goto_(label(i, program.targets()[i]));
            }
            case Operation.Jump j -> {
                backward(i);
                jump(i, j, d, s, insn.imm());
            }
            case Operation.Call c when c.kind() == CallKind.LOCAL -> {
                code.aload(M).aload(MEM);
                for (int r = 1; r <= 5; r++) load(r);
                code.aload(M);
                load(10);
                code.loadConstant(i).invokestatic(CD_RUNTIME, "enterFrame", ENTER);
                code.invokestatic(self, methodName(program.targets()[i]), SUBPROGRAM);
                store(0);
            }
            case Operation.Call c -> helper(i, () -> code.loadConstant((int) insn.imm()), (int) insn.imm() == 12);
            case Operation.CallRegister c -> helper(i, () -> {
                load(d);
                code.l2i();
            }, true);
            case Operation.Exit e -> {
                load(0);
                returnLong();
            }
            case Operation.NoSpec n -> { }
            default -> throw new UserException("instruction " + i + ": the JIT cannot compile " + insn.op());
        }
    }

    private void helper(int i, Runnable id, boolean mayTailCall) {
        code.aload(M);
        id.run();
        for (int r = 1; r <= 5; r++) load(r);
        code.loadConstant(i).invokestatic(CD_HELPERS, "call", HELPER);
        store(0);
        if (mayTailCall) {
            Label no = code.newLabel();
            code.aload(M).invokevirtual(JitCompiler.CD_MACHINE, "tailCallPending", MethodTypeDesc.of(CD_boolean)).ifeq(no);
            code.aload(M).invokevirtual(JitCompiler.CD_MACHINE, "finishTailCall", MethodTypeDesc.of(CD_long));
            returnLong();
            code.labelBinding(no);
        }
    }

    // ---- arithmetic ----

    private void alu(int i, Operation.Alu a, int d, int s, long imm) {
        boolean k = a.source() == Source.K;
        AluOp op = a.op();
        if (a.wide()) {
            switch (op) {
                case MOV -> operand64(k, s, imm);
                case MOVSX8 -> { load(s); code.l2i().i2b().i2l(); }
                case MOVSX16 -> { load(s); code.l2i().i2s().i2l(); }
                case MOVSX32 -> { load(s); code.l2i().i2l(); }
                case NEG -> { load(d); code.lneg(); }
                case ADD, SUB, MUL, OR, AND, XOR -> {
                    load(d);
                    operand64(k, s, imm);
                    switch (op) {
                        case ADD -> code.ladd();
                        case SUB -> code.lsub();
                        case MUL -> code.lmul();
                        case OR -> code.lor();
                        case AND -> code.land();
                        default -> code.lxor();
                    }
                }
                case LSH, RSH, ARSH -> {
                    load(d);
                    if (k) code.loadConstant((int) (imm & 63)); else { load(s); code.l2i(); }
                    switch (op) {
                        case LSH -> code.lshl();
                        case RSH -> code.lushr();
                        default -> code.lshr();
                    }
                }
                case DIV, MOD, SDIV, SMOD -> {
                    load(d);
                    operand64(k, s, imm);
                    code.invokestatic(CD_OPS, switch (op) {
                        case DIV -> "udiv64";
                        case MOD -> "umod64";
                        case SDIV -> "sdiv64";
                        default -> "smod64";
                    }, LL_L);
                }
                default -> throw new UserException("instruction " + i + ": the JIT cannot compile " + op.mnemonic());
            }
            store(d);
            return;
        }
        // 32-bit: compute on ints, then zero-extend
        switch (op) {
            case MOV -> {
                if (k) { code.loadConstant(imm & U32); store(d); return; }
                load(s); code.l2i();
            }
            case MOVSX8 -> { load(s); code.l2i().i2b(); }
            case MOVSX16 -> { load(s); code.l2i().i2s(); }
            case NEG -> { load(d); code.l2i().ineg(); }
            case ADD, SUB, MUL, OR, AND, XOR, LSH, RSH, ARSH -> {
                load(d);
                code.l2i();
                operand32(k, s, imm);
                switch (op) {
                    case ADD -> code.iadd();
                    case SUB -> code.isub();
                    case MUL -> code.imul();
                    case OR -> code.ior();
                    case AND -> code.iand();
                    case XOR -> code.ixor();
                    case LSH -> code.ishl();
                    case RSH -> code.iushr();
                    default -> code.ishr();
                }
            }
            case DIV, MOD, SDIV, SMOD -> {
                load(d);
                operand64(k, s, imm);
                code.invokestatic(CD_OPS, switch (op) {
                    case DIV -> "udiv32";
                    case MOD -> "umod32";
                    case SDIV -> "sdiv32";
                    default -> "smod32";
                }, LL_L);
                store(d);
                return;
            }
            default -> throw new UserException("instruction " + i + ": the JIT cannot compile " + op.mnemonic() + "32");
        }
        code.i2l().loadConstant(U32).land();
        store(d);
    }

    private void operand64(boolean k, int s, long imm) {
        if (k) code.loadConstant(imm); else load(s);
    }

    private void operand32(boolean k, int s, long imm) {
        if (k) {
            code.loadConstant((int) imm);
        } else {
            load(s);
            code.l2i();
        }
    }

    // ---- memory ----

    /** Pushes mem and the address reg + off. */
    private void address(int reg, int off) {
        code.aload(MEM);
        load(reg);
        if (off != 0) code.loadConstant((long) off).ladd();
    }

    private void memoryLoad(Size size, boolean signed, int pc) {
        if (signed) {
            code.loadConstant(size.bytes()).loadConstant(pc).invokestatic(CD_MEMORY, "loadSigned", MEM_LOAD_SIZED);
        } else if (size == Size.DW) {
            code.loadConstant(pc).invokestatic(CD_MEMORY, "load64", MEM_LOAD);
        } else if (size == Size.W) {
            code.loadConstant(pc).invokestatic(CD_MEMORY, "load32", MEM_LOAD);
        } else {
            code.loadConstant(size.bytes()).loadConstant(pc).invokestatic(CD_MEMORY, "load", MEM_LOAD_SIZED);
        }
    }

    /** Stack: mem, address, value. */
    private void memoryStore(Size size, int pc) {
        if (size == Size.DW) {
            code.loadConstant(pc).invokestatic(CD_MEMORY, "store64", MEM_STORE);
        } else if (size == Size.W) {
            code.loadConstant(pc).invokestatic(CD_MEMORY, "store32", MEM_STORE);
        } else {
            // store(Memory, long addr, int size, long value, int pc): put the size under the value
            code.lstore(tmp);
            code.loadConstant(size.bytes());
            code.lload(tmp);
            code.loadConstant(pc).invokestatic(CD_MEMORY, "store", MEM_STORE_SIZED);
        }
    }

    private void atomic(int i, Operation.Atomic a, int d, int s, int off) {
        int size = a.size().bytes();
        AtomicOp op = a.op();
        if (op == AtomicOp.LOAD_ACQUIRE) {
            address(s, off);
            memoryLoad(a.size(), false, i);
            store(d);
            return;
        }
        if (op == AtomicOp.STORE_RELEASE) {
            address(d, off);
            load(s);
            memoryStore(a.size(), i);
            return;
        }
        address(d, off);
        code.loadConstant(size);
        if (op == AtomicOp.CMPXCHG) {
            load(0);
            load(s);
            code.loadConstant(i).invokestatic(CD_MEMORY, "compareExchange", MEM_CMPXCHG);
            store(0);
            return;
        }
        code.loadConstant(op.imm());
        load(s);
        code.loadConstant(i).invokestatic(CD_MEMORY, "atomic", MEM_ATOMIC);
        if (op.fetches()) store(s); else code.pop2();
    }

    // ---- jumps ----

    private static final MethodTypeDesc ITERATION = MethodTypeDesc.of(CD_void, JitCompiler.CD_MACHINE, CD_int);

    /** A jump back counts against the run's iteration budget (once per pass, taken or not: a loop's test). */
    private void backward(int i) {
        if (program.targets()[i] > i) return;
        code.aload(M).loadConstant(i).invokestatic(CD_RUNTIME, "iteration", ITERATION);
    }

    private void jump(int i, Operation.Jump j, int d, int s, long imm) {
        Label target = label(i, program.targets()[i]);
        boolean k = j.source() == Source.K;
        JmpOp op = j.op();
        if (op == JmpOp.JSET) {
            if (j.narrow()) {
                load(d);
                code.l2i();
                operand32(k, s, imm);
                code.iand().ifne(target);
            } else {
                load(d);
                operand64(k, s, imm);
                code.land().lconst_0().lcmp().ifne(target);
            }
            return;
        }
        boolean unsigned = switch (op) {
            case JGT, JGE, JLT, JLE -> true;
            default -> false;
        };
        if (j.narrow()) {
            load(d);
            code.l2i();
            if (unsigned) code.loadConstant(Integer.MIN_VALUE).ixor();
            if (k) {
                code.loadConstant(unsigned ? (int) imm ^ Integer.MIN_VALUE : (int) imm);
            } else {
                load(s);
                code.l2i();
                if (unsigned) code.loadConstant(Integer.MIN_VALUE).ixor();
            }
            code.branch(switch (op) {
                case JEQ -> Opcode.IF_ICMPEQ;
                case JNE -> Opcode.IF_ICMPNE;
                case JGT, JSGT -> Opcode.IF_ICMPGT;
                case JGE, JSGE -> Opcode.IF_ICMPGE;
                case JLT, JSLT -> Opcode.IF_ICMPLT;
                default -> Opcode.IF_ICMPLE;
            }, target);
            return;
        }
        load(d);
        if (unsigned) code.loadConstant(Long.MIN_VALUE).lxor();
        if (k) {
            code.loadConstant(unsigned ? imm ^ Long.MIN_VALUE : imm);
        } else {
            load(s);
            if (unsigned) code.loadConstant(Long.MIN_VALUE).lxor();
        }
        code.lcmp();
        code.branch(switch (op) {
            case JEQ -> Opcode.IFEQ;
            case JNE -> Opcode.IFNE;
            case JGT, JSGT -> Opcode.IFGT;
            case JGE, JSGE -> Opcode.IFGE;
            case JLT, JSLT -> Opcode.IFLT;
            default -> Opcode.IFLE;
        }, target);
    }
}
