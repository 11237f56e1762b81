package org.bpf4j.exporter;

import org.bpf4j.UserException;
import org.bpf4j.lang.codegen.Action;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Probe;
import org.bpf4j.lang.syntax.Stmt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides how each global map of a compiled script is exported ({@link Family}): the shape from its aggregation
 * (and from whether the script clears it), label names from the key expressions of its first keyed assignment,
 * and what the script's directives ({@link Directive}) override. Maps it cannot export are listed with the reason.
 */
final class Planner {
    /** A map left out, and why. */
    record Skipped(String map, String reason) {}

    /** The families and the maps left out. */
    record Plan(List<Family> families, List<Skipped> skipped) {}

    private static final Set<String> RESERVED = Set.of("_total", "_created", "_bucket", "_info", "_count", "_sum", "_gcount", "_gsum");

    private Planner() {}

    /** The plan for {@code script} named {@code name} (its file name), with its source's directives. */
    static Plan plan(String name, CompiledScript script, Map<String, Directive> directives, Set<String> summed) {
        Set<String> cleared = new HashSet<>();
        for (Action a : script.actions()) if (a instanceof Action.ClearMap c) cleared.add(c.map());
        String stem = sanitize(name.replaceFirst("\\.[^.]*$", ""));
        List<Family> families = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (String d : directives.keySet())
            if (script.userMap(d) == null) throw new UserException(name + ": exporter directive for " + d + ", a map the script does not have");
        for (MapPlan m : script.maps()) {
            if (!m.user() || m.decl().name().startsWith("@" + HistogramSums.PREFIX)) continue;
            String map = m.decl().name();
            Directive d = directives.getOrDefault(map, Directive.none(map));
            if (d.skip()) {
                skipped.add(new Skipped(map, "skipped by its directive"));
                continue;
            }
            Family.Shape shape = shape(m, cleared.contains(map), d.type());
            if (shape == null) {
                skipped.add(new Skipped(map, "a value of type " + m.value().describe() + " is not a number"));
                continue;
            }
            String base = d.name() != null ? d.name() : sanitize(map.length() == 1 ? stem : stem + "_" + map.substring(1));
            base = trimReserved(base);
            if (d.unit() != null && !base.endsWith("_" + d.unit())) base = base + "_" + d.unit();
            List<Family.Label> labels = labels(name, script, m, d);
            MapPlan sum = summed.contains(map) ? script.userMap(HistogramSums.sumMap(map)) : null;
            String help = d.help() != null ? d.help() : "bpftrace map " + map + " of " + name + " (" + describe(m) + ")";
            families.add(new Family(name, m, sum, base, help, d.unit(), d.scale(), shape, labels));
        }
        return new Plan(families, skipped);
    }

    private static String describe(MapPlan m) {
        return m.value() instanceof Type.Agg a ? a.describe() + "()" : m.value().describe();
    }

    private static Family.Shape shape(MapPlan m, boolean cleared, String type) {
        Family.Shape s = switch (m.value()) {
            case Type.Agg a -> switch (a.kind()) {
                case COUNT -> cleared ? Family.Shape.GAUGE : Family.Shape.COUNTER;
                case SUM -> cleared || a.signed() ? Family.Shape.GAUGE : Family.Shape.COUNTER;
                case MIN, MAX -> Family.Shape.GAUGE;
                case AVG, STATS, STATISTIC -> cleared ? Family.Shape.AVERAGE : Family.Shape.SUMMARY;
                case HIST, LHIST -> cleared ? Family.Shape.GAUGE_HISTOGRAM : Family.Shape.HISTOGRAM;
                case TSERIES -> null; // a window of past values, not one number: skipped with the reason
            };
            case Type.Int i -> Family.Shape.GAUGE;
            default -> null;
        };
        if (s == Family.Shape.COUNTER && "gauge".equals(type)) return Family.Shape.GAUGE;
        if (s == Family.Shape.GAUGE && "counter".equals(type)) return Family.Shape.COUNTER;
        return s;
    }

    /** The labels of map {@code m}: one per key part (a tuple key's members each their own). */
    private static List<Family.Label> labels(String script, CompiledScript compiled, MapPlan m, Directive d) {
        Type key = m.userKey();
        if (key == null) {
            if (!d.labels().isEmpty()) throw new UserException(script + ": exporter directive for " + m.decl().name() + " names labels, but the map has no key");
            return List.of();
        }
        List<Type> types = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        List<Expr> exprs = keyExprs(compiled, m.decl().name());
        List<String> names = new ArrayList<>();
        if (key instanceof Type.Tuple tu) {
            // several keys, or one key of tuple type: a label per member
            Expr only = exprs != null && exprs.size() == 1 ? exprs.getFirst() : null;
            for (int i = 0; i < tu.elements().size(); i++) {
                types.add(tu.elements().get(i));
                offsets.add(tu.offset(i));
                Expr e = exprs == null ? null
                        : exprs.size() == tu.elements().size() ? exprs.get(i)
                        : only instanceof Expr.Tuple t && t.elements().size() == tu.elements().size() ? t.elements().get(i) : null;
                String n = e != null ? labelName(e) : null;
                if (n == null && only != null && labelName(only) != null) n = labelName(only) + "_" + i;
                names.add(n != null ? n : "key" + i);
            }
        } else {
            types.add(key);
            offsets.add(0);
            String n = exprs != null && exprs.size() == 1 ? labelName(exprs.getFirst()) : null;
            names.add(n != null ? n : "key");
        }
        if (!d.labels().isEmpty()) {
            if (d.labels().size() != types.size())
                throw new UserException(script + ": exporter directive for " + m.decl().name() + " names " + d.labels().size()
                        + " labels, but its key has " + types.size() + " parts");
            names = new ArrayList<>(d.labels());
        }
        List<Family.Label> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < types.size(); i++) {
            String n = sanitize(names.get(i));
            if (n.startsWith("__") || n.equals("le") || n.equals("quantile")) n = "key_" + n.replaceFirst("^_+", "");
            String unique = n;
            for (int k = 2; !seen.add(unique); k++) unique = n + "_" + k;
            out.add(new Family.Label(unique, types.get(i), offsets.get(i)));
        }
        return out;
    }

    /** The key expressions of the first keyed use of {@code map} in the script, or null. */
    private static List<Expr> keyExprs(CompiledScript script, String map) {
        for (Probe p : script.analysis().script().probes()) {
            List<Expr> k = keyExprs(p.body(), map);
            if (k != null) return k;
        }
        return null;
    }

    private static List<Expr> keyExprs(List<Stmt> body, String map) {
        for (Stmt s : body) {
            List<Expr> k = switch (s) {
                case Stmt.Assign a when a.target() instanceof Expr.MapRef m && m.name().equals(map) && !m.keys().isEmpty() -> m.keys();
                case Stmt.If i -> {
                    List<Expr> t = keyExprs(i.then(), map);
                    yield t != null ? t : keyExprs(i.otherwise(), map);
                }
                case Stmt.While w -> keyExprs(w.body(), map);
                case Stmt.Unroll u -> keyExprs(u.body(), map);
                case Stmt.Block b -> keyExprs(b.body(), map);
                case Stmt.Foreach f -> keyExprs(f.body(), map);
                case Stmt.ForMap f -> keyExprs(f.body(), map);
                default -> null;
            };
            if (k != null) return k;
        }
        return null;
    }

    /** A label name for a key expression: the builtin, field, variable or symbolizing function it names. */
    static String labelName(Expr e) {
        return switch (e) {
            case Expr.Builtin b -> b.name();
            case Expr.Var v -> v.name().replaceFirst("^\\$", "");
            case Expr.Field f -> f.field();
            case Expr.Cast c -> labelName(c.operand());
            case Expr.MapRef m -> m.name().length() > 1 ? m.name().substring(1) : null;
            case Expr.Call c -> switch (c.name()) {
                case "str", "buf", "reg", "uaddr", "kaddr" -> c.args().isEmpty() ? c.name() : labelName(c.args().getFirst());
                default -> c.name();
            };
            default -> null;
        };
    }

    /** {@code s} as a metric or label name: invalid characters become underscores. */
    static String sanitize(String s) {
        String out = s.replaceAll("[^a-zA-Z0-9_]", "_");
        if (out.isEmpty() || Character.isDigit(out.charAt(0))) out = "_" + out;
        return out;
    }

    private static String trimReserved(String name) {
        for (boolean again = true; again; ) {
            again = false;
            for (String r : RESERVED) {
                if (name.endsWith(r) && name.length() > r.length()) {
                    name = name.substring(0, name.length() - r.length());
                    again = true;
                }
            }
        }
        return name;
    }
}
