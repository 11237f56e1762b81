package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Probe;

import java.util.Map;

/**
 * One probe body at one concrete attach point: what becomes one BPF program. The types of its expressions and
 * variables are side tables (by node identity), not fields of the tree.
 *
 * @param index the probe's number in the script, for the {@code probe} builtin and program names
 * @param probe the probe as written
 * @param point the concrete attach point
 * @param types the type of every expression, by identity
 * @param vars  the type of every scratch variable (the largest string any assignment stores)
 */
public record Unit(int index, Probe probe, Attach point, Map<Expr, Type> types, Map<String, Type> vars) {
    /** The type analysis gave {@code e}. */
    public Type type(Expr e) {
        Type t = types.get(e);
        if (t == null) throw new IllegalStateException("no type for " + e);
        return t;
    }

    /** This unit with read-only copies of its tables, as the checker hands it on once checking is done. */
    Unit frozen() {
        return new Unit(index, probe, point, java.util.Collections.unmodifiableMap(new java.util.IdentityHashMap<>(types)),
                java.util.Collections.unmodifiableMap(new java.util.HashMap<>(vars)));
    }

    /** The probe's full name, as the {@code probe} builtin shows it. */
    public String name() { return point.text(); }

    /** The probe's name as v0.26's {@code probe} builtin gives it: the special probes in lower case, as now written. */
    public String probeName() {
        return point instanceof Attach.Begin ? "begin" : point instanceof Attach.End ? "end" : point.text();
    }
}
