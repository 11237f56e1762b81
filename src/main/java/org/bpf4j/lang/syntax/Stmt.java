package org.bpf4j.lang.syntax;

import java.util.List;

/** A statement of a probe's action block. */
public sealed interface Stmt {
    /** Where the statement starts. */
    Span span();

    /** An expression evaluated for its effect (a call, {@code @x++}). */
    record ExprStmt(Expr expr, Span span) implements Stmt {}

    /** {@code target = value}, or {@code target op= value} when {@code op} is not null. */
    record Assign(Expr target, BinOp op, Expr value, Span span) implements Stmt {}

    /** {@code if (cond) { then } else { otherwise }} ({@code otherwise} empty when absent). */
    record If(Expr cond, List<Stmt> then, List<Stmt> otherwise, Span span) implements Stmt {
        /** Copies the blocks. */
        public If { then = List.copyOf(then); otherwise = List.copyOf(otherwise); }
    }

    /** {@code while (cond) { body }}. */
    record While(Expr cond, List<Stmt> body, Span span) implements Stmt {
        /** Copies the body. */
        public While { body = List.copyOf(body); }
    }

    /** {@code unroll (count) { body }}: the body repeated count (a constant) times. */
    record Unroll(Expr count, List<Stmt> body, Span span) implements Stmt {
        /** Copies the body. */
        public Unroll { body = List.copyOf(body); }
    }

    /**
     * SystemTap's {@code foreach ([k1, k2] in map [sort] limit N) { body }}: runs the body for each entry of a map,
     * in the given order ({@code sortByValue}, {@code descending}) when {@code sorted}.
     */
    record Foreach(List<String> keyVars, String valueVar, String map, boolean sorted, boolean sortByValue,
                   boolean descending, Expr limit, List<Stmt> body, Span span) implements Stmt {
        /** Copies the lists. */
        public Foreach { keyVars = List.copyOf(keyVars); body = List.copyOf(body); }
    }

    /**
     * v0.26's {@code for ($kv : @m) { body }}: the body runs for each entry of the map ({@code $kv.0} the key,
     * {@code $kv.1} the value), in a callback of bpf_for_each_map_elem. The parser gives {@code var} a name of its
     * own, so that loops over maps of other types may reuse the name.
     */
    record ForMap(Expr.Var var, Expr.MapRef map, List<Stmt> body, Span span) implements Stmt {
        /** Copies the body. */
        public ForMap { body = List.copyOf(body); }
    }

    /** v0.26's {@code let $x;}: declares the variable, zero until assigned; its type comes from its assignments. */
    record Let(Expr.Var var, Span span) implements Stmt {}

    /** {@code return}: ends the probe's action. */
    record Return(Span span) implements Stmt {}

    /** {@code break}. */
    record Break(Span span) implements Stmt {}

    /** {@code continue}. */
    record Continue(Span span) implements Stmt {}

    /** A nested block {@code { ... }}. */
    record Block(List<Stmt> body, Span span) implements Stmt {
        /** Copies the body. */
        public Block { body = List.copyOf(body); }
    }
}
