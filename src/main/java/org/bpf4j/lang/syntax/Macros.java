package org.bpf4j.lang.syntax;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * bpftrace v0.26's {@code macro NAME(PARAMS) { BODY }}, expanded in the tree before checking. A {@code $x}
 * parameter is the caller's expression (a variable, by reference), an {@code @m} parameter the caller's map, a bare
 * {@code x} any expression substituted at each use. The body's own variables are renamed per expansion (hygiene);
 * its value is its last expression statement. In an expression, the statements before that value run just before
 * the statement holding the call. Macros may call macros, in any definition order.
 */
final class Macros {
    /** One definition: parameters as written ({@code $x}, {@code @m}, {@code x}) and the body. */
    record Macro(String name, List<String> params, List<Stmt> body, Span span) {}

    private static final int MAX_DEPTH = 64;
    private final Map<String, Macro> macros;
    private final Source source;
    private int expansions;

    private Macros(Map<String, Macro> macros, Source source) {
        this.macros = macros;
        this.source = source;
    }

    /** {@code probes} with every macro call expanded. */
    static List<Probe> expand(List<Probe> probes, Map<String, Macro> macros, Source source) {
        if (macros.isEmpty()) return probes;
        Macros m = new Macros(macros, source);
        List<Probe> out = new ArrayList<>();
        for (Probe p : probes) {
            List<Stmt> pre = new ArrayList<>();
            Expr pred = p.predicate() == null ? null : m.expr(p.predicate(), pre, 0);
            if (!pre.isEmpty()) throw new SyntaxError(source, p.predicate().span(), "a macro with statements cannot be used in a predicate");
            out.add(new Probe(p.points(), pred, m.stmts(p.body(), 0), p.span()));
        }
        return out;
    }

    private List<Stmt> stmts(List<Stmt> body, int depth) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) out.addAll(stmt(s, depth));
        return out;
    }

    private List<Stmt> stmt(Stmt s, int depth) {
        List<Stmt> pre = new ArrayList<>();
        if (s instanceof Stmt.ExprStmt es && call(es.expr()) != null) {
            Expr e = es.expr();
            pre.add(new Stmt.Block(inline(call(e), args(e), depth, whole(e.span())), s.span()));
            return pre;
        }
        Stmt r = switch (s) {
            case Stmt.ExprStmt es -> new Stmt.ExprStmt(expr(es.expr(), pre, depth), es.span());
            case Stmt.Assign a -> new Stmt.Assign(expr(a.target(), pre, depth), a.op(), expr(a.value(), pre, depth), a.span());
            case Stmt.If i -> new Stmt.If(expr(i.cond(), pre, depth), stmts(i.then(), depth), stmts(i.otherwise(), depth), i.span());
            case Stmt.While w -> new Stmt.While(expr(w.cond(), pre, depth), stmts(w.body(), depth), w.span());
            case Stmt.Unroll u -> new Stmt.Unroll(expr(u.count(), pre, depth), stmts(u.body(), depth), u.span());
            case Stmt.Block b -> new Stmt.Block(stmts(b.body(), depth), b.span());
            case Stmt.Foreach f -> f;
            case Stmt.ForMap f -> new Stmt.ForMap(f.var(), (Expr.MapRef) expr(f.map(), pre, depth), stmts(f.body(), depth), f.span());
            case Stmt.Let l -> new Stmt.Let((Expr.Var) expr(l.var(), pre, depth), l.span());
            case Stmt.Return r2 -> r2;
            case Stmt.Break b -> b;
            case Stmt.Continue c -> c;
        };
        pre.add(r);
        return pre;
    }

    /** The macro {@code e} calls, or null. */
    private Macro call(Expr e) {
        Macro m = switch (e) {
            case Expr.Call c -> macros.get(c.name());
            case Expr.Builtin b -> macros.get(b.name());
            default -> null;
        };
        if (m == null) return null;
        return args(e).size() == m.params().size() ? m : null;
    }

    /**
     * The span of a call whose name is at {@code name}, stretched over its parenthesised arguments when they close on
     * the same line (the parser places a call at its name; v0.26 names the whole call).
     */
    private Span whole(Span name) {
        if (name.line() <= 0) return name;
        String line = source.line(name.line());
        int i = name.col() - 1 + name.length();
        while (i < line.length() && line.charAt(i) == ' ') i++;
        if (i >= line.length() || line.charAt(i) != '(') return name;
        int depth = 0;
        boolean quoted = false;
        for (; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '\\') i++;
                else if (ch == '"') quoted = false;
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')' && --depth == 0) {
                return new Span(name.line(), name.col(), i + 2 - name.col(), name.expandedFrom());
            }
        }
        return name;
    }

    private static List<Expr> args(Expr e) { return e instanceof Expr.Call c ? c.args() : List.of(); }

    /** The body of {@code m} for these arguments, its variables renamed, nested calls expanded. */
    private List<Stmt> inline(Macro m, List<Expr> args, int depth, Span at) {
        if (depth >= MAX_DEPTH) throw new SyntaxError(source, at, "macro " + m.name() + " expands too deeply (recursion?)");
        Map<String, Expr> bind = new HashMap<>();
        for (int i = 0; i < args.size(); i++) bind.put(m.params().get(i), args.get(i));
        Rename r = new Rename(bind, "$__" + m.name() + "_" + (++expansions) + "_");
        return expandedFrom(stmts(r.stmts(m.body()), depth + 1), at);
    }

    /**
     * {@code body} with its errorf() and warnf() calls placed as expanded from the call at {@code at}: v0.26 prints
     * that call after the message ("expanded from").
     */
    private static List<Stmt> expandedFrom(List<Stmt> body, Span at) {
        java.util.function.UnaryOperator<Expr>[] f = new java.util.function.UnaryOperator[1];
        f[0] = e -> e instanceof Expr.Call c && (c.name().equals("errorf") || c.name().equals("warnf"))
                ? new Expr.Call(c.name(), c.args(), c.span().expandedFrom(at))
                : map(e, f[0]);
        java.util.function.UnaryOperator<List<Stmt>>[] g = new java.util.function.UnaryOperator[1];
        g[0] = b -> b.stream().map(s -> mapStmt(s, f[0], g[0])).toList();
        return g[0].apply(body);
    }

    private Expr expr(Expr e, List<Stmt> pre, int depth) {
        Macro m = call(e);
        if (m != null) {
            List<Stmt> body = inline(m, args(e).stream().map(a -> expr(a, pre, depth)).toList(), depth, whole(e.span()));
            if (body.isEmpty() || !(body.getLast() instanceof Stmt.ExprStmt last))
                throw new SyntaxError(source, e.span(), "macro " + m.name() + " has no value to use here");
            pre.addAll(body.subList(0, body.size() - 1));
            return last.expr();
        }
        return map(e, x -> expr(x, pre, depth));
    }

    /** {@code e} with {@code f} applied to each direct sub-expression. */
    static Expr map(Expr e, java.util.function.UnaryOperator<Expr> f) {
        return switch (e) {
            case Expr.MapRef m -> new Expr.MapRef(m.name(), m.keys().stream().map(f).toList(), m.span());
            case Expr.Call c -> new Expr.Call(c.name(), c.args().stream().map(f).toList(), c.span());
            case Expr.Binary b -> new Expr.Binary(b.op(), f.apply(b.left()), f.apply(b.right()), b.span());
            case Expr.Unary u -> new Expr.Unary(u.op(), f.apply(u.operand()), u.span());
            case Expr.IncDec i -> new Expr.IncDec(f.apply(i.target()), i.increment(), i.prefix(), i.span());
            case Expr.Ternary t -> new Expr.Ternary(f.apply(t.cond()), f.apply(t.then()), f.apply(t.otherwise()), t.span());
            case Expr.Field fd -> new Expr.Field(f.apply(fd.target()), fd.field(), fd.arrow(), fd.span());
            case Expr.TupleIndex t -> new Expr.TupleIndex(f.apply(t.target()), t.index(), t.span());
            case Expr.Index i -> new Expr.Index(f.apply(i.target()), f.apply(i.index()), i.span());
            case Expr.Cast c -> new Expr.Cast(c.type(), f.apply(c.operand()), c.span());
            case Expr.Tuple t -> new Expr.Tuple(t.elements().stream().map(f).toList(), t.span());
            case Expr.Record r -> new Expr.Record(r.names(), r.values().stream().map(f).toList(), r.span());
            case Expr.SizeofExpr s -> new Expr.SizeofExpr(f.apply(s.operand()), s.span());
            case Expr.Int i -> i;
            case Expr.Str s -> s;
            case Expr.Builtin b -> b;
            case Expr.Positional p -> p;
            case Expr.ParamCount p -> p;
            case Expr.Var v -> v;
            case Expr.SizeofType s -> s;
            case Expr.Offsetof o -> o;
        };
    }

    /** {@code s} with {@code f} applied to its expressions and {@code g} to its nested blocks. */
    static Stmt mapStmt(Stmt s, java.util.function.UnaryOperator<Expr> f, java.util.function.UnaryOperator<List<Stmt>> g) {
        return switch (s) {
            case Stmt.ExprStmt es -> new Stmt.ExprStmt(f.apply(es.expr()), es.span());
            case Stmt.Assign a -> new Stmt.Assign(f.apply(a.target()), a.op(), f.apply(a.value()), a.span());
            case Stmt.If i -> new Stmt.If(f.apply(i.cond()), g.apply(i.then()), g.apply(i.otherwise()), i.span());
            case Stmt.While w -> new Stmt.While(f.apply(w.cond()), g.apply(w.body()), w.span());
            case Stmt.Unroll u -> new Stmt.Unroll(f.apply(u.count()), g.apply(u.body()), u.span());
            case Stmt.Block b -> new Stmt.Block(g.apply(b.body()), b.span());
            case Stmt.Foreach fe -> fe;
            case Stmt.ForMap fm -> new Stmt.ForMap((Expr.Var) f.apply(fm.var()), (Expr.MapRef) f.apply(fm.map()), g.apply(fm.body()), fm.span());
            case Stmt.Let l -> new Stmt.Let((Expr.Var) f.apply(l.var()), l.span());
            case Stmt.Return r -> r;
            case Stmt.Break b -> b;
            case Stmt.Continue c -> c;
        };
    }

    /** Substitutes a macro's parameters and renames its own variables. */
    private record Rename(Map<String, Expr> bind, String prefix) {
        List<Stmt> stmts(List<Stmt> body) { return body.stream().map(this::stmt).toList(); }

        Stmt stmt(Stmt s) { return mapStmt(s, this::expr, this::stmts); }

        Expr expr(Expr e) {
            return switch (e) {
                case Expr.Var v when bind.containsKey(v.name()) -> bind.get(v.name());
                case Expr.Var v -> new Expr.Var(prefix + v.name().substring(1), v.span());
                case Expr.Builtin b when bind.containsKey(b.name()) -> bind.get(b.name());
                case Expr.MapRef m when bind.get(m.name()) instanceof Expr.MapRef to ->
                        new Expr.MapRef(to.name(), m.keys().stream().map(this::expr).toList(), m.span());
                default -> map(e, this::expr);
            };
        }
    }
}
