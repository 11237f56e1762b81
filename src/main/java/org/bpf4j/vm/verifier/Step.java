package org.bpf4j.vm.verifier;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Pseudo;
import org.bpf4j.asm.Size;
import org.bpf4j.asm.Source;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.HelperSignature;
import org.bpf4j.vm.Helpers;
import org.bpf4j.vm.Machine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The abstract semantics of one instruction: checks it is safe in the given state and computes the state(s)
 * after it. Messages follow the kernel verifier's wording where there is one.
 */
final class Step {
    /** A state to continue from, at an instruction. */
    record Branch(int pc, State state) {}

    private final Cfg cfg;
    private final VerifierOptions options;
    private final Map<Integer, MapSpec> mapAt;
    private int nextId = 1;

    Step(Cfg cfg, VerifierOptions options, Map<Integer, MapSpec> mapAt) {
        this.cfg = cfg;
        this.options = options;
        this.mapAt = mapAt;
    }

    /** Executes instruction {@code pc} on {@code st} (reused for the first successor); returns the successors. */
    List<Branch> run(int pc, State st) {
        Instruction insn = cfg.insns.get(pc);
        Value[] r = st.regs();
        int d = insn.dst().index(), s = insn.src().index();
        if ((cfg.defs(pc) & (1 << 10)) != 0) throw new Rejection(pc, "frame pointer is read only");
        switch (insn.op()) {
            case Operation.Alu a -> alu(pc, st, a, d, s, insn.imm());
            case Operation.Swap w -> {
                if (!(read(pc, r, d) instanceof Value.Num(Scalar x))) throw new Rejection(pc, "R" + d + " byte swap of a pointer prohibited");
                r[d] = Value.num(ScalarOps.swap(w.op(), x, (int) insn.imm()));
            }
            case Operation.LoadImm64 l -> r[d] = lddw(pc, l.pseudo(), insn);
            case Operation.Load l -> r[d] = load(pc, st, s, insn.offset(), l.size(), l.signed());
            case Operation.Store w -> store(pc, st, d, insn.offset(), w.size(), read(pc, r, s), s);
            case Operation.StoreImm w -> store(pc, st, d, insn.offset(), w.size(), Value.num(insn.imm()), -1);
            case Operation.Atomic a -> atomic(pc, st, a, d, s, insn.offset());
            case Operation.Goto g -> {
                return List.of(new Branch(cfg.target[pc], st));
            }
            case Operation.GotoLong g -> {
                return List.of(new Branch(cfg.target[pc], st));
            }
            case Operation.Jump j -> {
                return jump(pc, st, j, d, s, insn.imm());
            }
            case Operation.Call c when c.kind() == CallKind.HELPER -> {
                helper(pc, st, (int) insn.imm());
            }
            case Operation.Call c when c.kind() == CallKind.LOCAL -> {
                return List.of(callLocal(pc, st));
            }
            case Operation.Exit e -> {
                return exit(pc, st);
            }
            case Operation.CallRegister c -> throw new Rejection(pc, "callx (a helper call through a register) is not allowed");
            case Operation.NoSpec n -> { }
            default -> throw new Rejection(pc, "the VM does not run this instruction");
        }
        return List.of(new Branch(pc + 1, st));
    }

    private static Value read(int pc, Value[] r, int reg) {
        Value v = r[reg];
        if (v instanceof Value.Uninit) throw new Rejection(pc, "R" + reg + " !read_ok");
        return v;
    }

    // ---- arithmetic ----

    private void alu(int pc, State st, Operation.Alu a, int d, int s, long imm) {
        Value[] r = st.regs();
        Value src = a.source() == Source.K ? Value.num(imm) : read(pc, r, s);
        AluOp op = a.op();
        boolean wide = a.wide();
        if (op == AluOp.MOV || op == AluOp.MOVSX8 || op == AluOp.MOVSX16 || op == AluOp.MOVSX32) {
            if (op == AluOp.MOV && wide) {
                r[d] = src;
            } else if (src instanceof Value.Num(Scalar y)) {
                r[d] = Value.num(ScalarOps.alu(op, Scalar.UNKNOWN, y, wide));
            } else {
                r[d] = Value.num(wide ? Scalar.UNKNOWN : Scalar.unsignedBits(32)); // a partial copy of a pointer is just a number
            }
            return;
        }
        Value dst = read(pc, r, d);
        if (options.kernelRules() && a.source() == Source.K) {
            if ((op == AluOp.DIV || op == AluOp.MOD || op == AluOp.SDIV || op == AluOp.SMOD) && imm == 0)
                throw new Rejection(pc, "div by zero");
            if ((op == AluOp.LSH || op == AluOp.RSH || op == AluOp.ARSH) && (imm < 0 || imm >= (wide ? 64 : 32)))
                throw new Rejection(pc, "invalid shift " + imm);
        }
        if (dst instanceof Value.Num(Scalar x) && src instanceof Value.Num(Scalar y)) {
            if (!options.allowDivisionByZero() && (op == AluOp.DIV || op == AluOp.MOD || op == AluOp.SDIV || op == AluOp.SMOD)) {
                boolean maybeZero = wide ? y.tnum().contains(0) && y.umin() == 0 : y.u32min() == 0 && y.tnum().subreg().contains(0);
                if (maybeZero) throw new Rejection(pc, "Possible division by zero");
            }
            r[d] = Value.num(ScalarOps.alu(op, x, y, wide));
            return;
        }
        if (!wide) throw new Rejection(pc, "R" + d + " 32-bit pointer arithmetic prohibited");
        if (dst instanceof Value.Ptr p && src instanceof Value.Num(Scalar y) && (op == AluOp.ADD || op == AluOp.SUB)) {
            r[d] = pointerArithmetic(pc, d, p, op, y);
        } else if (dst instanceof Value.Num(Scalar x) && src instanceof Value.Ptr p && op == AluOp.ADD) {
            r[d] = pointerArithmetic(pc, s, p, op, x);
        } else if (dst instanceof Value.Ptr p && src instanceof Value.Ptr q && op == AluOp.SUB && p.sameRegion(q) && !p.nullable() && !q.nullable()) {
            r[d] = Value.num(ScalarOps.alu(AluOp.SUB, p.off(), q.off(), true));
        } else {
            String what = dst instanceof Value.Ptr p ? p.kind().text : "scalar";
            String with = src instanceof Value.Ptr q ? q.kind().text : "scalar";
            throw new Rejection(pc, "R" + d + " " + op.mnemonic() + " of " + what + " and " + with + " prohibited (pointer arithmetic)");
        }
    }

    private static Value pointerArithmetic(int pc, int reg, Value.Ptr p, AluOp op, Scalar by) {
        if (p.nullable()) throw new Rejection(pc, "R" + reg + " pointer arithmetic on " + p.kind().text + "_or_null prohibited, null-check it first");
        if (p.kind() == Value.Kind.MAP) throw new Rejection(pc, "R" + reg + " pointer arithmetic on map_ptr prohibited");
        if (p.kind() == Value.Kind.PACKET_END) throw new Rejection(pc, "R" + reg + " pointer arithmetic on pkt_end prohibited");
        return p.withOff(ScalarOps.alu(op, p.off(), by, true));
    }

    private Value lddw(int pc, Pseudo pseudo, Instruction insn) {
        return switch (pseudo) {
            case IMM64 -> Value.num(insn.imm());
            case MAP_FD, MAP_VALUE -> {
                MapSpec m = mapAt.get(pc);
                if (m == null) throw new Rejection(pc, "lddw of a map the verifier was not given (fd " + (int) insn.imm() + ")");
                if (pseudo == Pseudo.MAP_FD) yield new Value.Ptr(Value.Kind.MAP, Scalar.constant(0), 0, m, 0, 0, false);
                long off = insn.imm() >>> 32;
                if (m.type() != MapType.ARRAY || off >= m.valueSize())
                    throw new Rejection(pc, "invalid access to map value pointer, value_size=" + m.valueSize() + " off=" + off);
                yield new Value.Ptr(Value.Kind.MAP_VALUE, Scalar.constant(off), 0, m, m.valueSize(), 0, false);
            }
            default -> throw new Rejection(pc, "lddw of kind " + pseudo + " is not supported");
        };
    }

    // ---- memory ----

    private Value.Ptr pointer(int pc, Value[] r, int reg) {
        Value v = read(pc, r, reg);
        if (v instanceof Value.Ptr p) {
            if (p.nullable()) throw new Rejection(pc, "R" + reg + " invalid mem access '" + p.kind().text + "_or_null'");
            if (p.kind() == Value.Kind.MAP) throw new Rejection(pc, "R" + reg + " invalid mem access 'map_ptr'");
            return p;
        }
        throw new Rejection(pc, "R" + reg + " invalid mem access 'scalar'");
    }

    /** Checks {@code [p + off, p + off + size)} lies in p's object; returns {lo, hi} (stack: relative to r10). */
    private long[] access(int pc, int reg, Value.Ptr p, int off, long size, boolean write) {
        Scalar o = p.off();
        if (o.smin() < -(1L << 31) || o.smax() > (1L << 31))
            throw new Rejection(pc, "R" + reg + " unbounded memory access, make sure to bounds check any such access");
        long lo = o.smin() + off, hi = o.smax() + off + size;
        String var = o.isConst() ? "" : " (variable offset " + o + ")";
        switch (p.kind()) {
            case STACK -> {
                if (options.kernelRules()) {
                    Tnum at = o.tnum().add(Tnum.constant(off));
                    if (((at.value() | at.mask()) & (size - 1)) != 0)
                        throw new Rejection(pc, "misaligned stack access off " + o + "+" + off + " size " + size);
                }
                if (lo < -Frame.STACK || hi > 0)
                    throw new Rejection(pc, "invalid " + (write ? "write to" : "read from") + " stack R" + reg + " off=" + lo + " size=" + size + var);
            }
            case CTX -> {
                if (lo < 0 || hi > p.size()) throw new Rejection(pc, "invalid access to context, ctx_size=" + p.size() + " off=" + lo + " size=" + size + var);
                if (write && !options.contextWritable()) throw new Rejection(pc, "cannot write into ctx");
            }
            case PACKET -> {
                if (lo < 0 || hi > p.size())
                    throw new Rejection(pc, "invalid access to packet, off=" + lo + " size=" + size + ", R" + reg + "(off=" + o + ",r=" + p.size() + ")");
            }
            case PACKET_END -> throw new Rejection(pc, "R" + reg + " invalid mem access 'pkt_end'");
            case MAP_VALUE -> {
                if (lo < 0 && !o.isConst())
                    throw new Rejection(pc, "R" + reg + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                if (lo < 0 || hi > p.size())
                    throw new Rejection(pc, "invalid access to map value, value_size=" + p.size() + " off=" + lo + " size=" + size + var);
            }
            default -> {
                if (lo < 0 || hi > p.size()) throw new Rejection(pc, "invalid access to memory, mem_size=" + p.size() + " off=" + lo + " size=" + size + var);
            }
        }
        return new long[] {lo, hi};
    }

    /** {@code struct xdp_md}: u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
    static final int XDP_MD_SIZE = 24;

    private Value load(int pc, State st, int reg, int off, Size size, boolean signed) {
        Value.Ptr p = pointer(pc, st.regs(), reg);
        long[] range = access(pc, reg, p, off, size.bytes(), false);
        if (p.kind() == Value.Kind.CTX && options.type() == org.bpf4j.prog.ProgramType.XDP) {
            // the kernel turns loads of data and data_end into packet pointers; the VM's context does the same
            if (range[0] < 12 && (size != Size.W || signed || !p.off().isConst() || range[0] % 4 != 0))
                throw new Rejection(pc, "invalid bpf_context access off=" + range[0] + " size=" + size.bytes());
            if (range[0] == 0) return new Value.Ptr(Value.Kind.PACKET, Scalar.constant(0), 0, null, 0, 0, false);
            if (range[0] == 4) return new Value.Ptr(Value.Kind.PACKET_END, Scalar.constant(0), 0, null, 0, 0, false);
            if (range[0] == 8) throw new Rejection(pc, "data_meta is not supported by the VM");
        }
        if (p.kind() == Value.Kind.STACK) return readStack(pc, st.frames.get(p.frame()), reg, range, size.bytes(), signed, p.off().isConst());
        return Value.num(signed ? Scalar.signedBits(size.bytes() * 8) : Scalar.unsignedBits(size.bytes() * 8));
    }

    private Value readStack(int pc, Frame f, int reg, long[] range, int size, boolean signed, boolean fixed) {
        int from = (int) range[0] + Frame.STACK, to = (int) range[1] + Frame.STACK;
        if (fixed && size == 8 && from % 8 == 0 && f.bytes[from] == Frame.SPILL) return f.spills[from / 8];
        boolean allZero = true;
        for (int i = from; i < to; i++) {
            byte b = f.bytes[i];
            if (b == Frame.INVALID) throw new Rejection(pc, "invalid read from stack R" + reg + " off " + (i - Frame.STACK) + " size " + size);
            if (b == Frame.SPILL && !(f.spills[i / 8] instanceof Value.Num)) throw new Rejection(pc, "invalid size of register fill");
            if (b != Frame.ZERO) allZero = false;
        }
        if (allZero) return Value.num(0);
        return Value.num(signed ? Scalar.signedBits(size * 8) : Scalar.unsignedBits(size * 8));
    }

    private void store(int pc, State st, int reg, int off, Size size, Value v, int srcReg) {
        Value.Ptr p = pointer(pc, st.regs(), reg);
        long[] range = access(pc, reg, p, off, size.bytes(), true);
        if (p.kind() != Value.Kind.STACK) {
            if (v instanceof Value.Ptr) throw new Rejection(pc, "R" + srcReg + " leaks addr into " + p.kind().text);
            return;
        }
        Frame f = st.frames.get(p.frame());
        if (v instanceof Value.Ptr q && q.kind() == Value.Kind.STACK && q.frame() > p.frame())
            throw new Rejection(pc, "cannot store a pointer to a deeper stack frame into frame " + p.frame());
        int from = (int) range[0] + Frame.STACK;
        if (!p.off().isConst()) {
            if (v instanceof Value.Ptr) throw new Rejection(pc, "R" + srcReg + " spill of a pointer at a variable stack offset");
            for (int i = from; i < (int) range[1] + Frame.STACK; i++) if (f.bytes[i] != Frame.INVALID) f.write(i, 1, Frame.MISC);
            return;
        }
        if (size == Size.DW && from % 8 == 0) {
            f.spill(from, v);
        } else if (v instanceof Value.Ptr) {
            throw new Rejection(pc, "invalid size of register spill");
        } else {
            boolean zero = v instanceof Value.Num(Scalar x) && x.isConst() && (x.value() & mask(size.bytes())) == 0;
            f.write(from, size.bytes(), zero ? Frame.ZERO : Frame.MISC);
        }
    }

    private static long mask(int bytes) {
        return bytes == 8 ? -1L : (1L << (bytes * 8)) - 1;
    }

    private void atomic(int pc, State st, Operation.Atomic a, int d, int s, int off) {
        Value[] r = st.regs();
        if (a.op() == AtomicOp.LOAD_ACQUIRE) {
            r[d] = load(pc, st, s, off, a.size(), false);
            return;
        }
        if (a.op() == AtomicOp.STORE_RELEASE) {
            store(pc, st, d, off, a.size(), read(pc, r, s), s);
            return;
        }
        Value.Ptr p = pointer(pc, r, d);
        if (p.kind() == Value.Kind.CTX) throw new Rejection(pc, "BPF_ATOMIC stores into R" + d + " ctx is not allowed");
        if (!(read(pc, r, s) instanceof Value.Num)) throw new Rejection(pc, "R" + s + " leaks addr into mem");
        int size = a.size().bytes();
        long[] range = access(pc, d, p, off, size, true);
        Tnum at = p.off().tnum().add(Tnum.constant(off));
        if ((at.value() & (size - 1)) != 0 || (at.mask() & (size - 1)) != 0)
            throw new Rejection(pc, "misaligned atomic access off " + p.off() + "+" + off + " size " + size);
        if (p.kind() == Value.Kind.STACK) {
            Frame f = st.frames.get(p.frame());
            readStack(pc, f, d, range, size, false, p.off().isConst());
            f.write((int) range[0] + Frame.STACK, (int) (range[1] - range[0]), Frame.MISC);
        }
        Scalar old = size == 4 ? Scalar.unsignedBits(32) : Scalar.UNKNOWN;
        if (a.op() == AtomicOp.CMPXCHG) {
            if (!(read(pc, r, 0) instanceof Value.Num)) throw new Rejection(pc, "R0 leaks addr into mem");
            r[0] = Value.num(old);
        } else if (a.op().fetches()) {
            r[s] = Value.num(old);
        }
    }

    // ---- jumps ----

    private List<Branch> jump(int pc, State st, Operation.Jump j, int d, int s, long imm) {
        Value[] r = st.regs();
        Value a = read(pc, r, d);
        Value b = j.source() == Source.K ? Value.num(imm) : read(pc, r, s);
        boolean wide = !j.narrow();
        JmpOp op = j.op();
        int taken = cfg.target[pc], next = pc + 1;
        if (a instanceof Value.Num(Scalar x) && b instanceof Value.Num(Scalar y)) {
            Scalar[] t = ScalarOps.refine(op, x, y, wide, true);
            Scalar[] f = ScalarOps.refine(op, x, y, wide, false);
            List<Branch> out = new ArrayList<>(2);
            if (f != null) {
                State fs = t == null ? st : st.copy();
                set(fs, d, s, j.source(), f);
                out.add(new Branch(next, fs));
            }
            if (t != null) {
                set(st, d, s, j.source(), t);
                out.add(new Branch(taken, st));
            }
            return out;
        }
        if (a instanceof Value.Ptr pa && b instanceof Value.Ptr pb && wide
                && (pa.kind() == Value.Kind.PACKET && pb.kind() == Value.Kind.PACKET_END
                    || pa.kind() == Value.Kind.PACKET_END && pb.kind() == Value.Kind.PACKET)) {
            State other = st.copy();
            packetRange(other, pa, pb, op, false);
            packetRange(st, pa, pb, op, true);
            return List.of(new Branch(next, other), new Branch(taken, st));
        }
        // a pointer against zero: a null check (or, for a pointer that cannot be null, a decided branch)
        Value.Ptr p = a instanceof Value.Ptr pa && isZero(b) ? pa : b instanceof Value.Ptr pb && isZero(a) ? pb : null;
        if (p != null && wide && (op == JmpOp.JEQ || op == JmpOp.JNE)) {
            boolean eq = op == JmpOp.JEQ;
            if (!p.nullable()) return List.of(new Branch(eq ? next : taken, st));
            State isNull = st.copy(), notNull = st;
            markNull(isNull, p.id(), true);
            markNull(notNull, p.id(), false);
            return eq ? List.of(new Branch(next, notNull), new Branch(taken, isNull))
                    : List.of(new Branch(next, isNull), new Branch(taken, notNull));
        }
        return List.of(new Branch(next, st.copy()), new Branch(taken, st));
    }

    /**
     * After {@code a op b} ({@code taken} or not) with one a packet pointer and the other the packet's end: where
     * it shows the pointer is at most the end, the bytes before the pointer are there, for every packet pointer.
     */
    private static void packetRange(State st, Value.Ptr a, Value.Ptr b, JmpOp op, boolean taken) {
        JmpOp holds = taken ? op : ScalarOps.negate(op);
        if (holds == null) return;
        Value.Ptr pkt = a.kind() == Value.Kind.PACKET ? a : b;
        if (a.kind() != Value.Kind.PACKET) holds = ScalarOps.flip(holds); // now: pkt holds end
        boolean atMostEnd = switch (holds) {
            case JLE, JLT, JSLE, JSLT -> true;
            default -> false;
        };
        if (!atMostEnd || pkt.off().smin() < 0) return;
        long range = Math.min(pkt.off().umin(), 0xffff);
        for (Frame f : st.frames) {
            for (int i = 0; i < 11; i++) f.regs[i] = widenRange(f.regs[i], (int) range);
            for (int i = 0; i < f.spills.length; i++) if (f.spills[i] != null) f.spills[i] = widenRange(f.spills[i], (int) range);
        }
    }

    private static Value widenRange(Value v, int range) {
        return v instanceof Value.Ptr p && p.kind() == Value.Kind.PACKET && p.size() < range ? p.withSize(range) : v;
    }

    private static boolean isZero(Value v) {
        return v instanceof Value.Num(Scalar x) && x.isConst() && x.value() == 0;
    }

    private static void set(State st, int d, int s, Source source, Scalar[] v) {
        Value[] r = st.regs();
        r[d] = Value.num(v[0]);
        if (source == Source.X) r[s] = Value.num(v[1]);
    }

    /** After a null check of the pointer with {@code id}: every copy becomes 0, or a usable pointer. */
    private static void markNull(State st, int id, boolean isNull) {
        for (Frame f : st.frames) {
            for (int i = 0; i < 11; i++) f.regs[i] = mark(f.regs[i], id, isNull);
            for (int i = 0; i < f.spills.length; i++) if (f.spills[i] != null) f.spills[i] = mark(f.spills[i], id, isNull);
        }
    }

    private static Value mark(Value v, int id, boolean isNull) {
        if (v instanceof Value.Ptr p && p.nullable() && p.id() == id) return isNull ? Value.num(0) : p.nonNull();
        return v;
    }

    // ---- calls ----

    private void helper(int pc, State st, int id) {
        String name = Helper.byId(id).map(h -> "bpf_" + h.helperName() + "#" + id).orElse("#" + id);
        HelperSignature sig = HelperSignature.of(id).orElse(null);
        if (sig == null || !Helpers.implemented(id)) throw new Rejection(pc, "unknown func " + name + " (the VM has no such helper)");
        if (!sig.allowedIn(options.type())) throw new Rejection(pc, "program of type " + options.type().bpftoolName() + " cannot call " + name);
        Value[] r = st.regs();
        MapSpec map = null;
        for (int k = 0; k < sig.args().size(); k++) {
            int reg = k + 1;
            HelperSignature.Arg arg = sig.args().get(k);
            Value v = read(pc, r, reg);
            switch (arg) {
                case ANYTHING -> { }
                case CONST_MAP_PTR -> {
                    if (!(v instanceof Value.Ptr p) || p.kind() != Value.Kind.MAP) throw new Rejection(pc, "R" + reg + " type=" + typeName(v) + " expected=map_ptr");
                    map = p.map();
                    checkMapType(pc, sig.helper(), map, name);
                }
                case PTR_TO_MAP_KEY -> helperMemory(pc, st, reg, map.keySize(), false);
                case PTR_TO_MAP_VALUE -> helperMemory(pc, st, reg, map.valueSize(), false);
                case PTR_TO_CTX -> {
                    if (!(v instanceof Value.Ptr p) || p.kind() != Value.Kind.CTX || !p.off().isConst() || p.off().value() != 0)
                        throw new Rejection(pc, "R" + reg + " type=" + typeName(v) + " expected=ctx");
                }
                case PTR_TO_MEM, PTR_TO_UNINIT_MEM -> { } // checked with the size that follows
                case CONST_SIZE, CONST_SIZE_OR_ZERO -> {
                    if (!(v instanceof Value.Num(Scalar n))) throw new Rejection(pc, "R" + reg + " type=" + typeName(v) + " expected=scalar");
                    if (n.smin() < 0) throw new Rejection(pc, "R" + reg + " min value is negative, either use unsigned or 'var &= const'");
                    if (n.umax() > 1 << 29) throw new Rejection(pc, "R" + reg + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
                    if (arg == HelperSignature.Arg.CONST_SIZE && n.umin() == 0) throw new Rejection(pc, "R" + reg + " invalid zero-sized read");
                    boolean write = sig.args().get(k - 1) == HelperSignature.Arg.PTR_TO_UNINIT_MEM;
                    if (n.umax() > 0) helperMemory(pc, st, reg - 1, n.umax(), write);
                }
            }
        }
        if (sig.helper() == Helper.TAIL_CALL && st.frames.size() > 1)
            throw new Rejection(pc, "tail_call in a subprogram is not supported by the VM");
        for (int k = 1; k <= 5; k++) r[k] = Value.UNINIT;
        r[0] = switch (sig.returns()) {
            case VOID -> Value.UNINIT;
            case MAP_VALUE_OR_NULL -> new Value.Ptr(Value.Kind.MAP_VALUE, Scalar.constant(0), 0, map, map.valueSize(), nextId++, true);
            case INTEGER -> switch (sig.helper()) {
                case GET_PRANDOM_U32 -> Value.num(Scalar.unsignedBits(32));
                case GET_SMP_PROCESSOR_ID -> Value.num(Scalar.unsignedRange(0, Integer.MAX_VALUE));
                default -> Value.num(Scalar.UNKNOWN);
            };
        };
    }

    private static void checkMapType(int pc, Helper h, MapSpec map, String name) {
        boolean ok = switch (h) {
            case MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM -> switch (map.type()) {
                case HASH, ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, LRU_PERCPU_HASH -> true;
                default -> false;
            };
            case PERF_EVENT_OUTPUT -> map.type() == MapType.PERF_EVENT_ARRAY;
            case RINGBUF_OUTPUT -> map.type() == MapType.RINGBUF;
            case TAIL_CALL -> map.type() == MapType.PROG_ARRAY;
            default -> true;
        };
        if (!ok) throw new Rejection(pc, "cannot pass map_type " + map.type().value() + " into func " + name);
    }

    private static String typeName(Value v) {
        return switch (v) {
            case Value.Ptr p -> p.kind().text + (p.nullable() ? "_or_null" : "");
            case Value.Num n -> "scalar";
            case Value.Uninit u -> "uninit";
        };
    }

    /** A helper reads ({@code write} false) or fills {@code size} bytes at the pointer in {@code reg}. */
    private void helperMemory(int pc, State st, int reg, long size, boolean write) {
        Value.Ptr p = pointer(pc, st.regs(), reg);
        long[] range = access(pc, reg, p, 0, size, write);
        if (p.kind() != Value.Kind.STACK) return;
        Frame f = st.frames.get(p.frame());
        int from = (int) range[0] + Frame.STACK, to = (int) range[1] + Frame.STACK;
        if (write) {
            if (p.off().isConst()) {
                f.write(from, to - from, Frame.MISC);
            } else {
                for (int i = from; i < to; i++) if (f.bytes[i] != Frame.INVALID) f.write(i, 1, Frame.MISC);
            }
            return;
        }
        for (int i = from; i < to; i++) {
            if (f.bytes[i] == Frame.INVALID)
                throw new Rejection(pc, "invalid indirect read from stack R" + reg + " off " + (i - Frame.STACK) + "+0 size " + size);
        }
    }

    private Branch callLocal(int pc, State st) {
        int t = cfg.target[pc];
        if (st.frames.size() >= Machine.MAX_FRAMES) throw new Rejection(pc, "the sequence of " + Machine.MAX_FRAMES + " calls is too long");
        for (Frame f : st.frames) if (f.subprogram == t) throw new Rejection(pc, "recursive call from insn " + pc + " to " + t);
        Frame caller = st.top();
        Frame callee = new Frame(pc, t);
        System.arraycopy(caller.regs, 1, callee.regs, 1, 5);
        callee.regs[10] = new Value.Ptr(Value.Kind.STACK, Scalar.constant(0), st.frames.size(), null, Frame.STACK, 0, false);
        st.frames.add(callee);
        return new Branch(t, st);
    }

    private List<Branch> exit(int pc, State st) {
        if (st.frames.size() == 1) {
            if (read(pc, st.regs(), 0) instanceof Value.Ptr) throw new Rejection(pc, "R0 leaks addr as return value");
            return List.of();
        }
        Value r0 = st.regs()[0]; // a subprogram may return nothing, as long as its caller does not read r0
        Frame callee = st.frames.removeLast();
        if (r0 instanceof Value.Ptr p && p.kind() == Value.Kind.STACK && p.frame() >= st.frames.size())
            throw new Rejection(pc, "cannot return a stack pointer to the caller");
        Frame caller = st.top();
        caller.regs[0] = r0;
        for (int k = 1; k <= 5; k++) caller.regs[k] = Value.UNINIT;
        return List.of(new Branch(callee.callsite + 1, st));
    }

    /** The entry state: r1 the context, r2 its size (both 0 when there is none), r10 the frame pointer. */
    static State entry(VerifierOptions options) {
        Frame main = new Frame(-1, 0);
        int ctx = options.type() == org.bpf4j.prog.ProgramType.XDP ? XDP_MD_SIZE : options.contextSize();
        main.regs[1] = options.contextPointer() ? new Value.Ptr(Value.Kind.CTX, Scalar.constant(0), 0, null, ctx, 0, false) : Value.num(0);
        main.regs[2] = Value.num(options.contextPointer() ? options.contextSize() : 0);
        main.regs[10] = new Value.Ptr(Value.Kind.STACK, Scalar.constant(0), 0, null, Frame.STACK, 0, false);
        return new State(main);
    }
}
