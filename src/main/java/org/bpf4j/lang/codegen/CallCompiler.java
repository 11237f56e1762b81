package org.bpf4j.lang.codegen;

import org.bpf4j.UserException;
import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.asm.SwapOp;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Inet;
import org.bpf4j.lang.sema.Signals;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.LoweredCalls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

import static org.bpf4j.asm.Reg.*;

/** Function calls to BPF: statements that send events, aggregations, and functions that compute values. */
final class CallCompiler {
    /** join(): at most this many arguments, each at most {@link #JOIN_STRLEN} bytes. */
    static final int JOIN_MAX = 16, JOIN_STRLEN = 64;
    /** The join buffer: action u64, count u64, then the strings. */
    static final int JOIN_SIZE = 16 + JOIN_MAX * JOIN_STRLEN;
    /** BPF_F_USER_STACK. */
    static final int USER_STACK = 1 << 8;

    private final ProbeCompiler p;
    private final Asm asm;
    private final ExprCompiler x;

    CallCompiler(ProbeCompiler p) {
        this.p = p;
        this.asm = p.asm;
        this.x = p.exprs;
    }

    private List<Type> types(List<Expr> args) {
        List<Type> out = new ArrayList<>();
        for (Expr a : args) out.add(x.type(a));
        return out;
    }

    /** A call made for its effect. */
    void statement(Expr.Call c) {
        List<Expr> args = c.args();
        switch (c.name()) {
            case "printf", "system", "cat" -> {
                List<Expr> values = args.subList(1, args.size());
                Type.Tuple payload = ProbeCompiler.payload(types(values));
                Action.Printf.Kind kind = switch (c.name()) {
                    case "system" -> Action.Printf.Kind.SYSTEM;
                    case "cat" -> Action.Printf.Kind.CAT;
                    default -> Action.Printf.Kind.PRINTF;
                };
                String text = ((Expr.Str) args.getFirst()).value();
                Format format = kind == Action.Printf.Kind.PRINTF && values.isEmpty() ? Format.literal(text) : Format.parse(text);
                int id = p.cx.action(new Action.Printf(kind, format, payload));
                p.event(id, values, payload);
            }
            case "errorf", "warnf" -> {
                List<Expr> values = args.subList(1, args.size());
                Type.Tuple payload = ProbeCompiler.payload(types(values));
                Action.Diagnostic.Level level = c.name().equals("errorf") ? Action.Diagnostic.Level.ERROR : Action.Diagnostic.Level.WARNING;
                String text = ((Expr.Str) args.getFirst()).value();
                Format format = values.isEmpty() ? Format.literal(text) : Format.parse(text);
                p.event(p.cx.action(p.diagnostic(level, c.span(), false, format, payload)), values, payload);
            }
            case "debugf" -> debugf(c);
            case LoweredCalls.HIST_PRINT -> {
                Type.Tuple payload = ProbeCompiler.payload(List.of());
                p.event(p.cx.action(new Action.PrintStapHist(((Expr.MapRef) args.getFirst()).name(),
                        ((Expr.Int) args.get(1)).value() != 0, ((Expr.Int) args.get(2)).value(), ((Expr.Int) args.get(3)).value(),
                        payload)), List.of(), payload);
            }
            case "time" -> {
                Type.Tuple payload = ProbeCompiler.payload(List.of());
                String fmt = args.isEmpty() ? "%H:%M:%S\n" : ((Expr.Str) args.getFirst()).value();
                p.event(p.cx.action(new Action.Time(fmt, payload)), List.of(), payload);
            }
            case "exit" -> {
                Type.Tuple payload = ProbeCompiler.payload(List.of(Type.INT64));
                int action = p.cx.action(new Action.Exit(payload));
                if (args.isEmpty()) p.event(action, new long[] {0}, payload);   // exit(): status 0
                else p.event(action, args, payload);
                ExitGate.set(p);
                asm.ja(p.exitLabel);
            }
            case "print", LoweredCalls.PRINT_INLINE, LoweredCalls.PRINT_LINE -> {
                Expr a = args.getFirst();
                if (a instanceof Expr.MapRef m && m.keys().isEmpty() && c.name().equals("print")) {
                    long top = args.size() > 1 ? x.constant(args.get(1)) : 0;
                    long div = args.size() > 2 ? x.constant(args.get(2)) : 0;
                    Type.Tuple payload = ProbeCompiler.payload(List.of());
                    p.event(p.cx.action(new Action.PrintMap(m.name(), top, div, payload)), List.of(), payload);
                } else {
                    Type.Tuple payload = ProbeCompiler.payload(List.of(x.type(a)));
                    boolean newline = !c.name().equals(LoweredCalls.PRINT_INLINE);   // SystemTap's print() keeps to the line
                    p.event(p.cx.action(new Action.PrintValue(x.type(a), newline, payload)), List.of(a), payload);
                }
            }
            case "clear", "zero" -> {
                Expr.MapRef m = (Expr.MapRef) args.getFirst();
                Type.Tuple payload = ProbeCompiler.payload(List.of());
                p.event(p.cx.action(new Action.ClearMap(m.name(), c.name().equals("zero"), payload)), List.of(), payload);
            }
            case "delete" -> {
                Expr.MapRef m = (Expr.MapRef) args.getFirst();
                p.delete(p.cx.map(m.name()), m.keys());
            }
            case "join" -> join(c);
            case "signal" -> {
                Expr a = args.getFirst();
                if (a instanceof Expr.Str s) asm.mov(R1, Signals.number(s.value()));
                else p.load(R1, x.eval(a));
                asm.call(Helper.SEND_SIGNAL);
            }
            default -> {
                Type t = x.type(c);
                if (t.scalar()) p.release(eval(c));
                else if (!(t instanceof Type.None)) into(c, p.frame.alloc(t.size(), c.span()));
            }
        }
    }

    private void debugf(Expr.Call c) {
        byte[] text = ((Expr.Str) c.args().getFirst()).value().getBytes(StandardCharsets.UTF_8);
        byte[] fmt = Arrays.copyOf(text, text.length + 1);
        int off = p.frame.alloc(fmt.length, c.span());
        x.bytes(off, fmt);
        // bpf_trace_printk takes up to three values; strings are passed by address
        List<Object> vals = new ArrayList<>();
        for (Expr a : c.args().subList(1, Math.min(c.args().size(), 4))) {
            if (x.type(a).scalar()) {
                vals.add(x.eval(a));
            } else {
                int s = p.frame.alloc(x.type(a).size(), a.span());
                x.into(a, s);
                vals.add(s);
            }
        }
        Reg[] regs = {R3, R4, R5};
        for (int i = 0; i < vals.size(); i++) {
            if (vals.get(i) instanceof Temp t) p.load(regs[i], t);
            else asm.stackAddr(regs[i], (Integer) vals.get(i));
        }
        asm.stackAddr(R1, off);
        asm.mov(R2, fmt.length);
        asm.call(Helper.TRACE_PRINTK);
        for (Object v : vals) if (v instanceof Temp t) p.release(t);
    }

    private void join(Expr.Call c) {
        p.cx.internal.add(Context.JOIN);
        String delim = c.args().size() > 1 ? ((Expr.Str) c.args().get(1)).value() : " ";
        int id = p.cx.action(new Action.Join(delim, JOIN_MAX, JOIN_STRLEN, ProbeCompiler.payload(List.of())));
        Temp argv = p.owned(x.eval(c.args().getFirst()));
        int key = p.frame.alloc(8, c.span()), ptr = p.frame.alloc(8, c.span());
        asm.st(Size.W, R10, key, 0);
        asm.loadMap(R1, Context.JOIN);
        asm.stackAddr(R2, key);
        asm.call(Helper.MAP_LOOKUP_ELEM);
        String done = asm.label("joined"), out = asm.label("nojoin");
        asm.jmp(JmpOp.JEQ, R0, 0, out);
        Temp buf = x.fromR0();
        Reg b = p.use(buf, R1);
        asm.st(Size.DW, b, 0, id);
        asm.st(Size.DW, b, 8, 0);
        // a bounded loop over argv[0..JOIN_MAX): the verifier follows it, and it is a tenth of the unrolled size
        Temp i = p.temp();
        x.setConst(i, 0);
        String loop = asm.label("join");
        asm.place(loop);
        Reg ri = p.use(i, R4);
        asm.jmp(JmpOp.JGE, ri, JOIN_MAX, done);
        asm.mov(R3, ri);
        asm.alu(AluOp.LSH, R3, 3);
        asm.alu(AluOp.ADD, R3, p.use(argv, R2));
        asm.stackAddr(R1, ptr);
        asm.mov(R2, 8);
        asm.call(Helper.PROBE_READ_USER);
        asm.ldx(Size.DW, R3, R10, ptr);
        asm.jmp(JmpOp.JEQ, R3, 0, done);
        asm.mov(R1, p.use(i, R1));
        asm.alu(AluOp.LSH, R1, 6);
        asm.alu(AluOp.ADD, R1, p.use(buf, R2));
        asm.alu(AluOp.ADD, R1, 16);
        asm.mov(R2, JOIN_STRLEN);
        asm.call(Helper.PROBE_READ_USER_STR);
        Reg r = p.use(i, R4);
        asm.alu(AluOp.ADD, r, 1);
        if (i.kind() == Temp.Kind.SLOT) p.set(i, r);
        asm.stx(Size.DW, p.use(buf, R1), 8, r);
        asm.ja(loop);
        asm.place(done);
        p.output(p.use(buf, R1) == R1 ? R1 : buf.reg(), 0, JOIN_SIZE);
        asm.place(out);
        p.release(i);
        p.release(buf);
        p.release(argv);
    }

    /** SystemTap's foreach: an event asking the runtime to print each entry of the map. */
    void foreach(org.bpf4j.lang.syntax.Stmt.Foreach f) {
        List<Action.Foreach.Line> lines = new ArrayList<>();
        for (org.bpf4j.lang.syntax.Stmt s : org.bpf4j.lang.sema.Checker.flat(f.body())) {
            Expr.Call c = (Expr.Call) ((org.bpf4j.lang.syntax.Stmt.ExprStmt) s).expr();
            boolean printf = c.name().equals("printf");
            List<Action.Foreach.Ref> refs = new ArrayList<>();
            for (Expr a : c.args().subList(printf ? 1 : 0, c.args().size())) {
                refs.add(switch (a) {
                    case Expr.Str str -> new Action.Foreach.Ref.Literal(str.value());
                    case Expr.Int i -> new Action.Foreach.Ref.Literal(i.value());
                    case Expr.Var v -> new Action.Foreach.Ref.Key(f.keyVars().indexOf(v.name()));
                    case Expr.Call ex -> new Action.Foreach.Ref.Value(ex.name());
                    default -> new Action.Foreach.Ref.Value(null);
                });
            }
            lines.add(new Action.Foreach.Line(printf ? Format.parse(((Expr.Str) c.args().getFirst()).value()) : null, refs,
                    !c.name().equals(LoweredCalls.PRINT_INLINE)));
        }
        long limit = f.limit() == null ? 0 : x.constant(f.limit());
        Type.Tuple payload = ProbeCompiler.payload(List.of());
        int id = p.cx.action(new Action.Foreach(f.map(), f.sorted(), f.sortByValue(), f.descending(), limit, lines, payload));
        p.event(id, List.of(), payload);
    }

    // ---- aggregations ----

    void aggregate(Expr.MapRef m, Type.Agg agg, Expr.Call c) {
        if (agg.kind() == Type.AggKind.TSERIES) {
            new TseriesCompiler(p).aggregate(m, agg, c);
            return;
        }
        MapPlan plan = p.cx.map(m.name());
        Temp v = agg.kind() == Type.AggKind.COUNT ? null : x.eval(c.args().getFirst());
        int key = p.mapKey(plan, m.keys());
        if (agg.histogram()) bucket(agg, v, key + plan.key().offset(1), c);
        p.lookup(plan, key);
        String init = asm.label("init"), done = asm.label("counted");
        asm.jmp(JmpOp.JEQ, R0, 0, init);
        switch (agg.kind()) {
            case COUNT, HIST, LHIST -> { asm.mov(R1, 1); asm.atomicAdd(R0, 0, R1); }
            case SUM -> asm.atomicAdd(R0, 0, p.use(v, R1));
            case AVG, STATS -> {
                asm.mov(R1, 1);
                asm.atomicAdd(R0, 0, R1);
                asm.atomicAdd(R0, 8, p.use(v, R2));
            }
            case STATISTIC -> {
                Reg rv = p.use(v, R2);
                asm.mov(R1, 1);
                asm.atomicAdd(R0, 0, R1);
                asm.atomicAdd(R0, 8, rv);
                String maxed = asm.label("min");
                asm.ldx(Size.DW, R1, R0, 16);
                asm.jmp(JmpOp.JSLE, R1, rv, maxed);
                asm.stx(Size.DW, R0, 16, rv);
                asm.place(maxed);
                asm.ldx(Size.DW, R1, R0, 24);
                asm.jmp(JmpOp.JSGE, R1, rv, done);
                asm.stx(Size.DW, R0, 24, rv);
            }
            case MIN, MAX -> {
                Reg rv = p.use(v, R2);
                asm.ldx(Size.DW, R1, R0, 0);
                JmpOp keep = agg.kind() == Type.AggKind.MIN ? (agg.signed() ? JmpOp.JSGE : JmpOp.JGE) : (agg.signed() ? JmpOp.JSLE : JmpOp.JLE);
                asm.jmp(keep, rv, R1, done);
                asm.stx(Size.DW, R0, 0, rv);
            }
        }
        asm.ja(done);
        asm.place(init);
        int val = p.frame.alloc(plan.value().size(), c.span());
        switch (agg.kind()) {
            case COUNT, HIST, LHIST -> asm.st(Size.DW, R10, val, 1);
            case SUM, MIN, MAX -> asm.stx(Size.DW, R10, val, p.use(v, R1));
            case AVG, STATS -> {
                asm.st(Size.DW, R10, val, 1);
                asm.stx(Size.DW, R10, val + 8, p.use(v, R1));
            }
            case STATISTIC -> {
                Reg rv = p.use(v, R1);
                asm.st(Size.DW, R10, val, 1);
                for (int f = 8; f < 32; f += 8) asm.stx(Size.DW, R10, val + f, rv);
            }
        }
        p.update(plan, key, val, 0);
        p.updated(plan, c.span());
        asm.place(done);
        if (v != null) p.release(v);
    }

    /** Writes the hist or lhist bucket of {@code v} into the key at r10 + off. */
    private void bucket(Type.Agg agg, Temp v, int off, Expr.Call c) {
        String store = asm.label("bucket");
        asm.mov(R4, p.use(v, R4));
        asm.mov(R5, 0);
        if (agg.kind() == Type.AggKind.HIST && agg.step() > 0) {
            fineBucket((int) agg.step(), store);
        } else if (agg.kind() == Type.AggKind.HIST) {
            asm.jmp(JmpOp.JSLT, R4, 0, store);
            asm.mov(R5, 1);
            asm.jmp(JmpOp.JEQ, R4, 0, store);
            asm.mov(R5, 2);
            log2(R4, R5);
        } else {
            long buckets = (agg.max() - agg.min()) / agg.step();
            cmp(JmpOp.JSLT, R4, agg.min(), store);
            asm.mov(R5, buckets + 1);
            cmp(JmpOp.JSGE, R4, agg.max(), store);
            if (agg.min() != 0) asm.alu(AluOp.SUB, R4, (int) agg.min());
            if (agg.step() != 1) asm.alu(AluOp.DIV, R4, (int) agg.step());
            asm.alu(AluOp.ADD, R4, 1);
            asm.mov(R5, R4);
        }
        asm.place(store);
        asm.stx(Size.DW, R10, off, R5);
    }

    /**
     * hist(n, k)'s bucket of r4 into r5: 0 below zero, n + 1 for n < 2^k, else, with l the position of n's highest
     * bit, ((l - k + 1) << k) + (the k bits after it) + 1: 2^k buckets per power of two.
     */
    private void fineBucket(int k, String store) {
        int mask = (1 << k) - 1;
        asm.jmp(JmpOp.JSLT, R4, 0, store);
        asm.mov(R5, R4);
        asm.alu(AluOp.ADD, R5, 1);
        asm.jmp(JmpOp.JLE, R4, mask, store);
        asm.mov(R2, R4);
        asm.mov(R5, 0);
        log2(R4, R5);
        asm.alu(AluOp.SUB, R5, k);
        asm.mov(R3, R2);
        asm.alu(AluOp.RSH, R3, R5);
        asm.alu(AluOp.AND, R3, mask);
        asm.alu(AluOp.ADD, R5, 1);
        asm.alu(AluOp.LSH, R5, k);
        asm.alu(AluOp.ADD, R5, R3);
        asm.alu(AluOp.ADD, R5, 1);
    }

    /**
     * {@code acc += floor(log2(v))} for v > 0, by halving: above 2^32 through a copy (the immediate cannot hold
     * 2^32), then "if v >= 2^s: v >>= s, acc += s", three instructions a step; v is destroyed, r3 is scratch.
     */
    private void log2(Reg v, Reg acc) {
        String low = asm.label("log");
        asm.mov(R3, v);
        asm.alu(AluOp.RSH, R3, 32);
        asm.jmp(JmpOp.JEQ, R3, 0, low);
        asm.mov(v, R3);
        asm.alu(AluOp.ADD, acc, 32);
        asm.place(low);
        for (int s : new int[] {16, 8, 4, 2, 1}) {
            String skip = asm.label("log");
            asm.jmp(JmpOp.JLT, v, 1 << s, skip);
            asm.alu(AluOp.RSH, v, s);
            asm.alu(AluOp.ADD, acc, s);
            asm.place(skip);
        }
    }

    private void cmp(JmpOp op, Reg r, long v, String label) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) asm.jmp(op, r, (int) v, label);
        else {
            asm.mov(R3, v);
            asm.jmp(op, r, R3, label);
        }
    }

    // ---- values ----

    /** A call that gives a scalar. */
    Temp eval(Expr.Call c) {
        List<Expr> args = c.args();
        return switch (c.name()) {
            case "@count", "@sum", "@min", "@max", "@avg" -> extract(c.name(), (Expr.MapRef) args.getFirst());
            case "len" -> p.callbacks.len((Expr.MapRef) args.getFirst());
            case "nsecs" -> {
                // sw_tai is bpftrace's TAI computed in user space for kernels without the helper; 6.1+ have it
                asm.call(switch (((Expr.Builtin) args.getFirst()).name()) {
                    case "boot" -> Helper.KTIME_GET_BOOT_NS;
                    case "tai", "sw_tai" -> Helper.KTIME_GET_TAI_NS;
                    default -> Helper.KTIME_GET_NS;
                });
                yield x.fromR0();
            }
            case "ksym", "strerror", "signal_name", "syscall_name", "cgroup_path", "uptr", "kptr" -> x.eval(args.getFirst());
            case "kaddr" -> {
                // a relocation the runtime fills from kallsyms at load: the code generator reads nothing of the machine
                asm.kernelSymbol(R0, ((Expr.Str) args.getFirst()).value(), c.span());
                yield x.fromR0();
            }
            case "percpu_kaddr" -> percpuAddress(c);
            case "cgroupid" -> Temp.constant(p.cx.analysis.machine().cgroupId(((Expr.Str) args.getFirst()).value()));
            case "uaddr" -> {
                String binary = p.unit.point() instanceof Attach.Uprobe u ? u.binary() : ((Attach.Usdt) p.unit.point()).binary();
                long value = p.cx.analysis.machine().userSymbol(binary, ((Expr.Str) args.getFirst()).value());
                Long at = p.cx.analysis.machine().probedAddress(p.unit.point()).orElse(null);
                if (at == null) yield Temp.constant(value);
                // a position-independent file is wherever it was loaded: the uprobe's ip is where the probed
                // instruction is now, so ip - its link-time address + the symbol's is the symbol's (bpftrace 0.17
                // gives the link-time address, which no PIE has)
                yield x.arithmetic(org.bpf4j.lang.syntax.BinOp.ADD, x.ctxLoad(PT_REGS_IP), Type.UINT64, Temp.constant(value - at), Type.INT64);
            }
            case "reg" -> x.ctxLoad(register(((Expr.Str) args.getFirst()).value()));
            case "kstack" -> stackId((Type.Special) x.type(c));
            case "bswap" -> {
                Temp t = p.owned(x.eval(args.getFirst()));
                Reg r = p.use(t, R1);
                int bits = x.type(args.getFirst()).size() * 8;
                if (bits > 8) {
                    asm.add(SwapOp.BSWAP.of(r, bits));
                    if (x.type(c) instanceof Type.Int it && it.signed()) x.extendTo(r, it);
                }
                if (t.kind() == Temp.Kind.SLOT) p.set(t, r);
                yield t;
            }
            case "delete" -> flag((yes, no) -> { // v0.26: true when the element was there
                Expr.MapRef m = (Expr.MapRef) args.getFirst();
                p.delete(p.cx.map(m.name()), m.keys());
                asm.jmp(JmpOp.JEQ, R0, 0, yes);
                asm.ja(no);
            });
            case "strncmp" -> flag((differ, same) -> compareMemory(args.get(0), args.get(1), x.constant(args.get(2)), differ, same));
            case LoweredCalls.CONTAINS -> flag((yes, no) -> {
                Expr.MapRef m = (Expr.MapRef) args.getFirst();
                MapPlan plan = p.cx.map(m.name());
                p.lookup(plan, p.mapKey(plan, m.keys()));
                asm.jmp(JmpOp.JNE, R0, 0, yes);
                asm.ja(no);
            });
            case LoweredCalls.STRLEN -> {
                // the index of the first NUL: a chain of byte tests, each with its own landing
                Temp t = p.temp();
                int at = stackOf(args.getFirst()), size = x.type(args.getFirst()).size();
                String end = asm.label("end");
                List<String> lengths = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    lengths.add(asm.label("len"));
                    asm.ldx(Size.B, R1, R10, at + i);
                    asm.jmp(JmpOp.JEQ, R1, 0, lengths.get(i));
                }
                x.setConst(t, size);
                asm.ja(end);
                for (int i = 0; i < size; i++) {
                    asm.place(lengths.get(i));
                    x.setConst(t, i);
                    if (i < size - 1) asm.ja(end);
                }
                asm.place(end);
                yield t;
            }
            case "strcontains" -> flag((found, none) -> contains(args.get(0), args.get(1), found, none));
            case "macaddr" -> {
                int slot = p.frame.alloc(8, c.span());
                asm.st(Size.DW, R10, slot, 0);
                x.copy(x.place(args.getFirst() instanceof Expr.Cast || x.type(args.getFirst()) instanceof Type.Ptr
                        ? new Expr.Unary(org.bpf4j.lang.syntax.UnOp.DEREF, args.getFirst(), c.span()) : args.getFirst()), slot, 6);
                yield x.load(new Place.Stack(slot), Type.UINT64);
            }
            default -> throw new IllegalStateException("call " + c.name() + " has no scalar value");
        };
    }

    /** A SystemTap statistic's count, sum, minimum, maximum or average (0 when the entry is absent). */
    private Temp extract(String what, Expr.MapRef m) {
        MapPlan plan = p.cx.map(m.name());
        int key = p.mapKey(plan, m.keys());
        p.lookup(plan, key);
        Temp t = p.temp();
        Reg r = t.kind() == Temp.Kind.REG ? t.reg() : R1;
        String end = asm.label("absent");
        asm.mov(r, 0);
        asm.jmp(JmpOp.JEQ, R0, 0, end);
        switch (what) {
            case "@count" -> asm.ldx(Size.DW, r, R0, 0);
            case "@sum" -> asm.ldx(Size.DW, r, R0, 8);
            case "@min" -> asm.ldx(Size.DW, r, R0, 16);
            case "@max" -> asm.ldx(Size.DW, r, R0, 24);
            default -> {
                asm.ldx(Size.DW, R2, R0, 0);
                asm.ldx(Size.DW, r, R0, 8);
                asm.alu(AluOp.SDIV, r, R2);
            }
        }
        asm.place(end);
        p.set(t, r);
        return t;
    }

    /**
     * percpu_kaddr(name[, cpu]): bpf_per_cpu_ptr (bpf_this_cpu_ptr without a cpu) of the variable's BTF id, which
     * the checker found in vmlinux BTF; the lddw names it by id (src BPF_PSEUDO_BTF_ID, btf fd 0: vmlinux). The
     * pointer the helper returns may be null and the verifier forbids arithmetic on it, so the address is read
     * back from the stack as two 32-bit halves: a plain number, which the script dereferences through
     * probe_read as any kernel address.
     */
    private Temp percpuAddress(Expr.Call c) {
        int btfId = p.cx.analysis.kernelVars().get(c);
        if (c.args().size() == 2) {
            Temp cpu = x.eval(c.args().get(1));
            asm.mov(R2, p.use(cpu, R2));
            p.release(cpu);
            asm.add(org.bpf4j.asm.Pseudo.BTF_ID.of(R1, btfId));
            asm.call(Helper.PER_CPU_PTR);
        } else {
            asm.add(org.bpf4j.asm.Pseudo.BTF_ID.of(R1, btfId));
            asm.call(Helper.THIS_CPU_PTR);
        }
        int slot = p.frame.alloc(8, c.span());
        asm.stx(Size.DW, R10, slot, R0);
        asm.ldx(Size.W, R0, R10, slot);
        asm.ldx(Size.W, R1, R10, slot + 4);
        asm.alu(AluOp.LSH, R1, 32);
        asm.alu(AluOp.OR, R0, R1);
        return x.fromR0();
    }

    private static int register(String name) {
        List<String> order = List.of("r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx",
                "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss");
        return order.indexOf(name) * 8;
    }

    /** bpf_get_stackid(ctx, stacks, flags) as a temporary, in the stack map of the stack type's depth. */
    Temp stackId(Type.Special stack) {
        boolean user = stack.kind() == Type.SpecialKind.USTACK;
        String map = p.cx.stacksMap(stack.limit());
        asm.mov(R1, R6);
        asm.loadMap(R2, map);
        asm.mov(R3, user ? USER_STACK : 0);
        asm.call(Helper.GET_STACKID);
        return x.fromR0();
    }

    /** The builtins whose values are not scalars. */
    void builtinInto(Expr.Builtin b, int off) {
        switch (b.name()) {
            case "comm" -> {
                asm.stackAddr(R1, off);
                asm.mov(R2, 16);
                asm.call(Helper.GET_CURRENT_COMM);
            }
            case "func" -> {
                asm.ldx(Size.DW, R1, R6, ExprCompiler.REG_IP);
                asm.stx(Size.DW, R10, off, R1);
                pidInto(off + 8);
            }
            case "ustack" -> ustackInto((Type.Special) x.type(b), off);
            case "probe" -> x.bytes(off, java.util.Arrays.copyOf(p.unit.probeName().getBytes(java.nio.charset.StandardCharsets.UTF_8), x.type(b).size()));
            case "probetype" -> x.bytes(off, java.util.Arrays.copyOf(p.unit.point().probeType().getBytes(java.nio.charset.StandardCharsets.UTF_8), x.type(b).size()));
            default -> throw new IllegalStateException("builtin " + b.name());
        }
    }

    /** A user stack's value: its id in the stack map, and the pid whose mappings symbolize it. */
    private void ustackInto(Type.Special stack, int off) {
        Temp id = stackId(stack);
        asm.stx(Size.DW, R10, off, p.use(id, R1));
        p.release(id);
        pidInto(off + 8);
    }

    private void pidInto(int off) {
        asm.call(Helper.GET_CURRENT_PID_TGID);
        asm.alu(AluOp.RSH, R0, 32);
        asm.stx(Size.DW, R10, off, R0);
    }

    /** A call whose value is written to memory at r10 + off. */
    void into(Expr.Call c, int off) {
        List<Expr> args = c.args();
        Type t = x.type(c);
        switch (c.name()) {
            case "str" -> str(c, off, (Type.Str) t);
            case "buf" -> buf(c, off, (Type.Buf) t);
            case "usym" -> {
                Temp a = x.eval(args.getFirst());
                asm.stx(Size.DW, R10, off, p.use(a, R1));
                p.release(a);
                pidInto(off + 8);
            }
            case "ustack" -> ustackInto((Type.Special) x.type(c), off);
            case "strftime" -> {
                asm.st(Size.DW, R10, off, p.cx.timeFormat(((Expr.Str) args.getFirst()).value()));
                Temp ns = x.eval(args.get(1));
                asm.stx(Size.DW, R10, off + 8, p.use(ns, R1));
                p.release(ns);
            }
            case "pton" -> x.bytes(off, Inet.parse(((Expr.Str) args.getFirst()).value()));
            case "ntop" -> ntop(c, off);
            case LoweredCalls.ITOA -> itoa(c, off);
            case LoweredCalls.SUBSTR -> substr(c, off);
            default -> throw new IllegalStateException("call " + c.name() + " has no memory value");
        }
    }

    /**
     * SystemTap's substr(s, start, length) at r10 + off: s copied into a buffer twice its size (zeroed after it), read
     * from start (clamped into s) with bpf_probe_read_kernel_str, then cut with a NUL at length (clamped), written
     * through a helper as its place varies.
     */
    private void substr(Expr.Call c, int off) {
        List<Expr> args = c.args();
        int n = x.type(args.getFirst()).size();
        int start = p.frame.alloc(8, c.span()), length = p.frame.alloc(8, c.span()), src = p.frame.alloc(2 * n, c.span());
        for (int[] a : new int[][] {{1, start}, {2, length}}) {
            Temp t = x.eval(args.get(a[0]));
            Reg r = p.use(t, R1);
            String low = asm.label("low"), ok = asm.label("ok");
            asm.jmp(JmpOp.JSLT, r, 0, low);
            asm.jmp(JmpOp.JLE, r, n - 1, ok);
            asm.mov(r, n - 1);
            asm.ja(ok);
            asm.place(low);
            asm.mov(r, 0);
            asm.place(ok);
            asm.stx(Size.DW, R10, a[1], r);
            p.release(t);
        }
        x.zero(src, 2 * n);
        x.into(args.getFirst(), src);
        asm.stackAddr(R1, off);
        asm.mov(R2, n);
        asm.ldx(Size.DW, R4, R10, start);
        asm.stackAddr(R3, src);
        asm.alu(AluOp.ADD, R3, R4);
        asm.call(Helper.PROBE_READ_KERNEL_STR);
        int zero = p.frame.alloc(8, c.span());
        asm.st(Size.DW, R10, zero, 0);
        asm.ldx(Size.DW, R4, R10, length);
        asm.stackAddr(R1, off);
        asm.alu(AluOp.ADD, R1, R4);
        asm.mov(R2, 1);
        asm.stackAddr(R3, zero);
        asm.call(Helper.PROBE_READ_KERNEL);
    }

    /**
     * The digits of an integer (base 10 or 16, signed or not) as a string at r10 + off: written backwards into a
     * scratch buffer, one unrolled step a digit, each step with its own landing that knows where the digits start,
     * so the final copy (bpf_probe_read_kernel_str from the stack) has a fixed source on every path.
     */
    private void itoa(Expr.Call c, int off) {
        List<Expr> args = c.args();
        int base = (int) ((Expr.Int) args.get(1)).value();
        boolean signed = ((Expr.Int) args.get(2)).value() != 0;
        int size = LoweredCalls.ITOA_SIZE, last = size - 2; // the last digit's index: the NUL follows it
        int buf = p.frame.alloc(24, c.span());
        x.zero(buf, 24);
        Temp v = x.eval(args.getFirst());
        asm.mov(R0, p.use(v, R0));
        p.release(v);
        asm.mov(R5, 0);
        if (signed) {
            String positive = asm.label("pos");
            asm.jmp(JmpOp.JSGE, R0, 0, positive);
            asm.mov(R5, 1);
            asm.neg(R0);
            asm.place(positive);
        }
        List<String> landings = new ArrayList<>();
        for (int i = 0; i < last; i++) { // the digit i places from the end goes to buf + last - i
            asm.mov(R2, R0);
            asm.alu(AluOp.MOD, R2, base);
            if (base > 10) {
                String decimal = asm.label("dec");
                asm.jmp(JmpOp.JLT, R2, 10, decimal);
                asm.alu(AluOp.ADD, R2, 'a' - '0' - 10);
                asm.place(decimal);
            }
            asm.alu(AluOp.ADD, R2, '0');
            asm.stx(Size.B, R10, buf + last - i, R2);
            asm.alu(AluOp.DIV, R0, base);
            landings.add(asm.label("start"));
            asm.jmp(JmpOp.JEQ, R0, 0, landings.get(i));
        }
        String copy = asm.label("copy");
        asm.ja(landings.getLast()); // 20 digits are the most a 64-bit value has (then it is unsigned: no sign)
        for (int i = 0; i < landings.size(); i++) {
            int first = buf + last - i;
            asm.place(landings.get(i));
            asm.stackAddr(R3, first);
            if (signed && first > buf) {
                String noSign = asm.label("nosign");
                asm.jmp(JmpOp.JEQ, R5, 0, noSign);
                asm.st(Size.B, R10, first - 1, '-');
                asm.stackAddr(R3, first - 1);
                asm.place(noSign);
            }
            asm.ja(copy);
        }
        asm.place(copy);
        asm.stackAddr(R1, off);
        asm.mov(R2, size);
        asm.call(Helper.PROBE_READ_KERNEL_STR);
    }

    private boolean userMemory(Expr e) {
        Type t = x.type(e);
        if (t instanceof Type.Ptr ptr) return ptr.user();
        Attach a = p.unit.point();
        return a instanceof Attach.Uprobe || a instanceof Attach.Usdt;
    }

    private void str(Expr.Call c, int off, Type.Str t) {
        Expr a = c.args().getFirst();
        String text = org.bpf4j.lang.sema.Constants.positionalText(a, p.cx.analysis.params());
        if (text != null) {
            byte[] s = text.getBytes(StandardCharsets.UTF_8);
            x.bytes(off, Arrays.copyOf(s, t.size()));
            return;
        }
        if (x.type(a) instanceof Type.Str) {
            x.into(a, off);
            return;
        }
        Temp ptr = x.eval(a);
        Temp len = c.args().size() > 1 && x.folded(c.args().get(1)) == null ? x.eval(c.args().get(1)) : null;
        x.zero(off, t.size());
        if (len != null) {
            String ok = asm.label("len");
            asm.mov(R2, p.use(len, R2));
            asm.alu(AluOp.ADD, R2, 1);
            asm.jmp(JmpOp.JLE, R2, t.size(), ok);
            asm.mov(R2, t.size());
            asm.place(ok);
            p.release(len);
        } else {
            asm.mov(R2, t.size());
        }
        asm.mov(R3, p.use(ptr, R3));
        asm.stackAddr(R1, off);
        asm.call(p.reader(userMemory(a), true));
        p.release(ptr);
    }

    private void buf(Expr.Call c, int off, Type.Buf t) {
        Expr a = c.args().getFirst();
        Type at = x.type(a);
        x.zero(off, t.size());
        asm.st(Size.DW, R10, off, t.capacity());
        if (at.scalar()) {
            Temp ptr = x.eval(a);
            asm.mov(R3, p.use(ptr, R3));
            asm.stackAddr(R1, off + 8);
            asm.mov(R2, t.capacity());
            asm.call(p.reader(userMemory(a), false));
            p.release(ptr);
        } else {
            x.copy(x.place(a), off + 8, Math.min(t.capacity(), at.size()));
        }
    }

    private void ntop(Expr.Call c, int off) {
        List<Expr> args = c.args();
        Expr a = args.getLast();
        Type at = x.type(a);
        x.zero(off, 24);
        if (args.size() == 2) {
            Temp af = x.eval(args.getFirst());
            asm.stx(Size.DW, R10, off, p.use(af, R1));
            p.release(af);
        } else {
            asm.st(Size.DW, R10, off, at.size() == 16 ? 10 : 2);
        }
        if (at instanceof Type.Int) {
            Temp v = x.eval(a);
            asm.stx(Size.W, R10, off + 8, p.use(v, R1));
            p.release(v);
        } else if (at instanceof Type.Ptr) {
            x.copy(new Place.Mem(x.eval(a), 0, userMemory(a)), off + 8, 16);
        } else {
            x.copy(x.place(a), off + 8, Math.min(16, at.size()));
        }
    }

    // ---- comparisons of memory ----

    /**
     * Compares two strings (up to their NULs), arrays or buffers, at most {@code limit} bytes (-1: all), jumping to
     * {@code differ} or {@code same}.
     */
    void compareMemory(Expr l, Expr r, long limit, String differ, String same) {
        if (l instanceof Expr.Str && !(r instanceof Expr.Str)) {
            Expr t = l;
            l = r;
            r = t;
        }
        Type lt = x.type(l), rt = x.type(r);
        boolean strings = lt instanceof Type.Str;
        int la = stackOf(l);
        if (r instanceof Expr.Str lit && strings) {
            byte[] b = lit.value().getBytes(StandardCharsets.UTF_8);
            long n = limit < 0 ? lt.size() : Math.min(limit, lt.size());
            for (int i = 0; i < n; i++) {
                asm.ldx(Size.B, R1, R10, la + i);
                if (i < b.length) {
                    asm.jmp(JmpOp.JNE, R1, b[i] & 0xff, differ);
                } else {
                    asm.jmp(JmpOp.JNE, R1, 0, differ);
                    break;
                }
            }
            asm.ja(same);
            return;
        }
        int ra = stackOf(r);
        int n = Math.min(lt.size(), rt.size());
        if (limit >= 0) n = (int) Math.min(n, limit);
        for (int i = 0; i < n; i++) {
            asm.ldx(Size.B, R1, R10, la + i);
            asm.ldx(Size.B, R2, R10, ra + i);
            asm.jmp(JmpOp.JNE, R1, R2, differ);
            if (strings) asm.jmp(JmpOp.JEQ, R1, 0, same);
        }
        if (strings && (limit < 0 || n < limit) && lt.size() != rt.size()) {
            int longer = lt.size() > rt.size() ? la : ra;
            asm.ldx(Size.B, R1, R10, longer + n);
            asm.jmp(JmpOp.JNE, R1, 0, differ);
        }
        asm.ja(same);
    }

    private static final int PT_REGS_IP = 128; // struct pt_regs (x86-64): ip

    /**
     * 1 when {@code test} jumps to the first label it is given, 0 when to the second (placed first: a test that
     * ends with a jump to it falls through).
     */
    private Temp flag(BiConsumer<String, String> test) {
        Temp t = p.temp();
        String yes = asm.label("yes"), no = asm.label("no"), end = asm.label("end");
        test.accept(yes, no);
        asm.place(no);
        x.setConst(t, 0);
        asm.ja(end);
        asm.place(yes);
        x.setConst(t, 1);
        asm.place(end);
        return t;
    }

    /**
     * Jumps to {@code found} when string {@code needle} occurs in string {@code hay}, else to {@code none}: every
     * start in the haystack tried in turn, the needle's bytes compared unrolled (against immediates for a literal),
     * so that the verifier sees straight-line code of bounded length.
     */
    void contains(Expr hay, Expr needle, String found, String none) {
        int h = stackOf(hay), hs = x.type(hay).size();
        byte[] lit = needle instanceof Expr.Str s ? s.value().getBytes(StandardCharsets.UTF_8) : null;
        int n = needle instanceof Expr.Str ? -1 : stackOf(needle), ns = x.type(needle).size();
        if (lit != null && lit.length == 0) {
            asm.ja(found);
            return;
        }
        for (int i = 0; i < hs; i++) {
            String next = asm.label("next");
            int len = lit != null ? lit.length : ns;
            for (int j = 0; j < len; j++) {
                if (lit == null) {
                    asm.ldx(Size.B, R2, R10, n + j);
                    asm.jmp(JmpOp.JEQ, R2, 0, found);
                }
                if (i + j >= hs) { // the haystack ends before the needle: no later start fits either
                    asm.ja(none);
                    break;
                }
                asm.ldx(Size.B, R1, R10, h + i + j);
                if (lit != null) asm.jmp(JmpOp.JNE, R1, lit[j] & 0xff, next);
                else asm.jmp(JmpOp.JNE, R1, R2, next);
            }
            if (i + len <= hs || lit == null) asm.ja(found);
            asm.place(next);
            asm.ldx(Size.B, R1, R10, h + i);
            asm.jmp(JmpOp.JEQ, R1, 0, none);
        }
        asm.ja(none);
    }

    /** The stack offset holding the value of {@code e}, copying it there when it lives elsewhere. */
    private int stackOf(Expr e) {
        Place pl = x.place(e);
        if (pl instanceof Place.Stack s) return s.off();
        int off = p.frame.alloc(x.type(e).size(), e.span());
        x.copy(pl, off, x.type(e).size());
        return off;
    }
}
