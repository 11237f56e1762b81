package org.bpf4j.lang.codegen;

import org.bpf4j.UserException;
import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;

import java.util.List;

import static org.bpf4j.asm.Reg.*;

/**
 * {@code @m[k] = tseries(value, interval, n[, fn])} in BPF. The time (CLOCK_TAI, as bpftrace's sw_tai) picks the
 * interval, {@code epoch = now / interval}, and its bucket {@code epoch % n}, kept in a per-CPU map under
 * {@code (k, bucket)}. A bucket is {@code {value, meta, epoch}}:
 *
 * <pre>
 *   +0 value   the last value (no fn), or the running sum, minimum or maximum
 *   +8 meta    the time of the last value (no fn), the count (avg), 1 once set (min, max)
 *  +16 epoch   the interval the bucket holds; another one means the bucket is stale and starts again
 * </pre>
 *
 * The runtime ({@code TseriesPrinter}) merges the CPUs' copies of a bucket and keeps the last n intervals.
 * Under {@code BPFTRACE_DUMMY_TS_MAP=@name} (bpftrace's test hook) the time is read from that scalar map instead.
 */
final class TseriesCompiler {
    /** The environment variable of bpftrace's test hook. */
    static final String DUMMY_TS_MAP = "BPFTRACE_DUMMY_TS_MAP";
    private static final int VALUE = 0, META = 8, EPOCH = 16;

    private final ProbeCompiler p;
    private final Asm asm;

    TseriesCompiler(ProbeCompiler p) {
        this.p = p;
        this.asm = p.asm;
    }

    /** Adds the value of {@code c} to the bucket of now in {@code m}. */
    void aggregate(Expr.MapRef m, Type.Agg agg, Expr.Call c) {
        Type.Series s = agg.series();
        MapPlan plan = p.cx.map(m.name());
        Temp v = p.exprs.eval(c.args().getFirst());
        Temp now = now(c.span());
        // epoch = now / interval (the interval may not fit an immediate), bucket = epoch % n
        Temp epoch = p.temp();
        asm.mov(R0, p.use(now, R0));
        asm.mov(R1, s.intervalNs());
        asm.alu(AluOp.DIV, R0, R1);
        p.set(epoch, R0);
        int key = p.mapKey(plan, m.keys()); // key expressions may call helpers: the epoch is read back
        asm.mov(R0, p.use(epoch, R0));
        asm.alu(AluOp.MOD, R0, s.intervals());
        asm.stx(Size.DW, R10, key + plan.key().offset(1), R0);
        p.lookup(plan, key);
        String init = asm.label("ts_new"), done = asm.label("ts_done");
        asm.jmp(JmpOp.JEQ, R0, 0, init);
        Reg rv = p.use(v, R2), re = p.use(epoch, R3);
        if (s.fn() != Type.SeriesFn.NONE) { // a stale bucket starts again
            String same = asm.label("ts_same");
            asm.ldx(Size.DW, R1, R0, EPOCH);
            asm.jmp(JmpOp.JEQ, R1, re, same);
            asm.st(Size.DW, R0, VALUE, 0);
            asm.st(Size.DW, R0, META, 0);
            asm.place(same);
        }
        switch (s.fn()) {
            case NONE -> {
                asm.stx(Size.DW, R0, VALUE, rv);
                asm.stx(Size.DW, R0, META, p.use(now, R1));
            }
            case SUM, AVG -> {
                asm.ldx(Size.DW, R1, R0, VALUE);
                asm.alu(AluOp.ADD, R1, rv);
                asm.stx(Size.DW, R0, VALUE, R1);
                if (s.fn() == Type.SeriesFn.AVG) {
                    asm.ldx(Size.DW, R1, R0, META);
                    asm.alu(AluOp.ADD, R1, 1);
                    asm.stx(Size.DW, R0, META, R1);
                }
            }
            case MIN, MAX -> {
                String set = asm.label("ts_set"), kept = asm.label("ts_kept");
                asm.ldx(Size.DW, R1, R0, META);
                asm.jmp(JmpOp.JEQ, R1, 0, set);
                asm.ldx(Size.DW, R1, R0, VALUE);
                JmpOp keep = s.fn() == Type.SeriesFn.MIN ? (agg.signed() ? JmpOp.JSLE : JmpOp.JLE) : (agg.signed() ? JmpOp.JSGE : JmpOp.JGE);
                asm.jmp(keep, R1, rv, kept);
                asm.place(set);
                asm.stx(Size.DW, R0, VALUE, rv);
                asm.place(kept);
                asm.st(Size.DW, R0, META, 1);
            }
        }
        asm.stx(Size.DW, R0, EPOCH, re);
        asm.ja(done);
        // a bucket not in the map yet (on this CPU's copy: the kernel zeroes the other CPUs')
        asm.place(init);
        int val = p.frame.alloc(plan.value().size(), c.span());
        asm.stx(Size.DW, R10, val + VALUE, p.use(v, R1));
        switch (s.fn()) {
            case NONE -> asm.stx(Size.DW, R10, val + META, p.use(now, R1));
            case SUM -> asm.st(Size.DW, R10, val + META, 0);
            case AVG, MIN, MAX -> asm.st(Size.DW, R10, val + META, 1);
        }
        asm.stx(Size.DW, R10, val + EPOCH, p.use(epoch, R1));
        p.update(plan, key, val, 0);
        asm.place(done);
        p.release(v);
        p.release(now);
        p.release(epoch);
    }

    /** The time in nanoseconds: CLOCK_TAI, or the test hook's map. */
    private Temp now(Span at) {
        String dummy = p.cx.analysis.config().dummyTsMap();
        if (dummy == null || dummy.isEmpty()) {
            asm.call(Helper.KTIME_GET_TAI_NS);
            return p.exprs.fromR0();
        }
        MapPlan clock = p.cx.userMaps.get(dummy);
        if (clock == null || clock.userKey() != null || !(clock.value() instanceof Type.Int i) || i.signed())
            throw new UserException(DUMMY_TS_MAP + "=" + dummy + ": the script has no such map holding an unsigned integer without keys");
        int key = p.mapKey(clock, List.of());
        p.lookup(clock, key);
        String none = asm.label("ts_clock");
        asm.jmp(JmpOp.JEQ, R0, 0, none);
        asm.ldx(Size.DW, R0, R0, 0);
        asm.place(none);
        return p.exprs.fromR0();
    }
}
