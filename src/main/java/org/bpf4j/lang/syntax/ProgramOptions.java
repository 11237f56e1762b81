package org.bpf4j.lang.syntax;

import org.bpf4j.UserException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * bpftrace v0.26's named program options: {@code getopt("name"[, default[, description]])} in the script takes
 * {@code --name[=value]} from the program's command line (after {@code --}). Each call becomes the literal it
 * evaluates to (an integer, a string, or 1/0 for a boolean option), so the checker and code generator see
 * constants. A named option the script does not ask for is refused, as bpftrace refuses it.
 */
public final class ProgramOptions {
    private ProgramOptions() {}

    /** The positional parameters among {@code args}: those that are not {@code --name[=value]}. */
    public static List<String> positional(List<String> args) {
        return args.stream().filter(a -> !named(a)).toList();
    }

    private static boolean named(String a) { return a.startsWith("--") && a.length() > 2; }

    /** {@code script} with its getopt() calls replaced by the values {@code args} give. */
    public static Script apply(Script script, List<String> args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String a : args) {
            if (!named(a)) continue;
            int eq = a.indexOf('=');
            given.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? null : a.substring(eq + 1));
        }
        Set<String> asked = new java.util.LinkedHashSet<>();
        java.util.function.UnaryOperator<Expr>[] rewrite = new java.util.function.UnaryOperator[1];
        rewrite[0] = e -> {
            if (e instanceof Expr.Call c && c.name().equals("getopt")) return value(script.source(), c, given, asked);
            return Macros.map(e, rewrite[0]);
        };
        List<Probe> probes = new ArrayList<>();
        for (Probe p : script.probes())
            probes.add(new Probe(p.points(), p.predicate() == null ? null : rewrite[0].apply(p.predicate()), stmts(p.body(), rewrite[0]), p.span()));
        List<String> unknown = given.keySet().stream().filter(k -> !asked.contains(k)).map(k -> "--" + k).toList();
        if (!unknown.isEmpty())
            throw new UserException("unexpected program command line options: " + String.join(", ", unknown)
                    + (asked.isEmpty() ? "" : "\nHINT: expected program options: " + String.join(", ", asked.stream().map(k -> "--" + k).toList())));
        return new Script(script.source(), script.structs(), probes, script.includes(), script.silent(), script.stap(), script.config(),
                script.declared(), script.enums());
    }

    private static List<Stmt> stmts(List<Stmt> body, java.util.function.UnaryOperator<Expr> f) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) out.add(Macros.mapStmt(s, f, b -> stmts(b, f)));
        return out;
    }

    private static Expr value(Source source, Expr.Call c, Map<String, String> given, Set<String> asked) {
        if (c.args().isEmpty() || c.args().size() > 3 || !(c.args().getFirst() instanceof Expr.Str name))
            throw new SyntaxError(source, c.span(), "getopt() takes a name (a string literal), a default and a description");
        asked.add(name.value());
        Expr def = c.args().size() > 1 ? c.args().get(1) // no default: a boolean, false (v0.26's false, as V026 lowers it)
                : new Expr.Cast(new TypeName("bool", 0, c.span()), new Expr.Int(0, c.span()), c.span());
        boolean present = given.containsKey(name.value());
        String text = given.get(name.value());
        return switch (def) {
            case Expr.Str s -> new Expr.Str(present && text != null ? text : s.value(), c.span());
            case Expr.Int i when present -> {
                if (text == null) yield new Expr.Int(1, c.span());
                if (text.equals("true")) yield new Expr.Int(1, c.span());
                if (text.equals("false")) yield new Expr.Int(0, c.span());
                try {
                    yield new Expr.Int(Long.decode(text), c.span());
                } catch (NumberFormatException e) {
                    throw new UserException("program command line option --" + name.value() + " invalid integer (value: " + text + ")");
                }
            }
            case Expr.Int i -> i;
            // v0.26's true/false (a bool cast of 1 or 0, as V026 lowers them): --name, --name=true|false|1|0
            case Expr.Cast b when b.type().base().equals("bool") && b.type().pointers() == 0 && b.operand() instanceof Expr.Int -> {
                if (!present) yield b;
                boolean on = switch (text == null ? "true" : text) {
                    case "true", "1" -> true;
                    case "false", "0" -> false;
                    default -> throw new UserException("program command line option --" + name.value() + " invalid boolean (value: " + text + ")");
                };
                yield new Expr.Cast(b.type(), new Expr.Int(on ? 1 : 0, c.span()), c.span());
            }
            default -> throw new SyntaxError(source, def.span(), "getopt()'s default must be a literal");
        };
    }
}
