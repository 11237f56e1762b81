package org.bpf4j.exporter;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Probe;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Stmt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Prometheus histogram has a {@code _sum} that bpftrace's hist() and lhist() do not keep. The exporter adds it
 * to the script before checking it: after each {@code @h[k] = hist(v)} (or lhist) comes
 * {@code @__sum_h[k] = sum(v)}, with the same keys and value, so the sum is exact and counted in the same probe
 * run. A value with a side effect ({@code $i++}, an assignment) is not evaluated twice: that histogram has no sum.
 */
final class HistogramSums {
    /** The prefix of the added maps' names (after the {@code @}). */
    static final String PREFIX = "__sum_";

    private final Set<String> summed = new LinkedHashSet<>();

    private HistogramSums() {}

    /** The script with the sums added, and the histogram maps that have one. */
    record Result(Script script, Set<String> summed) {}

    /** Adds a sum map beside each histogram of {@code script}. */
    static Result add(Script script) {
        HistogramSums h = new HistogramSums();
        List<Probe> probes = new ArrayList<>();
        for (Probe p : script.probes()) probes.add(new Probe(p.points(), p.predicate(), h.block(p.body()), p.span()));
        return new Result(new Script(script.source(), script.structs(), probes, script.includes(), script.silent(), script.stap(),
                script.config(), script.declared(), script.enums()),
                Set.copyOf(h.summed));
    }

    /** The name of the sum map of histogram {@code map} (with its {@code @}). */
    static String sumMap(String map) { return "@" + PREFIX + map.substring(1); }

    private List<Stmt> block(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            out.add(statement(s));
            if (s instanceof Stmt.Assign a && a.op() == null && a.target() instanceof Expr.MapRef m
                    && a.value() instanceof Expr.Call c && (c.name().equals("hist") || c.name().equals("lhist"))
                    && !c.args().isEmpty() && pure(c.args().getFirst())) {
                summed.add(m.name());
                out.add(new Stmt.Assign(new Expr.MapRef(sumMap(m.name()), m.keys(), m.span()), null,
                        new Expr.Call("sum", List.of(c.args().getFirst()), c.span()), a.span()));
            }
        }
        return out;
    }

    private Stmt statement(Stmt s) {
        return switch (s) {
            case Stmt.If i -> new Stmt.If(i.cond(), block(i.then()), block(i.otherwise()), i.span());
            case Stmt.While w -> new Stmt.While(w.cond(), block(w.body()), w.span());
            case Stmt.Unroll u -> new Stmt.Unroll(u.count(), block(u.body()), u.span());
            case Stmt.Block b -> new Stmt.Block(block(b.body()), b.span());
            case Stmt.Foreach f -> new Stmt.Foreach(f.keyVars(), f.valueVar(), f.map(), f.sorted(), f.sortByValue(), f.descending(),
                    f.limit(), block(f.body()), f.span());
            case Stmt.ForMap f -> new Stmt.ForMap(f.var(), f.map(), block(f.body()), f.span());
            default -> s;
        };
    }

    /** True when evaluating {@code e} twice does what evaluating it once does. */
    private static boolean pure(Expr e) {
        return switch (e) {
            case Expr.IncDec i -> false;
            case Expr.Binary b -> pure(b.left()) && pure(b.right());
            case Expr.Unary u -> pure(u.operand());
            case Expr.Ternary t -> pure(t.cond()) && pure(t.then()) && pure(t.otherwise());
            case Expr.Field f -> pure(f.target());
            case Expr.TupleIndex t -> pure(t.target());
            case Expr.Index i -> pure(i.target()) && pure(i.index());
            case Expr.Cast c -> pure(c.operand());
            case Expr.MapRef m -> m.keys().stream().allMatch(HistogramSums::pure);
            case Expr.Call c -> c.args().stream().allMatch(HistogramSums::pure);
            case Expr.Tuple t -> t.elements().stream().allMatch(HistogramSums::pure);
            default -> true;
        };
    }
}
