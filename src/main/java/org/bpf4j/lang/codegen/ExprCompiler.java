package org.bpf4j.lang.codegen;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Constants;
import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.BinOp;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.LoweredCalls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.bpf4j.asm.Reg.*;

/**
 * Expressions to BPF: scalars into {@link Temp temporaries}, other values into stack memory, conditions into
 * jumps. Every scalar is kept as a 64-bit value, sign- or zero-extended from its type.
 */
final class ExprCompiler {
    /** struct pt_regs offsets (x86-64) of the argument registers, in argument order, and of ax, ip and sp. */
    static final int[] ARG_REGS = {112, 104, 96, 88, 72, 64};
    /** struct pt_regs's cs (x86-64): its low two bits are the privilege level, 3 in user mode. */
    static final int REG_CS = 136;
    static final int REG_AX = 80, REG_IP = 128, REG_SP = 152;

    private final ProbeCompiler p;
    private final Asm asm;

    ExprCompiler(ProbeCompiler p) {
        this.p = p;
        this.asm = p.asm;
    }

    Type type(Expr e) { return p.unit.type(e); }

    /** The value of a constant expression (the checker has made sure it is one). */
    long constant(Expr e) {
        Long v = folded(e);
        if (v == null) throw new IllegalStateException("not a constant: " + e);
        return v;
    }

    /** The value of {@code e} when it is an integer constant, else null. */
    private Long constant(Expr e, Type t) { return t instanceof Type.Int ? folded(e) : null; }

    Long folded(Expr e) {
        return Constants.of(e, p.cx.analysis.params(), x -> switch (x) {
            case Expr.SizeofType st -> (long) p.cx.analysis.ctypes().resolve(st.type()).size();
            case Expr.Offsetof o -> p.cx.analysis.ctypes().offsetof(o);
            case Expr.SizeofExpr se -> (long) type(se.operand()).size();
            default -> null;
        });
    }

    // ---- scalars ----

    Temp eval(Expr e) {
        Type t = type(e);
        if (t instanceof Type.Int it) {
            Long c = folded(e);
            if (c != null) return Temp.constant(Constants.truncate(c, it));
        }
        Span old = asm.at(e.span());
        try {
            return switch (e) {
                case Expr.Builtin b -> builtin(b);
                case Expr.Var v -> Temp.stack(p.varSlots.get(v.name()), false);
                case Expr.MapRef m -> mapRead(m);
                case Expr.Call c -> p.calls.eval(c);
                case Expr.Binary b -> {
                    if (b.op().comparison() || b.op().logical()) yield materialize(b);
                    yield arithmetic(b.op(), eval(b.left()), type(b.left()), eval(b.right()), type(b.right()));
                }
                case Expr.Unary u -> unary(u);
                case Expr.IncDec id -> incDec(id);
                case Expr.Ternary tr -> ternary(tr);
                case Expr.Cast c -> cast(c);
                case Expr.Field f when f.target() instanceof Expr.Builtin b && b.name().equals("args") -> argsField(f);
                case Expr.Field f -> field(f);
                case Expr.Index ix -> load(place(ix), t);
                case Expr.TupleIndex ti -> load(place(ti), t);
                default -> throw new IllegalStateException("cannot evaluate " + e + " as a scalar");
            };
        } finally {
            asm.at(old);
        }
    }

    /** A new temporary holding what r0 holds. */
    Temp fromR0() {
        Temp t = p.temp();
        p.set(t, R0);
        return t;
    }

    private Temp builtin(Expr.Builtin b) {
        String n = b.name();
        switch (n) {
            case "pid", "tid" -> {
                asm.call(Helper.GET_CURRENT_PID_TGID);
                if (n.equals("pid")) asm.alu(AluOp.RSH, R0, 32); else asm.mov32(R0, R0);
                return fromR0();
            }
            case "uid", "gid", "username" -> {
                asm.call(Helper.GET_CURRENT_UID_GID);
                if (n.equals("gid")) asm.alu(AluOp.RSH, R0, 32); else asm.mov32(R0, R0);
                return fromR0();
            }
            case "nsecs" -> { asm.call(Helper.KTIME_GET_NS); return fromR0(); }
            case "elapsed" -> {
                asm.call(Helper.KTIME_GET_NS);
                asm.mov(R1, p.cx.options.startNs());
                asm.alu(AluOp.SUB, R0, R1);
                return fromR0();
            }
            case "cpu" -> { asm.call(Helper.GET_SMP_PROCESSOR_ID); return fromR0(); }
            case "numaid" -> { asm.call(Helper.GET_NUMA_NODE_ID); return fromR0(); }
            case "cgroup" -> { asm.call(Helper.GET_CURRENT_CGROUP_ID); return fromR0(); }
            case "rand" -> { asm.call(Helper.GET_PRANDOM_U32); return fromR0(); }
            case "jiffies" -> { asm.call(Helper.JIFFIES64); return fromR0(); }
            case "curtask" -> { asm.call(Helper.GET_CURRENT_TASK); return fromR0(); }
            case "cpid" -> { return Temp.constant(p.cx.options.cpid()); }
            case "ncpus" -> { return Temp.constant(p.cx.options.cpus()); }
            case "usermode" -> {
                // begin and end run in the tool's own process, in user mode; else the privilege level of the
                // interrupted code segment (pt_regs's cs, also at the start of a perf event's context)
                if (p.unit.point() instanceof org.bpf4j.lang.sema.Attach.Begin || p.unit.point() instanceof org.bpf4j.lang.sema.Attach.End
                        || p.unit.point() instanceof org.bpf4j.lang.sema.Attach.Signal || p.unit.point() instanceof org.bpf4j.lang.sema.Attach.Run)
                    return Temp.constant(1);
                Temp cs = ctxLoad(REG_CS);
                Temp low = arithmetic(BinOp.AND, cs, Type.UINT64, Temp.constant(3), Type.UINT64);
                // (cs & 3) == 3 without a branch: only 3 + 1 reaches bit 2
                Temp next = arithmetic(BinOp.ADD, low, Type.UINT64, Temp.constant(1), Type.UINT64);
                return arithmetic(BinOp.SHR, next, Type.UINT64, Temp.constant(2), Type.UINT64);
            }
            case "probe" -> { return Temp.constant(p.unit.index()); }
            case "ctx", "args" -> {
                Temp t = p.temp();
                p.set(t, R6);
                return t;
            }
            case "retval" -> { return ctxLoad(REG_AX); }
            case "func" -> { return ctxLoad(REG_IP); }
            case "kstack" -> { return p.calls.stackId((Type.Special) type(b)); }
            default -> { }
        }
        Long enumerator = p.cx.analysis.enumerators().get(b); // found by the checker: BTF is not read again
        if (enumerator != null) return Temp.constant(enumerator);
        if (n.startsWith("arg") && !p.usdtArgs.isEmpty()) return usdtArg(p.usdtArgs.get(Integer.parseInt(n.substring(3))));
        // a raw tracepoint's context is the tracepoint's arguments, each widened to 64 bits (bpf_raw_tracepoint_args)
        if (n.startsWith("arg") && p.unit.point() instanceof org.bpf4j.lang.sema.Attach.RawTracepoint)
            return ctxLoad(8 * Integer.parseInt(n.substring(3)));
        if (n.startsWith("arg")) return ctxLoad(ARG_REGS[Integer.parseInt(n.substring(3))]);
        if (n.startsWith("sarg")) {
            int i = Integer.parseInt(n.substring(4));
            Temp sp = ctxLoad(REG_SP);
            Temp addr = arithmetic(BinOp.ADD, sp, Type.UINT64, Temp.constant(8L * (i + 1)), Type.INT64);
            return load(new Place.Mem(addr, 0, true), Type.UINT64);
        }
        throw new IllegalStateException("builtin " + n);
    }

    /** A USDT argument, read as the probe's note says (register, memory or constant). */
    private Temp usdtArg(org.bpf4j.usdt.UsdtArgument a) {
        int slot = p.frame.alloc(8, Span.NONE);
        org.bpf4j.asm.Program.Builder b = org.bpf4j.asm.Program.builder();
        a.emitLoad(b, R0, R6, slot);
        for (org.bpf4j.asm.Instruction insn : b.build().instructions()) asm.add(insn);
        return fromR0();
    }

    /** A u64 of the context (pt_regs) at {@code off}. */
    Temp ctxLoad(int off) {
        Temp t = p.temp();
        Reg r = t.kind() == Temp.Kind.REG ? t.reg() : R1;
        asm.ldx(Size.DW, r, R6, off);
        p.set(t, r);
        return t;
    }

    /** The warning a zero divisor raises at run time, in bpftrace's words. */
    private static final Format DIVIDE_BY_ZERO =
            Format.literal("Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.");

    /** {@code l op r} for an arithmetic operator; pointer arithmetic moves by the target's size. */
    Temp arithmetic(BinOp op, Temp a, Type lt, Temp b, Type rt) {
        boolean signed = !(ProbeCompiler.unsigned64(lt) || ProbeCompiler.unsigned64(rt));
        if (lt instanceof Type.Ptr ptr && rt instanceof Type.Int && (op == BinOp.ADD || op == BinOp.SUB)) b = scale(b, ptr);
        else if (rt instanceof Type.Ptr ptr && lt instanceof Type.Int && op == BinOp.ADD) a = scale(a, ptr);
        if (a.isConst() && b.isConst()) {
            Long v = Constants.of(new Expr.Binary(op, new Expr.Int(a.value(), Span.NONE), new Expr.Int(b.value(), Span.NONE), Span.NONE),
                    p.cx.analysis.params(), x -> null);
            if (v != null) return Temp.constant(v);
        }
        a = p.owned(a);
        Reg ra = p.use(a, R1);
        AluOp aop = switch (op) {
            case ADD -> AluOp.ADD;
            case SUB -> AluOp.SUB;
            case MUL -> AluOp.MUL;
            // as bpftrace: BPF's unsigned division whatever the signs (it warns that signed operands are undefined)
            case DIV -> AluOp.DIV;
            case MOD -> AluOp.MOD;
            case AND -> AluOp.AND;
            case OR -> AluOp.OR;
            case XOR -> AluOp.XOR;
            case SHL -> AluOp.LSH;
            case SHR -> signed ? AluOp.ARSH : AluOp.RSH;
            default -> throw new IllegalStateException(op + " is not arithmetic");
        };
        if (b.smallConst()) {
            asm.alu(aop, ra, (int) b.value());
        } else if ((op == BinOp.DIV || op == BinOp.MOD) && !b.isConst()) {
            // as bpftrace v0.26: a zero divisor gives 1 and a warning, rather than BPF's 0 (or the dividend)
            Reg rb = p.use(b, R2);
            String nonzero = asm.label("divisor"), end = asm.label("divided");
            asm.jmp(JmpOp.JNE, rb, 0, nonzero);
            Type.Tuple payload = ProbeCompiler.payload(List.of());
            p.event(p.cx.action(p.diagnostic(Action.Diagnostic.Level.WARNING, asm.current(), DIVIDE_BY_ZERO, payload)),
                    List.of(), payload);
            asm.mov(ra, 1);
            asm.ja(end);
            asm.place(nonzero);
            asm.alu(aop, ra, rb);
            asm.place(end);
        } else {
            asm.alu(aop, ra, p.use(b, R2));
        }
        if (a.kind() == Temp.Kind.SLOT) p.set(a, ra);
        p.release(b);
        return a;
    }

    private Temp scale(Temp t, Type.Ptr ptr) {
        int size = ptr.target() instanceof Type.None ? 1 : ptr.target().size();
        if (size == 1) return t;
        if (t.isConst()) return Temp.constant(t.value() * size);
        Temp o = p.owned(t);
        Reg r = p.use(o, R1);
        asm.alu(AluOp.MUL, r, size);
        if (o.kind() == Temp.Kind.SLOT) p.set(o, r);
        return o;
    }

    private Temp materialize(Expr cond) {
        Temp t = p.temp();
        String yes = asm.label("true"), end = asm.label("end");
        branch(cond, true, yes);
        setConst(t, 0);
        asm.ja(end);
        asm.place(yes);
        setConst(t, 1);
        asm.place(end);
        return t;
    }

    void setConst(Temp t, long v) {
        if (t.kind() == Temp.Kind.REG) asm.mov(t.reg(), v);
        else asm.st(Size.DW, R10, t.slot(), (int) v);
    }

    private Temp unary(Expr.Unary u) {
        return switch (u.op()) {
            case NOT -> materialize(u);
            case NEG, BNOT -> {
                Temp a = p.owned(eval(u.operand()));
                Reg r = p.use(a, R1);
                if (u.op() == org.bpf4j.lang.syntax.UnOp.NEG) asm.neg(r); else asm.alu(AluOp.XOR, r, -1);
                if (a.kind() == Temp.Kind.SLOT) p.set(a, r);
                yield a;
            }
            case DEREF -> load(place(u), type(u));
            case ADDR -> {
                Temp a = p.temp();
                Reg r = a.kind() == Temp.Kind.REG ? a.reg() : R1;
                asm.stackAddr(r, p.varSlots.get(((Expr.Var) u.operand()).name()));
                p.set(a, r);
                yield a;
            }
        };
    }

    private Temp ternary(Expr.Ternary tr) {
        Temp t = p.temp();
        String no = asm.label("else"), end = asm.label("fi");
        branch(tr.cond(), false, no);
        Temp a = eval(tr.then());
        p.set(t, p.use(a, R1));
        p.release(a);
        asm.ja(end);
        asm.place(no);
        Temp b = eval(tr.otherwise());
        p.set(t, p.use(b, R1));
        p.release(b);
        asm.place(end);
        return t;
    }

    private Temp cast(Expr.Cast c) {
        if (type(c) instanceof Type.Int it && it.bool()) return truth(c.operand());
        if (type(c) instanceof Type.Int it && type(c.operand()) instanceof Type.Array) return load(place(c.operand()), it);
        Temp v = eval(c.operand());
        if (!(type(c) instanceof Type.Int it) || it.size() == 8) return v;
        Temp o = p.owned(v);
        Reg r = p.use(o, R1);
        extendTo(r, it);
        if (o.kind() == Temp.Kind.SLOT) p.set(o, r);
        return o;
    }

    /** v0.26's {@code (bool)e}: 1 when {@code e} is not zero (a string: not empty), else 0. */
    private Temp truth(Expr e) {
        Temp v = type(e) instanceof Type.Str ? load(place(e), new Type.Int(1, false)) : eval(e);
        Temp o = p.owned(v);
        Reg r = p.use(o, R1);
        String end = asm.label("bool");
        asm.jmp(JmpOp.JEQ, r, 0, end);
        asm.mov(r, 1);
        asm.place(end);
        if (o.kind() == Temp.Kind.SLOT) p.set(o, r);
        return o;
    }

    /**
     * Truncates r to {@code t}'s width, sign- or zero-extending it back to 64 bits. Sign extension is a shift left
     * and an arithmetic shift right, not v4's movsx, which kernels before 6.6 refuse ("BPF_MOV uses reserved
     * fields", found on 6.1 by the kernel matrix).
     */
    void extendTo(Reg r, Type.Int t) {
        if (t.size() >= 8) return;
        if (t.signed()) {
            int shift = 64 - 8 * t.size();
            asm.alu(AluOp.LSH, r, shift);
            asm.alu(AluOp.ARSH, r, shift);
        } else if (t.size() == 4) {
            asm.mov32(r, r);
        } else {
            asm.alu(AluOp.AND, r, t.size() == 1 ? 0xff : 0xffff);
        }
    }

    private Temp incDec(Expr.IncDec id) {
        Type t = type(id.target());
        long step = t instanceof Type.Ptr ptr && !(ptr.target() instanceof Type.None) ? ptr.target().size() : 1;
        if (!id.increment()) step = -step;
        if (id.target() instanceof Expr.Var v) {
            int slot = p.varSlots.get(v.name());
            Temp old = p.temp();
            Reg r = old.kind() == Temp.Kind.REG ? old.reg() : R1;
            asm.ldx(Size.DW, r, R10, slot);
            asm.mov(R2, r);
            asm.alu(AluOp.ADD, R2, (int) step);
            asm.stx(Size.DW, R10, slot, R2);
            if (id.prefix()) asm.mov(r, R2);
            p.set(old, r);
            return old;
        }
        Expr.MapRef m = (Expr.MapRef) id.target();
        Temp cur = mapRead(m);
        Temp next = p.temp();
        Reg r = next.kind() == Temp.Kind.REG ? next.reg() : R1;
        asm.mov(r, p.use(cur, R2));
        asm.alu(AluOp.ADD, r, (int) step);
        p.set(next, r);
        p.mapWrite(p.cx.map(m.name()), m.keys(), next);
        if (id.prefix()) {
            p.release(cur);
            return next;
        }
        p.release(next);
        return cur;
    }

    private Temp argsField(Expr.Field f) {
        Type.Ptr ptr = (Type.Ptr) type(f.target());
        Type.Field fd = ((Type.Record) ptr.target()).field(f.field());
        if (fd.dataLoc()) {
            Temp t = p.temp();
            Reg r = t.kind() == Temp.Kind.REG ? t.reg() : R1;
            asm.ldx(Size.W, r, R6, fd.offset());
            asm.alu(AluOp.AND, r, 0xffff);
            asm.alu(AluOp.ADD, r, R6);
            p.set(t, r);
            return t;
        }
        return load(new Place.Ctx(fd.offset()), type(f));
    }

    private Temp field(Expr.Field f) {
        Type.Record r = record(type(f.target()));
        Type.Field fd = r.field(f.field());
        if (!fd.type().scalar()) throw new IllegalStateException("field " + f.field() + " is not a scalar");
        Temp v = load(place(f), fd.type());
        if (fd.bits() == 0) return v;
        Temp o = p.owned(v);
        Reg reg = p.use(o, R1);
        // as bpftrace: a bit-field reads as its bits, not sign-extended, whatever its type's sign
        if (fd.bitOffset() > 0) asm.alu(AluOp.RSH, reg, fd.bitOffset());
        if (fd.bits() < 32) asm.alu(AluOp.AND, reg, (1 << fd.bits()) - 1);
        else { asm.alu(AluOp.LSH, reg, 64 - fd.bits()); asm.alu(AluOp.RSH, reg, 64 - fd.bits()); }
        if (o.kind() == Temp.Kind.SLOT) p.set(o, reg);
        return o;
    }

    private Type.Record record(Type t) {
        Type.Record r = t instanceof Type.Ptr ptr && ptr.target() instanceof Type.Record x ? x : (Type.Record) t;
        return p.cx.analysis.ctypes().full(r);
    }

    // ---- maps ----

    /** The scalar value of {@code @m[keys]}, 0 when absent. */
    Temp mapRead(Expr.MapRef m) {
        MapPlan plan = p.cx.map(m.name());
        int key = p.mapKey(plan, m.keys());
        p.lookup(plan, key);
        p.checked("map_lookup_elem", 1, true);
        Temp t = p.temp();
        Reg r = t.kind() == Temp.Kind.REG ? t.reg() : R1;
        String end = asm.label("absent");
        asm.mov(r, 0);
        asm.jmp(JmpOp.JEQ, R0, 0, end);
        if (plan.value() instanceof Type.Agg agg && agg.kind() == Type.AggKind.AVG) {
            asm.ldx(Size.DW, R2, R0, 0);
            asm.ldx(Size.DW, r, R0, 8);
            asm.alu(AluOp.SDIV, r, R2);
        } else {
            asm.ldx(Size.DW, r, R0, 0);
        }
        asm.place(end);
        p.set(t, r);
        return t;
    }

    // ---- memory ----

    /** Where the value of {@code e} is, materialising it on the stack when it is computed. */
    Place place(Expr e) {
        Type t = type(e);
        switch (e) {
            case Expr.Var v when !t.scalar() -> { return new Place.Stack(p.varSlots.get(v.name())); }
            case Expr.Field f -> {
                Type tt = type(f.target());
                Type.Field fd = record(tt).field(f.field());
                if (f.target() instanceof Expr.Builtin b && b.name().equals("args")) return new Place.Ctx(fd.offset());
                if (tt instanceof Type.Ptr ptr) return new Place.Mem(eval(f.target()), fd.offset(), ptr.user());
                return place(f.target()).plus(fd.offset());
            }
            case Expr.Unary u when u.op() == org.bpf4j.lang.syntax.UnOp.DEREF -> {
                // an integer is an address in the probe's memory: the kernel's, a uprobe's process's
                boolean user = type(u.operand()) instanceof Type.Ptr ptr ? ptr.user()
                        : p.unit.point() instanceof Attach.Uprobe || p.unit.point() instanceof Attach.Usdt;
                return new Place.Mem(eval(u.operand()), 0, user);
            }
            case Expr.Index ix -> {
                Type tt = type(ix.target());
                int size = t.size();
                Long i = folded(ix.index());
                if (tt instanceof Type.Ptr ptr) {
                    Temp base = eval(ix.target());
                    if (i != null) return new Place.Mem(base, (int) (i * size), ptr.user());
                    Temp idx = arithmetic(BinOp.MUL, eval(ix.index()), Type.INT64, Temp.constant(size), Type.INT64);
                    return new Place.Mem(arithmetic(BinOp.ADD, base, Type.UINT64, idx, Type.INT64), 0, ptr.user());
                }
                Place base = place(ix.target());
                if (tt instanceof Type.Tuple tu) return base.plus(tu.offset((int) (long) i));
                if (i != null) return base.plus((int) (i * size));
                Temp index = eval(ix.index());
                if (tt instanceof Type.Array a && a.length() > 0) outOfBounds(index, a.length(), ix.span());
                if (base instanceof Place.Mem mem) {
                    Temp idx = arithmetic(BinOp.MUL, index, Type.INT64, Temp.constant(size), Type.INT64);
                    return new Place.Mem(arithmetic(BinOp.ADD, mem.addr(), Type.UINT64, idx, Type.INT64), mem.off(), mem.user());
                }
                if (base instanceof Place.Stack st && size > 0) return stackElement(st, index, tt.size() / size, size, e.span());
                throw new org.bpf4j.lang.sema.SemanticError(p.cx.analysis.script().source(), ix.index().span(),
                        "an array held in a variable or map can only be indexed by a constant");
            }
            case Expr.TupleIndex ti -> {
                Type.Tuple tu = (Type.Tuple) type(ti.target());
                return place(ti.target()).plus(tu.offset(ti.index()));
            }
            default -> {
                int off = p.frame.alloc(t.size(), e.span());
                into(e, off);
                return new Place.Stack(off);
            }
        }
    }

    /** v0.26's runtime warning for an array index past the array's end (the element is read all the same). */
    private static final Format ARRAY_ACCESS_OOB = Format.literal("Array access out of bounds. This can lead to unexpected results.");

    /** Warns, as v0.26 does at run time, when {@code index} (unsigned) is not below {@code length}. */
    private void outOfBounds(Temp index, int length, Span at) {
        String ok = asm.label("inbounds");
        asm.jmp(JmpOp.JLE, p.use(index, R1), length - 1, ok);
        Type.Tuple payload = ProbeCompiler.payload(List.of());
        p.event(p.cx.action(p.diagnostic(Action.Diagnostic.Level.WARNING, at, ARRAY_ACCESS_OOB, payload)), List.of(), payload);
        asm.place(ok);
    }

    /**
     * Element {@code index} of the {@code count} elements of {@code size} bytes at {@code st} (a string or array held
     * on the stack) indexed by a run-time value: copied into a slot of its own, zero when the index is past the end.
     */
    private Place stackElement(Place.Stack st, Temp index, int count, int size, Span at) {
        int slot = p.frame.alloc(size, at);
        zero(slot, size);
        String past = asm.label("past");
        Reg r = p.use(index, R2);
        asm.jmp(JmpOp.JGE, r, count, past);
        asm.mov(R3, r);
        if (size != 1) asm.alu(AluOp.MUL, R3, size);
        asm.alu(AluOp.ADD, R3, R10);
        asm.alu(AluOp.ADD, R3, st.off());
        asm.stackAddr(R1, slot);
        asm.mov(R2, size);
        asm.call(Helper.PROBE_READ_KERNEL);
        asm.place(past);
        p.release(index);
        return new Place.Stack(slot);
    }

    /** Reads a scalar of type {@code t} from {@code pl}. */
    Temp load(Place pl, Type t) {
        int size = t.size();
        Size sz = size(size);
        Temp out = p.temp();
        Reg r = out.kind() == Temp.Kind.REG ? out.reg() : R1;
        switch (pl) {
            case Place.Stack s -> asm.ldx(sz, r, R10, s.off());
            case Place.Ctx c -> asm.ldx(sz, r, R6, c.off());
            case Place.Mem m -> {
                int slot = p.frame.alloc(8, Span.NONE);
                read(slot, size, m);
                asm.ldx(sz, r, R10, slot);
            }
        }
        if (t instanceof Type.Int it && it.signed() && size < 8) extendTo(r, it);
        p.set(out, r);
        return out;
    }

    /** bpf_probe_read_{kernel,user}(r10 + dst, size, addr + off), releasing the address temporary. */
    void read(int dst, int size, Place.Mem m) {
        Reg a = p.use(m.addr(), R3);
        asm.mov(R3, a);
        if (m.off() != 0) asm.alu(AluOp.ADD, R3, m.off());
        p.release(m.addr());
        asm.stackAddr(R1, dst);
        asm.mov(R2, size);
        asm.call(p.reader(m.user(), false));
        p.checked("probe_read", 1, false);
    }

    static Size size(int bytes) {
        return switch (bytes) {
            case 1 -> Size.B;
            case 2 -> Size.H;
            case 4 -> Size.W;
            default -> Size.DW;
        };
    }

    /** Copies {@code size} bytes from {@code pl} to the stack at r10 + dst. */
    void copy(Place pl, int dst, int size) {
        switch (pl) {
            case Place.Stack s -> copy(R10, s.off(), dst, size);
            case Place.Ctx c -> {
                asm.mov(R3, R6);
                if (c.off() != 0) asm.alu(AluOp.ADD, R3, c.off());
                asm.stackAddr(R1, dst);
                asm.mov(R2, size);
                asm.call(Helper.PROBE_READ_KERNEL);
            }
            case Place.Mem m -> read(dst, size, m);
        }
    }

    /**
     * The largest access (8, 4, 2 or 1 bytes) that fits in {@code left} bytes and keeps the stack offsets
     * naturally aligned: the verifier insists on aligned stack accesses.
     */
    static int chunk(int left, int... offsets) {
        for (int c : new int[] {8, 4, 2, 1}) {
            if (c > left) continue;
            boolean aligned = true;
            for (int o : offsets) if (Math.floorMod(o, c) != 0) aligned = false;
            if (aligned) return c;
        }
        return 1;
    }

    /** Copies {@code size} bytes from {@code base + from} (stack or map value) to r10 + dst, through r1. */
    void copy(Reg base, int from, int dst, int size) {
        for (int i = 0; i < size; ) {
            int c = base == R10 ? chunk(size - i, from + i, dst + i) : chunk(size - i, dst + i);
            asm.ldx(size(c), R1, base, from + i);
            asm.stx(size(c), R10, dst + i, R1);
            i += c;
        }
    }

    /** Zeroes {@code size} bytes at r10 + off. */
    void zero(int off, int size) {
        for (int i = 0; i < size; ) {
            int c = chunk(size - i, off + i);
            asm.st(size(c), R10, off + i, 0);
            i += c;
        }
    }

    /** Writes {@code bytes} at r10 + off. */
    void bytes(int off, byte[] bytes) {
        for (int i = 0; i < bytes.length; ) {
            int c = chunk(bytes.length - i, off + i);
            long v = 0;
            for (int k = c - 1; k >= 0; k--) v = (v << 8) | (bytes[i + k] & 0xff);
            if (c < 8 || (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)) {
                asm.st(size(c), R10, off + i, (int) v);
            } else {
                asm.mov(R1, v);
                asm.stx(Size.DW, R10, off + i, R1);
            }
            i += c;
        }
    }

    /** True when a value of {@code t} has bytes no part of it writes (padding), which must be zeroed. */
    static boolean padded(Type t) {
        if (t instanceof Type.Tuple tu) {
            int sum = 0;
            for (Type e : tu.elements()) {
                if (padded(e)) return true;
                sum += e.size();
            }
            return sum != tu.size();
        }
        return t instanceof Type.Record;
    }

    // ---- values in memory ----

    /** Writes the value of {@code e} (exactly its type's size) at r10 + off. */
    void into(Expr e, int off) {
        Type t = type(e);
        Span old = asm.at(e.span());
        try {
            if (t.scalar()) {
                Temp v = eval(e);
                asm.stx(size(t.size()), R10, off, p.use(v, R1));
                p.release(v);
                return;
            }
            switch (e) {
                case Expr.Str s -> bytes(off, Arrays.copyOf(s.value().getBytes(StandardCharsets.UTF_8), t.size()));
                case Expr.Positional pos -> bytes(off, Arrays.copyOf(p.cx.analysis.params().text(pos.index()).getBytes(StandardCharsets.UTF_8), t.size()));
                case Expr.Builtin b -> p.calls.builtinInto(b, off);
                case Expr.Var v -> copy(R10, p.varSlots.get(v.name()), off, t.size());
                case Expr.MapRef m -> mapInto(m, off, t.size());
                case Expr.Call c -> p.calls.into(c, off);
                case Expr.Binary b when b.op() == BinOp.CONCAT -> concat(b, off, t.size());
                case Expr.Tuple tu -> {
                    Type.Tuple layout = (Type.Tuple) t;
                    if (padded(layout)) zero(off, layout.size());
                    for (int i = 0; i < tu.elements().size(); i++)
                        store(tu.elements().get(i), off + layout.offset(i), layout.elements().get(i));
                }
                case Expr.Cast c when t instanceof Type.Array -> { // an integer's bytes as an array
                    Temp v = eval(c.operand());
                    asm.stx(size(t.size()), R10, off, p.use(v, R1));
                    p.release(v);
                }
                case Expr.Record rec -> {
                    Type.Record layout = (Type.Record) t;
                    zero(off, layout.size());
                    for (int i = 0; i < rec.values().size(); i++) {
                        Type.Field f = layout.fields().get(i);
                        store(rec.values().get(i), off + f.offset(), f.type());
                    }
                }
                case Expr.Ternary tr -> {
                    String no = asm.label("else"), end = asm.label("fi");
                    branch(tr.cond(), false, no);
                    store(tr.then(), off, t);
                    asm.ja(end);
                    asm.place(no);
                    store(tr.otherwise(), off, t);
                    asm.place(end);
                }
                default -> copy(place(e), off, t.size());
            }
        } finally {
            asm.at(old);
        }
    }

    /**
     * SystemTap's {@code a . b . c} into the {@code size} bytes at r10 + off: each piece (left to right) copied with
     * bpf_probe_read_kernel_str (from the stack) into a buffer with room for all, where the count of the one before
     * ends; then as much as {@code size} holds, NUL-terminated. A piece's temporaries are released once it is copied.
     */
    private void concat(Expr.Binary b, int off, int size) {
        List<Expr> pieces = new ArrayList<>();
        LoweredCalls.flatten(b, pieces);
        int capacity = 1;
        for (Expr e : pieces) capacity += type(e).size() - 1;
        int buf = p.frame.alloc(capacity, b.span()), pos = p.frame.alloc(8, b.span());
        zero(buf, capacity);
        asm.st(Size.DW, R10, pos, 0);
        int bound = 0; // the most pos can hold before the piece
        for (Expr e : pieces) {
            int mark = p.frame.mark(), ps = type(e).size();
            int src = onStack(e, ps);
            asm.ldx(Size.DW, R4, R10, pos);
            asm.stackAddr(R1, buf);
            asm.alu(AluOp.ADD, R1, R4);
            asm.mov(R2, ps);
            asm.stackAddr(R3, src);
            asm.call(Helper.PROBE_READ_KERNEL_STR);
            // the next piece starts on this one's NUL: pos + count - 1, at most bound + ps - 1
            bound += ps - 1;
            String ok = asm.label("len"), clamp = asm.label("clamp");
            asm.jmp(JmpOp.JSLT, R0, 1, clamp);
            asm.ldx(Size.DW, R4, R10, pos);
            asm.alu(AluOp.ADD, R4, R0);
            asm.alu(AluOp.SUB, R4, 1);
            asm.jmp(JmpOp.JLE, R4, bound, ok);
            asm.place(clamp);
            asm.mov(R4, bound);
            asm.place(ok);
            asm.stx(Size.DW, R10, pos, R4);
            p.frame.release(mark);
        }
        copy(R10, buf, off, Math.min(size, capacity));
        if (size < capacity) asm.st(Size.B, R10, off + size - 1, 0);
        else if (size > capacity) zero(off + capacity, size - capacity);
    }

    /** Where the string {@code e} is on the stack: a variable's own slot, else a new one it is written to. */
    private int onStack(Expr e, int size) {
        if (e instanceof Expr.Var v && p.varSlots.containsKey(v.name())) return p.varSlots.get(v.name());
        int slot = p.frame.alloc(size, e.span());
        into(e, slot);
        return slot;
    }

    private void mapInto(Expr.MapRef m, int off, int size) {
        MapPlan plan = p.cx.map(m.name());
        int key = p.mapKey(plan, m.keys());
        p.lookup(plan, key);
        p.checked("map_lookup_elem", 1, true);
        String absent = asm.label("absent"), end = asm.label("end");
        asm.jmp(JmpOp.JEQ, R0, 0, absent);
        copy(R0, 0, off, size);
        asm.ja(end);
        asm.place(absent);
        zero(off, size);
        asm.place(end);
    }

    /** Writes the value of {@code e} at r10 + off as a value of {@code dest} (ints widened, strings padded). */
    void store(Expr e, int off, Type dest) {
        Type t = type(e);
        if (dest.scalar()) {
            Temp v = eval(e);
            if (v.smallConst()) asm.st(size(dest.size()), R10, off, (int) v.value());
            else asm.stx(size(dest.size()), R10, off, p.use(v, R1));
            p.release(v);
        } else if (dest instanceof Type.Str ds && t instanceof Type.Str ts && ts.size() < ds.size()) {
            into(e, off);
            zero(off + ts.size(), ds.size() - ts.size());
        } else if (dest instanceof Type.Tuple dt && t instanceof Type.Tuple tt && !dt.equals(tt)) {
            if (e instanceof Expr.Tuple lit) {
                if (padded(dt)) zero(off, dt.size());
                for (int i = 0; i < lit.elements().size(); i++) store(lit.elements().get(i), off + dt.offset(i), dt.elements().get(i));
            } else {
                int tmp = p.frame.alloc(tt.size(), e.span());
                into(e, tmp);
                convert(tmp, tt, off, dt);
            }
        } else if (dest instanceof Type.Buf db && t instanceof Type.Buf tb && tb.capacity() < db.capacity()) {
            into(e, off);
            zero(off + tb.size(), db.size() - tb.size());
        } else {
            into(e, off);
        }
    }

    /** Copies a tuple laid out as {@code from} at r10 + src into the layout {@code to} at r10 + dst. */
    private void convert(int src, Type.Tuple from, int dst, Type.Tuple to) {
        if (padded(to)) zero(dst, to.size());
        for (int i = 0; i < to.elements().size(); i++) {
            Type a = from.elements().get(i), b = to.elements().get(i);
            int s = src + from.offset(i), d = dst + to.offset(i);
            if (a instanceof Type.Tuple ta && b instanceof Type.Tuple tb && !ta.equals(tb)) convert(s, ta, d, tb);
            else if (a instanceof Type.Int ia && b instanceof Type.Int ib && ia.size() != ib.size()) {
                asm.ldx(size(ia.size()), R1, R10, s);
                if (ia.signed()) extendTo(R1, ia);
                asm.stx(size(ib.size()), R10, d, R1);
            } else copy(R10, s, d, Math.min(a.size(), b.size()));
        }
    }

    // ---- conditions ----

    /** Jumps to {@code label} when {@code c} is true ({@code when}) or false (not {@code when}). */
    void branch(Expr c, boolean when, String label) {
        Long k = type(c) instanceof Type.Int ? folded(c) : null;
        if (k != null) {
            if ((k != 0) == when) asm.ja(label);
            return;
        }
        Span old = asm.at(c.span());
        try {
            if (c instanceof Expr.Unary u && u.op() == org.bpf4j.lang.syntax.UnOp.NOT) {
                branch(u.operand(), !when, label);
            } else if (c instanceof Expr.Binary b && b.op().logical() && constant(b.left(), type(b.left())) != null) {
                boolean l = constant(b.left(), type(b.left())) != 0;
                if (b.op() == BinOp.LAND ? !l : l) {
                    if ((b.op() == BinOp.LOR) == when) asm.ja(label);
                } else {
                    branch(b.right(), when, label);
                }
            } else if (c instanceof Expr.Binary b && b.op() == BinOp.LAND) {
                if (when) {
                    String skip = asm.label("and");
                    branch(b.left(), false, skip);
                    branch(b.right(), true, label);
                    asm.place(skip);
                } else {
                    branch(b.left(), false, label);
                    branch(b.right(), false, label);
                }
            } else if (c instanceof Expr.Binary b && b.op() == BinOp.LOR) {
                if (when) {
                    branch(b.left(), true, label);
                    branch(b.right(), true, label);
                } else {
                    String skip = asm.label("or");
                    branch(b.left(), true, skip);
                    branch(b.right(), false, label);
                    asm.place(skip);
                }
            } else if (c instanceof Expr.Binary b && b.op().comparison() && type(b.left()).scalar()) {
                compare(b, when, label);
            } else if (c instanceof Expr.Binary b && (b.op() == BinOp.EQ || b.op() == BinOp.NE)) {
                boolean jumpIfSame = (b.op() == BinOp.EQ) == when;
                String other = asm.label("cmp");
                p.calls.compareMemory(b.left(), b.right(), -1, jumpIfSame ? other : label, jumpIfSame ? label : other);
                asm.place(other);
            } else {
                Temp t = eval(c);
                asm.jmp(when ? JmpOp.JNE : JmpOp.JEQ, p.use(t, R1), 0, label);
                p.release(t);
            }
        } finally {
            asm.at(old);
        }
    }

    private void compare(Expr.Binary b, boolean when, String label) {
        BinOp op = when ? b.op() : ProbeCompiler.negate(b.op());
        boolean unsigned = ProbeCompiler.unsignedCompare(type(b.left()), type(b.right()));
        Temp l = eval(b.left()), r = eval(b.right());
        if (l.isConst() && !r.isConst()) {
            Temp x = l;
            l = r;
            r = x;
            op = switch (op) {
                case LT -> BinOp.GT;
                case GT -> BinOp.LT;
                case LE -> BinOp.GE;
                case GE -> BinOp.LE;
                default -> op;
            };
        }
        Reg rl = p.use(l, R1);
        if (r.smallConst()) asm.jmp(ProbeCompiler.jump(op, unsigned), rl, (int) r.value(), label);
        else asm.jmp(ProbeCompiler.jump(op, unsigned), rl, p.use(r, R2), label);
        p.release(l);
        p.release(r);
    }
}
