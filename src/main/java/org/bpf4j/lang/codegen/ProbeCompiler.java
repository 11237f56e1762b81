package org.bpf4j.lang.codegen;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.events.EventOutput;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.sema.Unit;
import org.bpf4j.lang.syntax.BinOp;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.Stmt;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bpf4j.asm.Reg.*;

/**
 * Compiles one unit (a probe body at one attach point) into a BPF program. Register use: r6 holds the context
 * for the whole program; r7 to r9 hold intermediate values (spilled to the stack when all three are busy; r9 is
 * the scratch memory's base instead in a program compiled in scratch mode, see {@link Frame});
 * r0 to r5 are scratch between helper calls. Statement temporaries are released after each statement.
 */
final class ProbeCompiler {
    final Context cx;
    final Unit unit;
    final Asm asm = new Asm();
    /** The frame, free registers, loops and return label of the function being compiled (a callback has its own). */
    Frame frame;
    final ExprCompiler exprs;
    final CallCompiler calls;
    final Callbacks callbacks;
    final Map<String, Integer> varSlots = new HashMap<>();
    Deque<Reg> free = new ArrayDeque<>(List.of(R7, R8, R9));
    Deque<String[]> loops = new ArrayDeque<>();
    String exitLabel;

    /** Where a USDT probe's sites keep their arguments (empty for other probes). */
    final List<org.bpf4j.usdt.UsdtArgument> usdtArgs;

    ProbeCompiler(Context cx, Unit unit, List<org.bpf4j.usdt.UsdtArgument> usdtArgs) { this(cx, unit, usdtArgs, false); }

    /** With {@code scratch}, big objects live in scratch memory that r9 points to (see {@link Frame}). */
    ProbeCompiler(Context cx, Unit unit, List<org.bpf4j.usdt.UsdtArgument> usdtArgs, boolean scratch) {
        this.cx = cx;
        this.unit = unit;
        this.usdtArgs = usdtArgs;
        this.frame = new Frame(cx.analysis.script().source(), scratch);
        if (scratch) free.remove(Asm.SCRATCH_BASE);
        this.exprs = new ExprCompiler(this);
        this.calls = new CallCompiler(this);
        this.callbacks = new Callbacks(this);
        this.exitLabel = asm.label("exit");
    }

    ProgramPlan compile(String name, ProgramType type) {
        asm.at(unit.probe().span());
        asm.mov(R6, R1);
        if (frame.scratch()) scratchBase();
        ExitGate.check(this);
        // the variables loops over maps use come first: the header their callbacks copy (see Callbacks)
        java.util.Set<String> shared = org.bpf4j.lang.syntax.LoopVars.of(unit.probe().body());
        for (var v : unit.vars().entrySet())
            if (shared.contains(v.getKey())) varSlots.put(v.getKey(), frame.alloc(v.getValue().size(), unit.probe().span()));
        callbacks.reserve(unit.probe().body());
        for (var v : unit.vars().entrySet())
            if (!shared.contains(v.getKey())) varSlots.put(v.getKey(), frame.alloc(v.getValue().size(), unit.probe().span()));
        if (unit.probe().predicate() != null) {
            Expr pred = unit.probe().predicate();
            asm.at(pred.span());
            int mark = frame.mark();
            exprs.branch(pred, false, exitLabel);
            frame.release(mark);
        }
        statements(unit.probe().body());
        asm.place(exitLabel);
        asm.mov(R0, 0);
        asm.exit();
        callbacks.finish();
        DeadCode.Result live = DeadCode.strip(asm.build(), asm.spans(), asm.symbols());
        if (frame.scratch()) cx.scratchBytes = Math.max(cx.scratchBytes, frame.scratchMax());
        return new ProgramPlan(unit, new ProgramSpec(name, type, live.program(), cx.license), live.spans(), frame.max(),
                java.util.Map.of(), live.symbols());
    }

    /** r9 = this CPU's entry of the scratch map (a per-CPU array), where the big objects of a scratch-mode program live. */
    private void scratchBase() {
        cx.internal.add(Context.SCRATCH);
        int mark = frame.mark(), key = frame.alloc(8, Span.NONE);
        asm.st(Size.DW, R10, key, 0);
        asm.stackAddr(R2, key);
        asm.loadMap(R1, Context.SCRATCH);
        asm.call(Helper.MAP_LOOKUP_ELEM);
        asm.jmp(JmpOp.JEQ, R0, 0, exitLabel);
        asm.mov(Asm.SCRATCH_BASE, R0);
        frame.release(mark);
    }

    // ---- temporaries ----

    /** A fresh temporary: a free callee-saved register, else a stack slot. */
    Temp temp() {
        Reg r = free.poll();
        return r != null ? Temp.register(r) : Temp.stack(frame.alloc(8, Span.NONE), true);
    }

    void release(Temp t) {
        if (t.kind() == Temp.Kind.REG && t.owned() && !free.contains(t.reg())) free.push(t.reg());
    }

    /** The register holding {@code t}'s value, loading it into {@code scratch} when it is not in one. */
    Reg use(Temp t, Reg scratch) {
        return switch (t.kind()) {
            case REG -> t.reg();
            case SLOT -> { asm.ldx(Size.DW, scratch, R10, t.slot()); yield scratch; }
            case CONST -> { asm.mov(scratch, t.value()); yield scratch; }
        };
    }

    /** Stores {@code src} into temporary {@code t}. */
    void set(Temp t, Reg src) {
        switch (t.kind()) {
            case REG -> asm.mov(t.reg(), src);
            case SLOT -> asm.stx(Size.DW, R10, t.slot(), src);
            case CONST -> throw new IllegalStateException("cannot set a constant");
        }
    }

    /** A temporary this code may change: {@code t} itself when owned, else a copy. */
    Temp owned(Temp t) {
        if (t.owned() && t.kind() != Temp.Kind.CONST) return t;
        Temp n = temp();
        Reg r = n.kind() == Temp.Kind.REG ? n.reg() : R1;
        asm.mov(r, use(t, r));
        set(n, r);
        return n;
    }

    /** Puts the value of {@code t} in register {@code r} (for helper arguments). */
    void load(Reg r, Temp t) {
        Reg src = use(t, r);
        asm.mov(r, src);
    }

    // ---- statements ----

    void statements(List<Stmt> body) {
        for (Stmt s : body) {
            Span old = asm.at(s.span());
            int mark = frame.mark();
            statement(s);
            frame.release(mark);
            asm.at(old);
        }
    }

    private void statement(Stmt s) {
        switch (s) {
            case Stmt.ExprStmt es -> {
                Expr e = es.expr();
                Type t = unit.type(e);
                if (e instanceof Expr.Call c && t instanceof Type.None) calls.statement(c);
                else if (e instanceof Expr.Ternary tr && t instanceof Type.None) {
                    String no = asm.label("else"), end = asm.label("fi");
                    exprs.branch(tr.cond(), false, no);
                    statements(List.of(new Stmt.ExprStmt(tr.then(), tr.then().span())));
                    asm.ja(end);
                    asm.place(no);
                    statements(List.of(new Stmt.ExprStmt(tr.otherwise(), tr.otherwise().span())));
                    asm.place(end);
                } else if (t.scalar()) release(exprs.eval(e));
                else if (!(t instanceof Type.None)) exprs.into(e, frame.alloc(t.size(), e.span()));
            }
            case Stmt.Assign a -> assign(a);
            case Stmt.If i when exprs.folded(i.cond()) != null && unit.type(i.cond()) instanceof Type.Int ->
                    statements(exprs.folded(i.cond()) != 0 ? i.then() : i.otherwise());
            case Stmt.If i -> {
                String no = asm.label("else"), end = asm.label("fi");
                exprs.branch(i.cond(), false, i.otherwise().isEmpty() ? end : no);
                statements(i.then());
                if (!i.otherwise().isEmpty()) {
                    asm.ja(end);
                    asm.place(no);
                    statements(i.otherwise());
                }
                asm.place(end);
            }
            case Stmt.While w -> {
                String top = asm.label("while"), end = asm.label("done");
                asm.place(top);
                int mark = frame.mark();
                exprs.branch(w.cond(), false, end);
                frame.release(mark);
                loops.push(new String[] {top, end});
                statements(w.body());
                loops.pop();
                asm.ja(top);
                asm.place(end);
            }
            case Stmt.Unroll u -> {
                long n = exprs.constant(u.count());
                for (long i = 0; i < n; i++) statements(u.body());
            }
            case Stmt.Block b -> statements(b.body());
            case Stmt.Return r -> asm.ja(exitLabel);
            case Stmt.Let l -> {
                Type t = unit.vars().get(l.var().name());
                // a scalar is read back as 64 bits whatever its type (an int8 literal's variable too): zero them all
                exprs.zero(varSlots.get(l.var().name()), t.scalar() ? 8 : t.size());
            }
            case Stmt.Break b -> asm.ja(loops.peek()[1]);
            case Stmt.Continue c -> asm.ja(loops.peek()[0]);
            case Stmt.Foreach f -> calls.foreach(f);
            case Stmt.ForMap f -> callbacks.forMap(f);
        }
    }

    private void assign(Stmt.Assign a) {
        if (a.value() instanceof Expr.Call c && unit.type(a.target()) instanceof Type.Agg agg) {
            calls.aggregate((Expr.MapRef) a.target(), agg, c);
            return;
        }
        switch (a.target()) {
            case Expr.Var v -> {
                Type vt = unit.vars().get(v.name());
                int slot = varSlots.get(v.name());
                if (a.op() != null) {
                    Temp cur = Temp.stack(slot, false);
                    Temp r = exprs.arithmetic(a.op(), cur, unit.type(v), exprs.eval(a.value()), unit.type(a.value()));
                    asm.stx(Size.DW, R10, slot, use(r, R1));
                    release(r);
                } else if (vt.scalar()) {
                    Temp t = exprs.eval(a.value());
                    asm.stx(Size.DW, R10, slot, use(t, R1));
                    release(t);
                } else {
                    exprs.store(a.value(), slot, vt);
                }
            }
            case Expr.MapRef m -> {
                MapPlan plan = cx.map(m.name());
                if (a.op() != null) {
                    Temp cur = exprs.mapRead(m);
                    Temp r = exprs.arithmetic(a.op(), cur, unit.type(m), exprs.eval(a.value()), unit.type(a.value()));
                    mapWrite(plan, m.keys(), r);
                    release(r);
                    return;
                }
                int key = mapKey(plan, m.keys());
                int val = frame.alloc(plan.value().size(), a.span());
                exprs.store(a.value(), val, plan.value());
                update(plan, key, val, 0);
                updated(plan, a.span());
            }
            default -> throw new IllegalStateException("assignment to " + a.target());
        }
    }

    // ---- maps ----

    /** Builds the key of {@code plan} from {@code keys} in a new stack slot; returns the slot. */
    int mapKey(MapPlan plan, List<Expr> keys) {
        int off = frame.alloc(plan.key().size(), Span.NONE);
        Type user = plan.key().elements().getFirst();
        if (keys.isEmpty()) {
            asm.st(Size.DW, R10, off, 0);
        } else if (keys.size() == 1) {
            exprs.store(keys.getFirst(), off, user);
        } else {
            Type.Tuple tuple = (Type.Tuple) user;
            if (ExprCompiler.padded(tuple)) exprs.zero(off, tuple.size());
            for (int i = 0; i < keys.size(); i++) exprs.store(keys.get(i), off + tuple.offset(i), tuple.elements().get(i));
        }
        return off;
    }

    /** r0 = bpf_map_lookup_elem(map, r10 + key). */
    void lookup(MapPlan plan, int key) {
        asm.loadMap(R1, plan.name());
        asm.stackAddr(R2, key);
        asm.call(Helper.MAP_LOOKUP_ELEM);
    }

    /**
     * The helper that reads memory at a pointer: the user or kernel one for a pointer known to be in one of them;
     * in a probe that is in neither (BEGIN, END, interval, profile, software), bpftrace's plain bpf_probe_read (or
     * _str), which reads user memory for a user address and kernel memory for a kernel one.
     */
    Helper reader(boolean user, boolean str) {
        if (user) return str ? Helper.PROBE_READ_USER_STR : Helper.PROBE_READ_USER;
        Attach at = unit.point();
        boolean anywhere = at instanceof Attach.Begin || at instanceof Attach.End || at instanceof Attach.Signal || at instanceof Attach.Run || at instanceof Attach.Interval
                || at instanceof Attach.Profile || at instanceof Attach.Software || at instanceof Attach.Hardware;
        if (anywhere) return str ? Helper.PROBE_READ_STR : Helper.PROBE_READ;
        return str ? Helper.PROBE_READ_KERNEL_STR : Helper.PROBE_READ_KERNEL;
    }

    /**
     * With -k (v0.26 reports every checked helper at level 1; -kk, gone from v0.26, is the same), reports a helper
     * that just failed: r0 negative, or null when {@code pointer}. r0 keeps its value.
     */
    void checked(String helper, int level, boolean pointer) {
        if (cx.options.helperChecks() < level) return;
        String ok = asm.label("ok");
        asm.jmp(pointer ? JmpOp.JNE : JmpOp.JSGE, R0, 0, ok);
        int slot = frame.alloc(8, Span.NONE);
        asm.stx(Size.DW, R10, slot, R0);
        Type.Tuple payload = payload(List.of(Type.INT64));
        Span at = asm.current();
        int id = cx.action(new Action.HelperError(helper, cx.analysis.script().source().name(), at.line(), at.col(), payload));
        int off = frame.alloc(payload.size(), Span.NONE);
        asm.st(Size.DW, R10, off, id);
        asm.ldx(Size.DW, R1, R10, slot);
        asm.stx(Size.DW, R10, off + 8, R1);
        output(R10, off, payload.size());
        asm.ldx(Size.DW, R0, R10, slot);
        asm.place(ok);
    }

    /** v0.26's warning when an update finds its map full. */
    private static final Format MAP_FULL = Format.literal("Map full; can't update element. Try increasing max_map_keys config"
            + " or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`");

    /** The errno bpf_map_update_elem returns for a new key in a full hash map. */
    private static final int E2BIG = 7;

    /**
     * After bpf_map_update_elem into {@code plan}: a map declared with a size (v0.26's {@code let @m = hash(N)})
     * that cannot evict warns when it is full, as v0.26 does without -k; with -k every failure is reported.
     * Maps made at the default size are only checked with -k (their check would cost every update instructions).
     */
    void updated(MapPlan plan, Span at) {
        var declared = plan.decl() == null ? null : cx.analysis.script().declared().get(plan.decl().name());
        if (declared == null || declared.kind().evicts() || cx.options.helperChecks() >= 1) {
            checked("map_update_elem", 1, false);
            return;
        }
        String stored = asm.label("stored");
        asm.jmp(JmpOp.JNE, R0, -E2BIG, stored);
        Type.Tuple payload = payload(List.of());
        event(cx.action(diagnostic(Action.Diagnostic.Level.WARNING, at, MAP_FULL, payload)), List.of(), payload);
        asm.place(stored);
    }

    /** A runtime diagnostic placed at {@code at} as bpftrace places them: {@code FILE:LINE:COL-END} and the line. */
    Action.Diagnostic diagnostic(Action.Diagnostic.Level level, Span at, Format format, Type.Tuple payload) {
        return diagnostic(level, at, true, format, payload);
    }

    /**
     * A diagnostic at {@code at}, with the script's line when {@code withLine} (v0.26 shows none under errorf() and
     * warnf(), whose call is the message's own), and the macro calls {@code at} was expanded from, each with its
     * line and a {@code ~} under the call.
     */
    Action.Diagnostic diagnostic(Action.Diagnostic.Level level, Span at, boolean withLine, Format format, Type.Tuple payload) {
        var source = cx.analysis.script().source();
        if (at.line() <= 0) return new Action.Diagnostic(level, source.name(), "", List.of(), format, payload);
        List<Action.Diagnostic.Context> chain = new ArrayList<>();
        for (Span from = at.expandedFrom(); from != null && from.line() > 0; from = from.expandedFrom())
            chain.add(new Action.Diagnostic.Context(where(from), source.line(from.line()),
                    " ".repeat(from.col() - 1) + "~".repeat(Math.max(1, from.length()))));
        return new Action.Diagnostic(level, where(at), withLine ? source.line(at.line()) : "", chain, format, payload);
    }

    /** {@code FILE:LINE:COL-END}, as v0.26 places a message. */
    private String where(Span at) {
        return cx.analysis.script().source().name() + ":" + at.line() + ":" + at.col() + "-" + (at.col() + Math.max(1, at.length()));
    }

    /** bpf_map_update_elem(map, r10 + key, r10 + value, flags). */
    void update(MapPlan plan, int key, int value, int flags) {
        asm.loadMap(R1, plan.name());
        asm.stackAddr(R2, key);
        asm.stackAddr(R3, value);
        asm.mov(R4, flags);
        asm.call(Helper.MAP_UPDATE_ELEM);
    }

    /** Stores the scalar {@code value} under {@code keys}. */
    void mapWrite(MapPlan plan, List<Expr> keys, Temp value) {
        int key = mapKey(plan, keys);
        int val = frame.alloc(8, Span.NONE);
        asm.stx(Size.DW, R10, val, use(value, R1));
        update(plan, key, val, 0);
    }

    void delete(MapPlan plan, List<Expr> keys) {
        int key = mapKey(plan, keys);
        asm.loadMap(R1, plan.name());
        asm.stackAddr(R2, key);
        asm.call(Helper.MAP_DELETE_ELEM);
        checked("map_delete_elem", 1, false);
    }

    // ---- events ----

    /** Sends an event of action {@code id} with {@code args} laid out as {@code payload} (element 0 the id). */
    void event(int id, List<Expr> args, Type.Tuple payload) {
        int off = frame.alloc(payload.size(), Span.NONE);
        if (ExprCompiler.padded(payload)) exprs.zero(off, payload.size());
        asm.st(Size.DW, R10, off, id);
        for (int i = 0; i < args.size(); i++) exprs.store(args.get(i), off + payload.offset(i + 1), payload.elements().get(i + 1));
        output(R10, off, payload.size());
    }

    /** An event of action {@code id} carrying constants, each stored in its payload slot's width. */
    void event(int id, long[] values, Type.Tuple payload) {
        int off = frame.alloc(payload.size(), Span.NONE);
        if (ExprCompiler.padded(payload)) exprs.zero(off, payload.size());
        asm.st(Size.DW, R10, off, id);
        for (int i = 0; i < values.length; i++) {
            Size size = ExprCompiler.size(payload.elements().get(i + 1).size());
            Temp v = Temp.constant(values[i]);
            if (v.smallConst()) asm.st(size, R10, off + payload.offset(i + 1), (int) v.value());
            else asm.stx(size, R10, off + payload.offset(i + 1), use(v, R1));
            release(v);
        }
        output(R10, off, payload.size());
    }

    /** Sends {@code size} bytes at {@code base + off} through the events channel, counting a failure as lost. */
    void output(Reg base, int off, int size) {
        String done = asm.label("sent");
        Reg from = Asm.base(base, off);
        int at = Asm.local(base, off);
        asm.emit(b -> EventOutput.emit(b, cx.options.channel(), R6, from, at, size, Context.EVENTS, Context.LOST, done));
    }

    /** The payload layout of an event carrying values of these types (integers widened to 64 bits, an enum keeping its names). */
    static Type.Tuple payload(List<Type> types) {
        List<Type> el = new ArrayList<>();
        el.add(Type.UINT64);
        for (Type t : types) el.add(t instanceof Type.Int i ? new Type.Int(8, i.signed(), false, i.enumeration()) : t);
        return new Type.Tuple(el);
    }

    /** Jumps to the innermost loop's end ({@code break}). */
    String loopEnd() { return loops.peek()[1]; }

    /** A comparison is signed only when both sides are signed integers, as bpftrace's. */
    static boolean unsignedCompare(Type l, Type r) {
        return !(l instanceof Type.Int a && a.signed() && r instanceof Type.Int b && b.signed());
    }

    static boolean unsigned64(Type t) {
        return t instanceof Type.Ptr || (t instanceof Type.Int i && !i.signed() && i.size() == 8)
                || (t instanceof Type.Special s && s.scalar());
    }

    /** The jump that is taken when {@code l op r} holds. */
    static JmpOp jump(BinOp op, boolean unsigned) {
        return switch (op) {
            case EQ -> JmpOp.JEQ;
            case NE -> JmpOp.JNE;
            case LT -> unsigned ? JmpOp.JLT : JmpOp.JSLT;
            case LE -> unsigned ? JmpOp.JLE : JmpOp.JSLE;
            case GT -> unsigned ? JmpOp.JGT : JmpOp.JSGT;
            case GE -> unsigned ? JmpOp.JGE : JmpOp.JSGE;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    static BinOp negate(BinOp op) {
        return switch (op) {
            case EQ -> BinOp.NE;
            case NE -> BinOp.EQ;
            case LT -> BinOp.GE;
            case GE -> BinOp.LT;
            case GT -> BinOp.LE;
            case LE -> BinOp.GT;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }
}
