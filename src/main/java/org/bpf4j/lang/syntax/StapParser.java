package org.bpf4j.lang.syntax;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.bpf4j.lang.syntax.TokenKind.*;

/**
 * SystemTap's script language, parsed into the same tree as bpftrace's (so one checker and one code generator
 * serve both). Probe points become bpftrace attach points: {@code begin}, {@code end}, {@code timer.s(N)},
 * {@code syscall.NAME[.return]}, {@code kernel.function("F")[.return]} (a syscall function is a kprobe on its
 * syscall wrapper, its parameters read from the caller's registers, where the kernel has kprobes, else its syscall
 * tracepoint, whose fields are the {@code $target} variables; other functions are kprobes),
 * {@code kernel.trace("T")}, {@code process("P").function("F")[.return]} and {@code process("P").mark("M")}.
 * Globals are maps, locals scratch variables, {@code a[k] <<< v} a statistic read with {@code @count} and friends,
 * and {@code foreach} prints a map's entries.
 */
public final class StapParser {
    /** What the parser needs to know of the machine: whether a tracepoint exists. */
    @FunctionalInterface
    public interface Tracepoints {
        /** True when {@code category:event} exists. */
        boolean exists(String category, String event);

        /** The C type a field of {@code category:event}'s format declares ({@code pid_t}), when known. */
        default java.util.Optional<String> fieldType(String category, String event, String field) {
            return java.util.Optional.empty();
        }

        /**
         * Where the kernel has kprobes: the function of system call {@code name} and its declared parameters, so
         * that {@code kernel.function("sys_NAME")} is a real kprobe; empty keeps the syscall's tracepoint.
         */
        default java.util.Optional<SyscallFunction> syscallFunction(String name) {
            return java.util.Optional.empty();
        }
    }

    /** SystemTap's {@code map <<< value}, as the call this parser makes (not a name a script can write). */
    public static final String STATISTIC = "<<<";
    /** SystemTap's {@code print(v)}: the value without a newline, as the call this parser makes. */
    public static final String PRINT_INLINE = "print-";
    /** SystemTap's {@code k in a} and {@code [k1, k2] in a}: whether the global array has the key. */
    public static final String CONTAINS = "in-";
    /** An integer's digits as a string: {@code itoa-(value, base, signed)}, for {@code sprintf}'s conversions. */
    public static final String ITOA = "itoa-";
    /** The most {@link #ITOA}'s string takes: 20 digits (2^64 - 1) or a sign and 19, and the NUL. */
    public static final int ITOA_SIZE = 22;
    /** SystemTap's {@code substr(s, start, length)}. */
    public static final String SUBSTR = "substr-";
    /** {@code print(@hist_log(s))}: HIST_PRINT(@s__hist, linear, start, interval), SystemTap's histogram layout. */
    public static final String HIST_PRINT = "print-hist-";
    /** SystemTap's {@code strlen(s)}: the bytes before the NUL (bpftrace 0.17 has no such function). */
    public static final String STRLEN = "strlen-";
    /** SystemTap's {@code println(v)}: the value and a newline (a global's value, not bpftrace's map printout). */
    public static final String PRINT_LINE = "println-";

    private static final Pattern GLOBAL = Pattern.compile("(?m)^\\s*global\\s+([^;{}\\n]+)");
    private static final Pattern FUNCTION = Pattern.compile("(?m)(?:^|[;}])\\s*(function)\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final List<String> SYSCALL_PREFIXES = List.of("__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "ksys_", "sys_");

    private TokenCursor in;
    private final Scanner scanner;
    private final Tracepoints tracepoints;
    private final Set<String> globals = new LinkedHashSet<>();
    private final Map<String, Integer> reads = new HashMap<>();
    private final List<Stmt> initializers = new ArrayList<>();
    /** The kinds of the probe points being parsed, for $target variables: "syscall", "return", "uretprobe",
     *  "kprobe-syscall", "kretprobe" (a system call's kprobe and kretprobe), "other". */
    private final Set<String> kinds = new HashSet<>();
    /** The syscall tracepoints (sys_enter_*) of the probe being parsed, for its target variables' C types. */
    private final List<String> syscallEvents = new ArrayList<>();
    /** The system call functions the probe being parsed puts kprobes on, for its target variables' registers. */
    private final List<SyscallFunction> syscallFunctions = new ArrayList<>();
    private String kind;
    /** User functions by name: where their definition starts in the source (they are inlined at each call). */
    private final Map<String, Integer> functions = new HashMap<>();
    /** The prefix of local variables: "$", or while a function body is inlined, that expansion's own prefix. */
    private String locals = "$";
    /** Statements an inlined call needs before the statement being parsed; the variables holding call results. */
    private List<Stmt> pending = new ArrayList<>();
    private final Set<Expr> callResults = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private int expansions;
    /** The most function calls one script may inline. */
    static final int MAX_EXPANSIONS = 1000;
    /** stap's -x PID, or 0: target() is then -c's child (0 without -c, as SystemTap's). */
    private int target;
    private final List<String> expanding = new ArrayList<>();

    private StapParser(Source source, Tracepoints tracepoints) {
        this.scanner = new Scanner(source, true);
        this.in = new TokenCursor(scanner);
        this.tracepoints = tracepoints;
        Matcher m = GLOBAL.matcher(source.text());
        while (m.find())
            for (String g : m.group(1).split(","))
                globals.add(g.replaceAll("\\[.*|=.*", "").strip());
        Matcher f = FUNCTION.matcher(source.text());
        while (f.find()) functions.putIfAbsent(f.group(2), f.start(1));
        Matcher h = HISTOGRAM.matcher(source.text());
        while (h.find()) {
            boolean linear = h.group(1).equals("linear");
            if (linear && h.group(3) == null) continue; // reported where it is parsed
            long[] bounds = new long[3];
            try {
                for (int i = 0; i < 3 && linear; i++) bounds[i] = Long.parseLong(h.group(3 + i));
            } catch (NumberFormatException e) {
                continue; // past 64 bits: the scanner reports the number where it is parsed
            }
            histograms.putIfAbsent(h.group(2), linear ? new Histogram(true, bounds[0], bounds[1], bounds[2]) : new Histogram(false, 0, 0, 0));
        }
    }

    /**
     * A statistic printed as a histogram, {@code @hist_log(s)} or {@code @hist_linear(s, start, stop, interval)}: its
     * {@code <<<} also adds to a bpftrace hist() or lhist() map, {@code @s__hist}, whose buckets print in SystemTap's
     * layout ({@link #HIST_PRINT}).
     */
    public record Histogram(boolean linear, long start, long stop, long interval) {}

    private static final Pattern HISTOGRAM = Pattern.compile(
            "@hist_(log|linear)\\s*\\(\\s*([A-Za-z_]\\w*)\\s*(?:,\\s*(-?\\d+)\\s*,\\s*(-?\\d+)\\s*,\\s*(\\d+)\\s*)?\\)");
    private final Map<String, Histogram> histograms = new HashMap<>();

    /** Parses a SystemTap script; {@code tracepoints} says which syscall functions have tracepoints. */
    public static Script parse(Source source, Tracepoints tracepoints) {
        return parse(source, tracepoints, 0);
    }

    /** Parses a SystemTap script whose {@code target()} is {@code target} (-x PID), or -c's child when 0. */
    public static Script parse(Source source, Tracepoints tracepoints, int target) {
        StapParser p = new StapParser(source, tracepoints);
        p.target = target;
        return p.script();
    }

    private Script script() {
        List<Probe> probes = new ArrayList<>();
        Span first = null;
        while (!in.at(EOF)) {
            Token t = in.peek();
            if (first == null) first = t.span();
            if (in.accept(SEMI)) continue;
            if (t.isWord("global")) globalDeclaration();
            else if (t.isWord("probe")) probes.add(probe());
            else if (t.isWord("function")) functionDefinition("$__" + "unused_");
            else throw in.error(t, "expected 'probe' or 'global', got " + t.describe());
        }
        if (!initializers.isEmpty())
            probes.addFirst(new Probe(List.of(new Probe.AttachPoint("BEGIN", initializers.getFirst().span())), null, initializers,
                    initializers.getFirst().span()));
        if (probes.isEmpty()) throw in.error(in.peek(), "no probes in the script");
        Set<String> silent = new HashSet<>();
        for (String g : globals) if (reads.getOrDefault(g, 0) > 0) silent.add("@" + g);
        for (String g : histograms.keySet()) silent.add("@" + g + "__hist");
        return new Script(scanner.source(), List.of(), probes, List.of(), silent, true);
    }

    private void globalDeclaration() {
        in.advance();
        do {
            Token name = in.expect(IDENT);
            globals.add(name.text());
            if (in.accept(LBRACKET)) {
                in.expect(INT);
                in.expect(RBRACKET);
            }
            if (in.accept(ASSIGN)) {
                Expr v = expr();
                initializers.add(new Stmt.Assign(new Expr.MapRef("@" + name.text(), List.of(), name.span()), null, v, name.span()));
            }
        } while (in.accept(COMMA));
    }

    // ---- probes ----

    private Probe probe() {
        Token kw = in.advance();
        List<Probe.AttachPoint> points = new ArrayList<>();
        kinds.clear();
        kind = null;
        syscallEvents.clear();
        syscallFunctions.clear();
        do {
            Token start = in.peek();
            String text = translate(probePoint(), start);
            points.add(new Probe.AttachPoint(text, start.span()));
        } while (in.accept(COMMA));
        List<Stmt> body = block();
        return new Probe(points, null, body, kw.span());
    }

    private record Component(String name, String arg, Token at) {}

    private List<Component> probePoint() {
        List<Component> out = new ArrayList<>();
        do {
            Token t = in.peek();
            String name;
            if (in.accept(STAR)) name = "*";
            else name = in.expect(IDENT).text();
            String arg = null;
            if (in.accept(LPAREN)) {
                Token a = in.advance();
                if (!a.is(STRING) && !a.is(INT)) throw in.error(a, "expected a string or a number in the probe point");
                arg = a.is(INT) ? Long.toString(a.value()) : a.text();
                in.expect(RPAREN);
            }
            out.add(new Component(name, arg, t));
        } while (in.accept(DOT));
        in.accept(QUESTION);
        in.accept(BANG);
        return out;
    }

    private String translate(List<Component> c, Token at) {
        String first = c.getFirst().name();
        boolean ret = c.getLast().name().equals("return");
        switch (first) {
            case "begin": return "BEGIN";
            case "end": return "END";
            case "timer": {
                if (c.size() < 2) break;
                Component unit = c.get(1);
                if (unit.name().equals("profile")) return "profile:hz:100";
                if (List.of("s", "sec", "ms", "msec", "us", "usec", "hz").contains(unit.name()) && unit.arg() != null) {
                    String u = switch (unit.name()) {
                        case "sec" -> "s";
                        case "msec" -> "ms";
                        case "usec" -> "us";
                        default -> unit.name();
                    };
                    return "interval:" + u + ":" + unit.arg();
                }
                break;
            }
            case "syscall": {
                if (c.size() < 2) break;
                setKind(ret ? "return" : "syscall", at);
                syscallEvents.add("sys_enter_" + c.get(1).name());
                return "tracepoint:syscalls:sys_" + (ret ? "exit_" : "enter_") + c.get(1).name();
            }
            case "kernel": {
                if (c.size() >= 2 && c.get(1).name().equals("function") && c.get(1).arg() != null) {
                    String fn = c.get(1).arg();
                    String sys = syscallName(fn);
                    var function = sys == null ? java.util.Optional.<SyscallFunction>empty() : tracepoints.syscallFunction(sys);
                    if (function.isPresent()) {
                        setKind(ret ? "kretprobe" : "kprobe-syscall", at);
                        syscallFunctions.add(function.get());
                        return (ret ? "kretprobe:" : "kprobe:") + function.get().function();
                    }
                    if (sys != null && tracepoints.exists("syscalls", "sys_enter_" + sys)) {
                        setKind(ret ? "return" : "syscall", at);
                        syscallEvents.add("sys_enter_" + sys);
                        return "tracepoint:syscalls:sys_" + (ret ? "exit_" : "enter_") + sys;
                    }
                    setKind(null, at);
                    return (ret ? "kretprobe:" : "kprobe:") + fn;
                }
                if (c.size() >= 2 && c.get(1).name().equals("trace") && c.get(1).arg() != null) {
                    String t = c.get(1).arg();
                    setKind("syscall", at);
                    return t.contains(":") ? "tracepoint:" + t : "tracepoint:*:" + t;
                }
                break;
            }
            case "process": {
                if (c.getFirst().arg() == null || c.size() < 2 || c.get(1).arg() == null) break;
                String bin = c.getFirst().arg();
                if (c.get(1).name().equals("function")) {
                    setKind(ret ? "uretprobe" : null, at);
                    return (ret ? "uretprobe:" : "uprobe:") + bin + ":" + c.get(1).arg();
                }
                if (c.get(1).name().equals("mark")) {
                    setKind(null, at);
                    return "usdt:" + bin + ":" + c.get(1).arg();
                }
                break;
            }
            default:
                break;
        }
        throw in.error(at, "unsupported probe point " + describe(c));
    }

    private void setKind(String k, Token at) {
        kinds.add(k == null ? "other" : k);
        kind = kinds.size() == 1 ? k : null;
    }

    private static String describe(List<Component> c) {
        StringBuilder sb = new StringBuilder();
        for (Component x : c) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(x.name());
            if (x.arg() != null) sb.append("(\"").append(x.arg()).append("\")");
        }
        return sb.toString();
    }

    /** The syscall a kernel function implements ({@code __x64_sys_kill} and {@code sys_kill} give {@code kill}), or null. */
    static String syscallName(String fn) {
        for (String p : SYSCALL_PREFIXES) if (fn.startsWith(p) && fn.length() > p.length()) return fn.substring(p.length());
        return null;
    }

    // ---- statements ----

    private List<Stmt> block() {
        return in.block(this::statement, false);
    }

    private List<Stmt> body() {
        if (in.at(LBRACE)) return block();
        Stmt s = statement();
        return List.of(s);
    }

    /**
     * A statement, preceded by what the calls of user functions in its expressions need (their inlined bodies):
     * a block of both when there are any. A call made as a statement of its own leaves only its body.
     */
    private Stmt statement() {
        List<Stmt> outer = pending;
        pending = new ArrayList<>();
        in.enter(in.peek());
        try {
            Stmt s = plainStatement();
            if (pending.isEmpty()) return s;
            List<Stmt> all = new ArrayList<>(pending);
            if (!(s instanceof Stmt.ExprStmt e && callResults.contains(e.expr()))) all.add(s);
            return new Stmt.Block(all, s.span());
        } finally {
            in.leave();
            pending = outer;
        }
    }

    /** Rejects a call of a user function where its body would run once instead of at each evaluation. */
    private void noCallsIn(Token at, String where) {
        if (!pending.isEmpty()) throw in.error(at, "a call of a SystemTap function in " + where + " is not supported: bpf4j inlines them");
    }

    private Stmt plainStatement() {
        Token t = in.peek();
        if (t.is(LBRACE)) return new Stmt.Block(block(), t.span());
        if (t.isWord("if")) {
            in.advance();
            in.expect(LPAREN);
            Expr c = expr();
            in.expect(RPAREN);
            List<Stmt> then = body();
            in.accept(SEMI);
            List<Stmt> otherwise = List.of();
            if (in.atWord("else")) {
                in.advance();
                otherwise = body();
            }
            return new Stmt.If(c, then, otherwise, t.span());
        }
        if (t.isWord("while")) {
            in.advance();
            in.expect(LPAREN);
            Expr c = expr();
            noCallsIn(t, "a while condition");
            in.expect(RPAREN);
            return new Stmt.While(c, body(), t.span());
        }
        if (t.isWord("for")) return forLoop();
        if (t.isWord("foreach")) return foreach();
        if (t.isWord("next") || t.isWord("return")) {
            in.advance();
            if (t.isWord("return") && !in.at(SEMI) && !in.at(RBRACE)) {
                Expr v = expr();
                // in a function: the value goes to the expansion's result variable
                if (!locals.equals("$")) return new Stmt.Block(List.of(new Stmt.Assign(new Expr.Var(locals + "ret", t.span()), null, v, t.span()),
                        new Stmt.Return(t.span())), t.span());
            }
            return new Stmt.Return(t.span());
        }
        if (t.isWord("break")) { in.advance(); return new Stmt.Break(t.span()); }
        if (t.isWord("continue")) { in.advance(); return new Stmt.Continue(t.span()); }
        if (t.isWord("delete")) {
            in.advance();
            Expr e = expr();
            if (!(e instanceof Expr.MapRef m)) throw in.error(t, "delete takes a global or an element of one");
            unread(m);
            return new Stmt.ExprStmt(new Expr.Call(m.keys().isEmpty() ? "clear" : "delete", List.of(m), t.span()), t.span());
        }
        return simple();
    }

    /** An expression statement or an assignment (=, op=, .=, <<<). */
    private Stmt simple() {
        Expr e = expr();
        Token op = in.peek();
        if (op.is(AGGREGATE)) {
            in.advance();
            if (!(e instanceof Expr.MapRef m)) throw in.error(op, "<<< adds to a global statistic, such as s[k] <<< v");
            unread(m);
            Expr v = expr();
            Histogram h = histograms.get(m.name().substring(1));
            if (h == null) return new Stmt.Assign(m, null, new Expr.Call(STATISTIC, List.of(v), op.span()), e.span());
            if (!m.keys().isEmpty()) throw in.error(op, "@hist_log and @hist_linear of an array of statistics are not supported");
            // the value once, into the statistic and the histogram
            Span at = op.span();
            Expr.Var tmp = new Expr.Var(locals + "__hist_value", at);
            Expr.MapRef hist = new Expr.MapRef(m.name() + "__hist", List.of(), at);
            Expr.Call add = h.linear()
                    ? new Expr.Call("lhist", List.of(tmp, new Expr.Int(h.start(), at), new Expr.Int(h.stop() + h.interval(), at),
                            new Expr.Int(h.interval(), at)), at)
                    : new Expr.Call("hist", List.of(tmp), at);
            return new Stmt.Block(List.of(new Stmt.Assign(tmp, null, v, at),
                    new Stmt.Assign(m, null, new Expr.Call(STATISTIC, List.of(tmp), at), e.span()),
                    new Stmt.Assign(hist, null, add, at)), e.span());
        }
        BinOp bop = Parser.assignOp(op.kind());
        if (op.is(ASSIGN) || bop != null || op.is(DOT_ASSIGN)) {
            if (!(e instanceof Expr.Var || e instanceof Expr.MapRef)) throw in.error(op, "only a variable can be assigned to");
            in.advance();
            Expr v = expr();
            if (e instanceof Expr.MapRef m) unread(m);
            if (op.is(DOT_ASSIGN)) return new Stmt.Assign(e, null, new Expr.Binary(BinOp.CONCAT, e, v, op.span()), e.span());
            return new Stmt.Assign(e, bop, v, e.span());
        }
        if (e instanceof Expr.IncDec id && id.target() instanceof Expr.MapRef m) unread(m);
        return new Stmt.ExprStmt(e, e.span());
    }

    private void unread(Expr.MapRef m) {
        String g = m.name().substring(1);
        reads.merge(g, -1, Integer::sum);
    }

    private Stmt forLoop() {
        Token t = in.advance();
        in.expect(LPAREN);
        List<Stmt> before = new ArrayList<>();
        Stmt init = in.at(SEMI) ? null : simple();
        before.addAll(pending);
        pending.clear();
        in.expect(SEMI);
        Expr cond = in.at(SEMI) ? new Expr.Int(1, t.span()) : expr();
        noCallsIn(t, "a for condition");
        in.expect(SEMI);
        Stmt step = in.at(RPAREN) ? null : simple();
        noCallsIn(t, "a for step");
        pending.addAll(before);
        in.expect(RPAREN);
        List<Stmt> loop = new ArrayList<>(body());
        if (step != null) loop.add(step);
        List<Stmt> out = new ArrayList<>();
        if (init != null) out.add(init);
        out.add(new Stmt.While(cond, loop, t.span()));
        return new Stmt.Block(out, t.span());
    }

    private Stmt foreach() {
        Token t = in.advance();
        in.expect(LPAREN);
        List<String> keys = new ArrayList<>();
        boolean sorted = false, byValue = false, descending = false;
        boolean bracket = in.accept(LBRACKET);
        do {
            keys.add(locals + in.expect(IDENT).text());
            if (in.at(PLUS) || in.at(MINUS)) {
                sorted = true;
                descending = in.advance().is(MINUS);
            }
        } while (bracket && in.accept(COMMA));
        if (bracket) in.expect(RBRACKET);
        in.expectWord("in");
        Token map = in.expect(IDENT);
        if (!globals.contains(map.text())) throw in.error(map, map.text() + " is not a global array");
        reads.merge(map.text(), 1, Integer::sum);
        if (in.at(PLUS) || in.at(MINUS)) {
            sorted = true;
            byValue = true;
            descending = in.advance().is(MINUS);
        }
        Expr limit = null;
        if (in.atWord("limit")) {
            in.advance();
            limit = expr();
        }
        in.expect(RPAREN);
        return new Stmt.Foreach(keys, null, "@" + map.text(), sorted, byValue, descending, limit, body(), t.span());
    }

    // ---- expressions ----

    private Expr expr() {
        in.enter(in.peek());
        try {
            return ternary();
        } finally {
            in.leave();
        }
    }

    private Expr ternary() {
        Expr c = binary(0);
        if (!in.accept(QUESTION)) return c;
        Expr a = expr();
        in.enter(in.expect(COLON)); // a ?: chain nests to the right
        try {
            return new Expr.Ternary(c, a, ternary(), c.span());
        } finally {
            in.leave();
        }
    }

    private static final TokenKind[][] LEVELS = {
            {OROR}, {ANDAND}, {PIPE}, {CARET}, {AMP}, {EQ, NE}, {LT, GT, LE, GE}, {SHL, SHR}, {PLUS, MINUS, DOT},
            {STAR, SLASH, PERCENT}};

    private Expr binary(int level) {
        return in.binary(LEVELS, level, this::unary, k -> k == DOT ? BinOp.CONCAT : Parser.binOp(k), k -> false);
    }

    private Expr unary() {
        Token t = in.peek();
        in.enter(t);
        try {
            return plainUnary(t);
        } finally {
            in.leave();
        }
    }

    private Expr plainUnary(Token t) {
        switch (t.kind()) {
            case MINUS -> {
                in.advance();
                Expr e = unary();
                return e instanceof Expr.Int i ? new Expr.Int(-i.value(), t.span()) : new Expr.Unary(UnOp.NEG, e, t.span());
            }
            case BANG -> { in.advance(); return new Expr.Unary(UnOp.NOT, unary(), t.span()); }
            case TILDE -> { in.advance(); return new Expr.Unary(UnOp.BNOT, unary(), t.span()); }
            case INC, DEC -> { in.advance(); return new Expr.IncDec(unary(), t.is(INC), true, t.span()); }
            default -> {
                Expr e = primary();
                while (in.at(INC) || in.at(DEC)) {
                    Token op = in.advance();
                    e = new Expr.IncDec(e, op.is(INC), false, op.span());
                }
                if (in.peek().isWord("in") && !(e instanceof Expr.Call c && c.name().equals(CONTAINS))) return membership(List.of(e));
                return e;
            }
        }
    }

    /** {@code @hist_log(s)} or {@code @hist_linear(s, start, stop, interval)}, after the operator's name. */
    private Expr histogram(Token t) {
        in.expect(LPAREN);
        Token name = in.expect(IDENT);
        if (!globals.contains(name.text())) throw in.error(name, name.text() + " is not a global statistic");
        boolean linear = t.text().equals("@hist_linear");
        long[] bounds = new long[3];
        if (linear) {
            for (int i = 0; i < 3; i++) {
                in.expect(COMMA);
                boolean minus = in.accept(MINUS);
                long v = in.expect(INT).value();
                bounds[i] = minus ? -v : v;
            }
        } else if (in.at(LBRACKET)) {
            throw in.error(in.peek(), "@hist_log of an array element is not supported");
        }
        in.expect(RPAREN);
        // the <<< statements were written for the first use the scan found: every use must be that one
        Histogram h = histograms.get(name.text());
        Histogram here = linear ? new Histogram(true, bounds[0], bounds[1], bounds[2]) : new Histogram(false, 0, 0, 0);
        if (!here.equals(h))
            throw in.error(t, name.text() + " is printed both as @hist_log and as @hist_linear, or with other bounds");
        if (linear && (h.interval() <= 0 || h.stop() <= h.start()))
            throw in.error(t, "@hist_linear needs a positive interval and stop above start");
        if (linear && h.start() < 0) // its buckets are bpftrace's lhist()'s, which start at 0 or above
            throw in.error(t, "@hist_linear with a negative start is not supported");
        reads.merge(name.text(), 1, Integer::sum);
        Span at = t.span();
        return new Expr.Call(HIST_PRINT, List.of(new Expr.MapRef("@" + name.text() + "__hist", List.of(), at),
                new Expr.Int(linear ? 1 : 0, at), new Expr.Int(h.start(), at), new Expr.Int(h.interval(), at)), at);
    }

    /** {@code KEYS in ARRAY}, at the word {@code in}. */
    private Expr membership(List<Expr> keys) {
        Token word = in.advance();
        if (!word.isWord("in")) throw in.error(word, "expected 'in' after a bracketed key list, got " + word.describe());
        Token m = in.expect(IDENT);
        if (!globals.contains(m.text())) throw in.error(m, m.text() + " is not a global array (declare it with 'global " + m.text() + "')");
        reads.merge(m.text(), 1, Integer::sum);
        return new Expr.Call(CONTAINS, List.of(new Expr.MapRef("@" + m.text(), keys, m.span())), word.span());
    }

    private List<Expr> arguments() {
        List<Expr> args = new ArrayList<>();
        if (!in.at(RPAREN) && !in.at(RBRACKET)) {
            args.add(expr());
            while (in.accept(COMMA)) args.add(expr());
        }
        return args;
    }

    private Expr primary() {
        Token t = in.advance();
        switch (t.kind()) {
            case INT: return new Expr.Int(t.value(), t.span());
            case STRING: return new Expr.Str(t.text(), t.span());
            case POSITIONAL: return new Expr.Positional((int) t.value(), t.span());
            case PARAM_COUNT: return new Expr.ParamCount(t.span());
            case LPAREN: {
                Expr e = expr();
                in.expect(RPAREN);
                return e;
            }
            case LBRACKET: { // [k1, k2] in a
                List<Expr> keys = arguments();
                in.expect(RBRACKET);
                return membership(keys);
            }
            case VAR: return target(t);
            case MAP: {
                String n = t.text();
                if (n.matches("@\\d+")) return new Expr.Call("str", List.of(new Expr.Positional(Integer.parseInt(n.substring(1)), t.span())), t.span());
                if (n.equals("@hist_log") || n.equals("@hist_linear")) return histogram(t);
                if (!List.of("@count", "@sum", "@avg", "@min", "@max").contains(n)) throw in.error(t, "unknown operator " + n);
                in.expect(LPAREN);
                Expr arg = expr();
                in.expect(RPAREN);
                return new Expr.Call(n, List.of(arg), t.span());
            }
            case IDENT: {
                if (in.accept(LPAREN)) {
                    List<Expr> args = arguments();
                    in.expect(RPAREN);
                    return function(t, args);
                }
                if (globals.contains(t.text())) {
                    reads.merge(t.text(), 1, Integer::sum);
                    List<Expr> keys = List.of();
                    if (in.accept(LBRACKET)) {
                        keys = arguments();
                        in.expect(RBRACKET);
                    }
                    return new Expr.MapRef("@" + t.text(), keys, t.span());
                }
                if (in.at(LBRACKET)) throw in.error(t, t.text() + " is not a global array (declare it with 'global " + t.text() + "')");
                return new Expr.Var(locals + t.text(), t.span());
            }
            default:
                throw in.error(t, "expected an expression, got " + t.describe());
        }
    }

    /** A {@code $target} variable: a syscall tracepoint's field, or the return value. */
    private Expr target(Token t) {
        String name = t.text().substring(1);
        if (kinds.size() > 1) throw in.error(t, "target variable " + t.text() + " in a probe whose points are of different kinds");
        if (name.equals("return")) {
            if ("return".equals(kind)) return new Expr.Field(new Expr.Builtin("args", t.span()), "ret", true, t.span());
            if ("uretprobe".equals(kind)) return new Expr.Builtin("retval", t.span());
            if ("kretprobe".equals(kind)) return new Expr.Cast(new TypeName("int64", 0, t.span()), new Expr.Builtin("retval", t.span()), t.span());
            throw in.error(t, "$return is only available in .return probes");
        }
        if ("kretprobe".equals(kind)) throw in.error(t, "a .return probe of a system call has $return only, not " + t.text());
        if ("kprobe-syscall".equals(kind)) return register(name, t);
        if ("syscall".equals(kind) && !syscallEvents.isEmpty())
            return declared(new Expr.Field(new Expr.Builtin("args", t.span()), name, true, t.span()), name, t);
        if ("syscall".equals(kind) || "return".equals(kind))
            return new Expr.Field(new Expr.Builtin("args", t.span()), name, true, t.span());
        throw in.error(t, "target variable " + t.text() + " needs the function's debug information: bpf4j has target "
                + "variables for syscall and kernel.trace probes only");
    }

    /**
     * A syscall's argument with the C type its parameter has, as SystemTap reads it from debug information: the
     * tracepoint keeps every argument in 8 unsigned bytes, so kill(-23705, 0)'s pid_t would print as 4294943591.
     */
    private Expr declared(Expr field, String name, Token t) {
        String type = null;
        for (String ev : syscallEvents) {
            String c = tracepoints.fieldType("syscalls", ev, name).map(s -> s.replace("const ", "").strip()).orElse(null);
            if (c == null || (type != null && !type.equals(c))) return field;
            type = c;
        }
        String cast = SyscallFunction.integerCast(type);
        return cast == null ? field : new Expr.Cast(new TypeName(cast, 0, t.span()), field, t.span());
    }

    /** A system call's parameter in its kprobe: the caller's register, the same in every function of the probe. */
    private Expr register(String name, Token t) {
        Expr read = null;
        for (SyscallFunction f : syscallFunctions) {
            Expr e = f.argument(name, t.span());
            if (e == null) throw in.error(t, f.function() + " has no parameter " + t.text() + " (its parameters: "
                    + (f.params().isEmpty() ? "none" : String.join(", ", f.names())) + ")");
            if (read != null && !read.equals(e)) throw in.error(t, "target variable " + t.text() + " is a different parameter in each function of the probe");
            read = e;
        }
        return read;
    }

    private Expr function(Token t, List<Expr> args) {
        Span at = t.span();
        String n = t.text();
        return switch (n) {
            case "pid", "tid", "uid", "gid", "cpu", "jiffies" -> new Expr.Builtin(n, at);
            case "euid" -> new Expr.Builtin("uid", at);
            case "egid" -> new Expr.Builtin("gid", at);
            case "execname" -> new Expr.Builtin("comm", at);
            case "pp", "probefunc" -> new Expr.Builtin("probe", at);
            case "local_clock_ns", "cpu_clock_ns" -> new Expr.Builtin("nsecs", at);
            case "gettimeofday_ns" -> wallClock(at, 1);
            case "gettimeofday_us" -> wallClock(at, 1_000);
            case "gettimeofday_ms" -> wallClock(at, 1_000_000);
            case "gettimeofday_s" -> wallClock(at, 1_000_000_000);
            case "target" -> target > 0 ? new Expr.Int(target, at) : new Expr.Builtin("cpid", at);
            case "ppid" -> new Expr.Field(new Expr.Field(new Expr.Builtin("curtask", at), "real_parent", true, at), "tgid", true, at);
            case "local_clock_us", "cpu_clock_us" -> new Expr.Binary(BinOp.DIV, new Expr.Builtin("nsecs", at), new Expr.Int(1000, at), at);
            case "kernel_string", "kernel_string_n" -> new Expr.Call("str", arity(t, args, n.endsWith("_n") ? 2 : 1), at);
            case "user_string", "user_string_n" -> {
                List<Expr> a = new ArrayList<>(arity(t, args, n.endsWith("_n") ? 2 : 1));
                a.set(0, new Expr.Call("uptr", List.of(args.getFirst()), at));
                yield new Expr.Call("str", a, at);
            }
            case "printf" -> printf(t, args);
            case "sprintf" -> sprintf(t, args);
            case "isinstr" -> new Expr.Call("strcontains", args, at);
            case "strlen" -> new Expr.Call(STRLEN, args, at);
            case "substr" -> new Expr.Call(SUBSTR, args, at);
            case "print", "println" -> print(t, args);
            case "log" -> new Expr.Call("printf", List.of(new Expr.Str("%s\n", at), arity(t, args, 1).getFirst()), at);
            case "exit" -> new Expr.Call("exit", List.of(), at);
            default -> {
                if (functions.containsKey(n)) yield inline(t, args);
                throw in.error(t, "unknown or unsupported function " + n + "()");
            }
        };
    }

    /** {@code args} when there are {@code n} of them; a {@link SyntaxError} at the call otherwise. */
    private List<Expr> arity(Token t, List<Expr> args, int n) {
        if (args.size() != n)
            throw in.error(t, t.text() + "() takes " + n + " argument" + (n == 1 ? "" : "s") + ", " + args.size() + " given");
        return args;
    }

    /**
     * The time of day in units of {@code unit} ns: the monotonic clock BPF reads plus its distance to the real-time
     * clock, measured now (as SystemTap's gettimeofday_* read the kernel's real-time clock).
     */
    private static Expr wallClock(Span at, long unit) {
        java.time.Instant now = java.time.Instant.now();
        long offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        Expr ns = new Expr.Binary(BinOp.ADD, new Expr.Builtin("nsecs", at), new Expr.Int(offset, at), at);
        return unit == 1 ? ns : new Expr.Binary(BinOp.DIV, ns, new Expr.Int(unit, at), at);
    }

    // ---- user functions, inlined ----

    /** A function as one expansion parsed it: its parameters' variables and its body. */
    private record Function(List<String> params, List<Stmt> body) {}

    /**
     * {@code function NAME[:type] ([p[:type], ...]) { body }} at the cursor, its locals and parameters named with
     * {@code prefix} so that each expansion has its own.
     */
    private Function functionDefinition(String prefix) {
        String outerLocals = locals, outerKind = kind;
        locals = prefix;
        kind = null;   // no probe point: no $target variables
        try {
            in.advance();
            in.expect(IDENT);
            if (in.accept(COLON)) in.expect(IDENT);
            in.expect(LPAREN);
            List<String> params = new ArrayList<>();
            if (!in.at(RPAREN)) {
                do {
                    params.add(prefix + in.expect(IDENT).text());
                    if (in.accept(COLON)) in.expect(IDENT);
                } while (in.accept(COMMA));
            }
            in.expect(RPAREN);
            return new Function(params, block());
        } finally {
            locals = outerLocals;
            kind = outerKind;
        }
    }

    /**
     * A call of a user function: its body is parsed again where the definition is, with fresh variable names, and
     * goes before the statement (parameters assigned first, {@code return}s turned into branches); the call's value
     * is the expansion's result variable. So the body runs once per statement, before it: a call in a while or for
     * condition is refused, and one on the right of {@code &&}, {@code ||} or {@code ?:} runs unconditionally.
     */
    private Expr inline(Token t, List<Expr> args) {
        String n = t.text();
        if (expanding.contains(n)) throw in.error(t, "recursive function " + n + "(): bpf4j inlines SystemTap functions, and cannot inline this one");
        // each call is a copy of the body: calls of calls could otherwise double it at each level
        if (expansions >= MAX_EXPANSIONS)
            throw in.error(t, "more than " + MAX_EXPANSIONS + " calls of SystemTap functions to inline: bpf4j inlines each one");
        String prefix = "$__" + n + "_" + expansions++ + "_";
        TokenCursor outer = in;
        List<Stmt> outerPending = pending;
        in = new TokenCursor(new Scanner(from(functions.get(n)), true), outer.depth()); // the body nests where it is called
        pending = new ArrayList<>();
        expanding.add(n);
        Function f;
        try {
            f = functionDefinition(prefix);
        } finally {
            in = outer;
            pending = outerPending;
            expanding.removeLast();
        }
        if (args.size() != f.params().size())
            throw in.error(t, n + "() takes " + f.params().size() + " argument" + (f.params().size() == 1 ? "" : "s") + ", " + args.size() + " given");
        for (int i = 0; i < args.size(); i++) pending.add(new Stmt.Assign(new Expr.Var(f.params().get(i), t.span()), null, args.get(i), t.span()));
        pending.addAll(structured(f.body(), t));
        Expr result = new Expr.Var(prefix + "ret", t.span());
        callResults.add(result);
        return result;
    }

    /** The source with everything before {@code offset} blanked (newlines kept): a scanner there sees true places. */
    private Source from(int offset) {
        Source src = scanner.source();
        StringBuilder sb = new StringBuilder(src.text().length());
        for (int i = 0; i < offset; i++) sb.append(src.text().charAt(i) == '\n' ? '\n' : ' ');
        return new Source(src.name(), sb.append(src.text(), offset, src.text().length()).toString());
    }

    /** A body whose {@code return}s end it: what follows a return-bearing if goes into both of its branches. */
    private List<Stmt> structured(List<Stmt> body, Token at) {
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Stmt s = body.get(i);
            List<Stmt> rest = body.subList(i + 1, body.size());
            switch (s) {
                case Stmt.Return r -> { return out; }
                case Stmt.Block b when returns(b) -> {
                    out.addAll(structured(concat(b.body(), rest), at));
                    return out;
                }
                case Stmt.If f when returns(f) -> {
                    out.add(new Stmt.If(f.cond(), structured(concat(f.then(), rest), at), structured(concat(f.otherwise(), rest), at), f.span()));
                    return out;
                }
                default -> {
                    if (returns(s)) throw in.error(at, "a return inside a loop of " + at.text() + "() is not supported: bpf4j inlines SystemTap functions");
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static List<Stmt> concat(List<Stmt> a, List<Stmt> b) {
        List<Stmt> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static boolean returns(Stmt s) {
        return switch (s) {
            case Stmt.Return r -> true;
            case Stmt.Block b -> b.body().stream().anyMatch(StapParser::returns);
            case Stmt.If f -> f.then().stream().anyMatch(StapParser::returns) || f.otherwise().stream().anyMatch(StapParser::returns);
            case Stmt.While w -> w.body().stream().anyMatch(StapParser::returns);
            case Stmt.Unroll u -> u.body().stream().anyMatch(StapParser::returns);
            case Stmt.Foreach f -> f.body().stream().anyMatch(StapParser::returns);
            case Stmt.ForMap f -> f.body().stream().anyMatch(StapParser::returns);
            default -> false;
        };
    }

    /**
     * print(a, b, ...) writes the values one after another, println the same and a newline: all but the last go
     * before the statement, each its own print without a newline ({@link #PRINT_INLINE}).
     */
    private Expr print(Token t, List<Expr> args) {
        Span at = t.span();
        boolean line = t.text().equals("println");
        if (args.size() == 1 && args.getFirst() instanceof Expr.Call c && c.name().equals(HIST_PRINT)) return c;
        if (args.isEmpty()) {
            if (!line) throw in.error(t, "print() needs a value");
            return new Expr.Call("printf", List.of(new Expr.Str("\n", at)), at);
        }
        for (int i = 0; i < args.size() - 1; i++)
            pending.add(new Stmt.ExprStmt(new Expr.Call(PRINT_INLINE, List.of(args.get(i)), at), at));
        return new Expr.Call(line ? PRINT_LINE : PRINT_INLINE, List.of(args.getLast()), at);
    }

    /** printf: SystemTap's %d is 64-bit (bpftrace's is C's int), and a concatenation argument becomes several %s. */
    private Expr printf(Token t, List<Expr> args) {
        if (args.isEmpty() || !(args.getFirst() instanceof Expr.Str fmt)) throw in.error(t, "printf() needs a format string");
        StringBuilder out = new StringBuilder();
        List<Expr> values = new ArrayList<>();
        String f = fmt.value();
        int arg = 1;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') { out.append(c); continue; }
            int start = i++;
            if (i < f.length() && f.charAt(i) == '%') { out.append("%%"); continue; }
            while (i < f.length() && "-+ #0123456789.".indexOf(f.charAt(i)) >= 0) i++;
            int len = i;
            while (i < f.length() && "hljzt".indexOf(f.charAt(i)) >= 0) i++;
            if (i >= f.length()) { out.append(f, start, i); break; }
            char conv = f.charAt(i);
            String spec = f.substring(start, len) + (len == i && "diouxX".indexOf(conv) >= 0 ? "l" : f.substring(len, i)) + conv;
            Expr a = arg < args.size() ? args.get(arg++) : null;
            if (a instanceof Expr.Binary b && b.op() == BinOp.CONCAT && conv == 's') {
                List<Expr> parts = new ArrayList<>();
                flatten(a, parts);
                for (Expr p : parts) { out.append(spec); values.add(p); }
            } else {
                out.append(spec);
                if (a != null) values.add(a);
            }
        }
        for (; arg < args.size(); arg++) values.add(args.get(arg));
        List<Expr> all = new ArrayList<>();
        all.add(new Expr.Str(out.toString(), fmt.span()));
        all.addAll(values);
        return new Expr.Call("printf", all, t.span());
    }

    /**
     * sprintf(fmt, ...) as a string built on the BPF stack: the format's text, {@code %s} strings and {@code %d},
     * {@code %u}, {@code %x} integers (their digits, {@link #ITOA}) joined with '.' (no widths or flags).
     */
    private Expr sprintf(Token t, List<Expr> args) {
        if (args.isEmpty() || !(args.getFirst() instanceof Expr.Str fmt)) throw in.error(t, "sprintf() needs a format string");
        Span at = t.span();
        List<Expr> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String f = fmt.value();
        int arg = 1;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') { text.append(c); continue; }
            if (++i >= f.length()) throw in.error(t, "sprintf(): incomplete conversion at the end of the format");
            char conv = f.charAt(i);
            if (conv == '%') { text.append('%'); continue; }
            while ("lhjzt".indexOf(conv) >= 0 && i + 1 < f.length()) conv = f.charAt(++i);
            if ("sdiux".indexOf(conv) < 0)
                throw in.error(t, "sprintf(): %" + conv + " is not supported (bpf4j builds %s, %d, %u and %x, without widths or flags)");
            if (arg >= args.size()) throw in.error(t, "sprintf(): not enough arguments for the format");
            if (!text.isEmpty()) parts.add(new Expr.Str(text.toString(), at));
            text.setLength(0);
            Expr a = args.get(arg++);
            parts.add(conv == 's' ? a : new Expr.Call(ITOA, List.of(a, new Expr.Int(conv == 'x' ? 16 : 10, at),
                    new Expr.Int(conv == 'd' || conv == 'i' ? 1 : 0, at)), at));
        }
        if (arg < args.size()) throw in.error(t, "sprintf(): more arguments than the format has conversions");
        if (!text.isEmpty() || parts.isEmpty()) parts.add(new Expr.Str(text.toString(), at));
        Expr out = parts.getFirst();
        for (int i = 1; i < parts.size(); i++) out = new Expr.Binary(BinOp.CONCAT, out, parts.get(i), at);
        return out;
    }

    /** The operands of a chain of '.' (string concatenations), left to right, into {@code out}. */
    public static void flatten(Expr e, List<Expr> out) {
        if (e instanceof Expr.Binary b && b.op() == BinOp.CONCAT) {
            flatten(b.left(), out);
            flatten(b.right(), out);
        } else {
            out.add(e);
        }
    }
}
