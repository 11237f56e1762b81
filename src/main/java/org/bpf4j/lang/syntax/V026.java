package org.bpf4j.lang.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.bpf4j.lang.syntax.TokenKind.*;

/**
 * The parts of bpftrace v0.26's language that {@link Parser} reads by lowering them to the v0.17 tree: {@code config}
 * blocks, map declarations, {@code let} variables, {@code for} loops over ranges, the two-argument
 * {@code delete}/{@code has_key}, builtins written as calls ({@code pid()}) and {@code ppid}. Kept apart so that
 * the v0.17 parser stays readable and each lowering is in one place.
 */
final class V026 {
    private V026() {}

    /** The config names v0.26's man page lists (lower case, no BPFTRACE_ prefix). */
    static final Set<String> CONFIG = Set.of("cache_user_symbols", "cpp_demangle", "lazy_symbolication", "license",
            "log_size", "max_bpf_progs", "max_cat_bytes", "max_map_keys", "max_probes", "max_strlen", "max_type_res_iterations",
            "missing_probes", "on_stack_limit", "perf_rb_pages", "show_debug_info", "stack_mode", "str_trunc_trailer",
            "print_maps_on_exit", "unstable_tseries", "unstable_dw_ustack", "unstable_map_decl", "unstable_macro",
            "unstable_import", "symbol_source", "use_blazesym");

    /** Builtins v0.26 also takes as calls without arguments ({@code pid()} is {@code pid}). */
    private static final Set<String> CALLABLE_BUILTINS = Set.of("pid", "tid", "uid", "gid", "elapsed", "cpu", "comm",
            "curtask", "rand", "cgroup", "cpid", "jiffies", "numaid", "ncpus", "usermode", "username", "probe", "func",
            "ppid", "nsecs", "pcomm", "probetype");

    /** {@code config = { name = value; ... }}: names normalised to lower case without the BPFTRACE_ prefix. */
    static void config(TokenCursor in, Map<String, String> into) {
        in.expectWord("config");
        in.expect(ASSIGN);
        in.expect(LBRACE);
        while (!in.accept(RBRACE)) {
            if (in.accept(SEMI)) continue;
            Token name = in.expect(IDENT);
            String key = name.text().toLowerCase(Locale.ROOT).replaceFirst("^bpftrace_", "");
            if (!CONFIG.contains(key)) throw in.error(name, name.text() + ": not a known configuration option");
            in.expect(ASSIGN);
            Token v = in.advance();
            String value = switch (v.kind()) {
                case INT -> Long.toString(v.value());
                case STRING, IDENT -> v.text();
                default -> throw in.error(v, "expected a number, a word or a string as the value of " + name.text() + ", got " + v.describe());
            };
            into.put(key, value);
            if (!in.at(RBRACE)) in.expect(SEMI);
        }
    }

    /** A top-level {@code let @m = hash(N);} (its kind and size), or {@code import}, refused. */
    static MapDeclaration declaration(Parser p, TokenCursor in) {
        Token t = in.advance();
        if (t.isWord("import")) throw in.error(t, "import is not supported by bpf4j");
        Token map = in.expect(MAP);
        in.expect(ASSIGN);
        Expr kind = p.expr();
        MapDeclaration.Kind k = kind instanceof Expr.Call c ? MapDeclaration.Kind.of(c.name()) : null;
        if (k == null)
            throw in.error(t, "a map declaration takes hash(N), lruhash(N), percpuhash(N) or percpulruhash(N)");
        Expr.Call c = (Expr.Call) kind;
        if (c.args().size() != 1 || !(c.args().getFirst() instanceof Expr.Int n) || n.value() <= 0 || n.value() > Integer.MAX_VALUE)
            throw in.error(t, k.word() + "() takes the most entries of " + map.text() + ", a positive integer");
        in.accept(SEMI);
        return new MapDeclaration(map.text(), k, n.value(), map.span());
    }

    /**
     * {@code let $x;}, {@code let $x = e;}, {@code let $x: TYPE = e;}: an integer type casts the value (a declared
     * integer without one is 0); other types take the value as it is.
     */
    static Stmt let(Parser p, TokenCursor in, Token let) {
        in.advance();
        Token var = in.expect(VAR);
        TypeName type = null;
        if (in.accept(COLON)) {
            if (in.peek().is(IDENT) && Parser.TYPE_WORDS.contains(in.peek().text())) type = p.typeName();
            else skipType(in);
        }
        Expr value = null;
        if (in.accept(ASSIGN)) value = p.expr();
        Expr.Var target = new Expr.Var(var.text(), var.span());
        boolean aggregate = type != null && type.pointers() == 0 && (type.length() >= 0 || type.base().startsWith("struct") || type.base().startsWith("union"));
        if (value == null && (type == null || aggregate)) return new Stmt.Let(target, let.span()); // typed by its assignments
        if (value == null) value = new Expr.Int(0, var.span());
        if (type != null && (type.pointers() > 0 || !type.base().startsWith("struct") && !type.base().startsWith("union")))
            value = new Expr.Cast(type, value, value.span());
        return new Stmt.Assign(target, null, value, let.span());
    }

    /** A type this front end does not model ({@code string[16]}, {@code inet}, {@code typeof(x)}): skipped. */
    private static void skipType(TokenCursor in) {
        in.advance();
        int depth = 0;
        while (true) {
            TokenKind k = in.peek().kind();
            if (k == LBRACKET || k == LPAREN) depth++;
            else if ((k == RBRACKET || k == RPAREN) && depth > 0) depth--;
            else if (depth == 0 && k != STAR) return;
            in.advance();
        }
    }

    /**
     * {@code for ($i : START..END) { body }}, lowered to a counted while loop whose counter the body cannot disturb
     * ({@code continue} still advances it). A loop over a map ({@code for ($kv : @m)}) is a {@link Stmt.ForMap}
     * whose variable is renamed to one of its own in the body.
     */
    static Stmt forLoop(Parser p, TokenCursor in, Token t) {
        in.advance();
        boolean paren = in.accept(LPAREN);
        Token var = in.expect(VAR);
        in.expect(COLON);
        if (in.at(MAP)) {
            Token map = in.advance();
            if (paren) in.expect(RPAREN);
            String own = var.text() + "__for" + t.span().line() + "_" + t.span().col();
            List<Stmt> body = rename(p.blockOf(), var.text(), own);
            return new Stmt.ForMap(new Expr.Var(own, var.span()), new Expr.MapRef(map.text(), List.of(), map.span()), body, t.span());
        }
        Expr start = p.additive();
        in.expect(DOTDOT);
        Expr end = p.additive();
        if (paren) in.expect(RPAREN);
        List<Stmt> body = p.blockOf();
        String n = "$__for" + t.span().line() + "_" + t.span().col();
        Expr.Var i = new Expr.Var(n + "_i", t.span()), e = new Expr.Var(n + "_end", t.span());
        List<Stmt> loop = new ArrayList<>();
        loop.add(new Stmt.Assign(new Expr.Var(var.text(), var.span()), null, i, t.span()));
        loop.add(new Stmt.Assign(i, BinOp.ADD, new Expr.Int(1, t.span()), t.span()));
        loop.addAll(body);
        return new Stmt.Block(List.of(new Stmt.Assign(i, null, start, t.span()), new Stmt.Assign(e, null, end, t.span()),
                new Stmt.While(new Expr.Binary(BinOp.LT, i, e, t.span()), loop, t.span())), t.span());
    }

    /** {@code body} with the variable {@code from} called {@code to}. */
    private static List<Stmt> rename(List<Stmt> body, String from, String to) {
        java.util.function.UnaryOperator<Expr> f = new java.util.function.UnaryOperator<>() {
            public Expr apply(Expr e) {
                return e instanceof Expr.Var v && v.name().equals(from) ? new Expr.Var(to, v.span()) : Macros.map(e, this);
            }
        };
        java.util.function.UnaryOperator<List<Stmt>> g = new java.util.function.UnaryOperator<>() {
            public List<Stmt> apply(List<Stmt> b) { return b.stream().map(s -> Macros.mapStmt(s, f, this)).toList(); }
        };
        return g.apply(body);
    }

    /** {@code macro NAME(PARAMS) { BODY }}: parameters {@code $x}, {@code @m} or {@code x}. */
    static Macros.Macro macro(Parser p, TokenCursor in) {
        Token t = in.expectWord("macro");
        Token name = in.expect(IDENT);
        List<String> params = new ArrayList<>();
        boolean paren = in.accept(LPAREN);
        while (paren && !in.accept(RPAREN)) {
            if (!params.isEmpty()) in.expect(COMMA);
            Token param = in.advance();
            if (!(param.is(VAR) || param.is(MAP) || param.is(IDENT)))
                throw in.error(param, "a macro parameter is $name, @name or name, not " + param.describe());
            params.add(param.text());
        }
        return new Macros.Macro(name.text(), params, p.blockOf(), t.span());
    }

    /** A call, with v0.26's new forms lowered: {@code delete(@m, k)}, {@code has_key(@m, k)}, {@code pid()}. */
    static Expr call(Token t, List<Expr> args, Span whole) {
        String name = t.text().startsWith("__builtin_") ? t.text().substring(10) : t.text();
        if ((name.equals("delete") || name.equals("has_key")) && args.size() == 2 && args.getFirst() instanceof Expr.MapRef m
                && m.keys().isEmpty()) {
            Expr key = args.get(1);
            List<Expr> keys = key instanceof Expr.Tuple tu ? tu.elements() : List.of(key);
            Expr.MapRef element = new Expr.MapRef(m.name(), keys, m.span());
            return new Expr.Call(name.equals("delete") ? "delete" : LoweredCalls.CONTAINS, List.of(element), t.span());
        }
        if (name.equals("strlen") && args.size() == 1) return new Expr.Call(LoweredCalls.STRLEN, args, t.span());
        // ppid(task), pcomm(task): the parent of a given task (v0.26's standard library macros)
        if ((name.equals("ppid") || name.equals("pcomm")) && args.size() == 1)
            return new Expr.Field(new Expr.Field(args.getFirst(), "real_parent", true, t.span()), name.equals("ppid") ? "tgid" : "comm", true, t.span());
        // their messages name the whole call, as bpftrace's FILE:LINE:COL-END does
        if (name.equals("errorf") || name.equals("warnf")) return new Expr.Call(name, args, whole);
        if (CALLABLE_BUILTINS.contains(name) && (args.isEmpty() || name.equals("pid") || name.equals("tid")))
            return builtin(t); // pid(curr_ns), pid(init): bpf4j runs in the initial namespace, where they agree
        return new Expr.Call(name, args, t.span());
    }

    /** A bare identifier: a builtin, with {@code ppid} lowered to {@code curtask->real_parent->tgid}. */
    static Expr builtin(Token t) {
        String name = t.text().startsWith("__builtin_") ? t.text().substring(10) : t.text();
        return switch (name) {
            case "ppid" -> new Expr.Field(new Expr.Field(new Expr.Builtin("curtask", t.span()), "real_parent", true, t.span()),
                    "tgid", true, t.span());
            case "pcomm" -> new Expr.Field(new Expr.Field(new Expr.Builtin("curtask", t.span()), "real_parent", true, t.span()),
                    "comm", true, t.span());
            case "true", "false" -> new Expr.Cast(new TypeName("bool", 0, t.span()), new Expr.Int(name.equals("true") ? 1 : 0, t.span()), t.span());
            default -> new Expr.Builtin(name, t.span());
        };
    }
}
