package org.bpf4j.lang.sema;

import org.bpf4j.UserException;
import org.bpf4j.lang.syntax.BinOp;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Probe;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.Stmt;
import org.bpf4j.lang.syntax.UnOp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves and type-checks a parsed script, before any kernel call: expands attach points into units, infers
 * every map's key and value type from all its uses (a first pass that only learns, repeated until nothing
 * changes, then a pass that checks and reports), and records each expression's type in the unit's side table.
 */
public final class Checker {
    /** Options that change what a script may do: {@code unsafe} allows system() and signal(). */
    public record Options(boolean unsafe) {
        /** The defaults: no unsafe functions. */
        public static final Options DEFAULT = new Options(false);
    }

    /** Thrown in the learning pass when a map's type is not known yet; the statement is skipped. */
    static final class Defer extends RuntimeException {
        private static final long serialVersionUID = 1L;
        Defer() { super(null, null, false, false); }
    }

    final Source source;
    final CTypes ctypes;
    /** The identifiers that name an enumerator (the script's, or the kernel's from BTF) rather than a builtin, with its value. */
    final Map<Expr.Builtin, Long> enumerators = new IdentityHashMap<>();
    final Map<Expr.Call, Integer> kernelVars = new IdentityHashMap<>();
    final Params params;
    final ProbeCatalog catalog;
    final Options options;
    private final Script script;
    final Map<String, MapDecl> maps = new TreeMap<>();
    /** What code generation will need from the machine, looked up as the calls that need it are checked. */
    final MachineFacts.Builder facts = new MachineFacts.Builder();
    boolean inferring;
    Unit unit;
    private Set<String> assigned;
    private int loops;
    final Calls calls;
    private boolean changed;

    private Checker(Script script, Params params, ProbeCatalog catalog, Options options) {
        this.script = script;
        this.source = script.source();
        this.ctypes = new CTypes(source, script.structs(), script.enums());
        this.params = params;
        this.catalog = catalog;
        this.options = options;
        this.calls = new Calls(this);
        this.config = Config.of(script);
    }

    /** The script's config block, checked. */
    final Config config;

    /** Checks {@code script} with these parameters, against the machine's probes in {@code catalog}. */
    public static Analysis check(Script script, Params params, ProbeCatalog catalog, Options options) {
        Checker c = new Checker(script, params, catalog, options);
        List<Unit> units = c.expand();
        c.inferring = true;
        for (int round = 0; round < 8; round++) {
            c.changed = false;
            for (Unit u : units) c.checkUnit(u);
            if (!c.changed) break;
        }
        c.inferring = false;
        for (Unit u : units) {
            u.types().clear();
            c.checkUnit(u);
        }
        for (MapDecl d : c.maps.values())
            if (d.value() == null) throw c.error(d.firstUse(), "undefined map: " + d.name() + " is used but never assigned");
        // what the code generator and the runtime get is final: read-only views of copies nothing else holds
        List<Unit> frozen = units.stream().map(Unit::frozen).toList();
        return new Analysis(script, frozen, java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(c.maps)), c.ctypes,
                params, List.copyOf(c.warnings), java.util.Collections.unmodifiableMap(new IdentityHashMap<>(c.enumerators)), c.config,
                c.facts.build(usesStacks(frozen) ? catalog.maxStackDepth(MachineFacts.STACK_DEPTH) : MachineFacts.STACK_DEPTH),
                java.util.Collections.unmodifiableMap(new IdentityHashMap<>(c.kernelVars)));
    }

    /** True when a unit takes a kernel or user stack: the stack map's depth then depends on the kernel's limit. */
    private static boolean usesStacks(List<Unit> units) {
        for (Unit u : units)
            for (Type t : u.types().values())
                if (t instanceof Type.Special s && (s.kind() == Type.SpecialKind.KSTACK || s.kind() == Type.SpecialKind.USTACK)) return true;
        return false;
    }

    /**
     * The attach points of {@code script}'s probes, each expanded into the concrete points it stands for, with
     * v0.26's checks of missing probes; nothing else is checked (-l with a program lists them).
     */
    public static List<Attach> attachPoints(Script script, Params params, ProbeCatalog catalog) {
        return new Checker(script, params, catalog, new Options(true)).expand().stream().map(Unit::point).toList();
    }

    SemanticError error(Span at, String message) { return new SemanticError(source, at, message); }

    /** Warnings of the checking pass, once each (a probe with several attach points is checked once per point). */
    private final java.util.Set<Warning> warnings = new java.util.LinkedHashSet<>();

    void warn(Span at, String message) {
        if (!inferring) warnings.add(new Warning(source, at, message));
    }

    /**
     * bpftrace's warnings for integers of different signs (a non-negative literal takes the other side's sign) and
     * for signed division (a non-negative literal counts as unsigned there).
     */
    private void signWarnings(Expr.Binary b, Type l, Type r) {
        if (!(l instanceof Type.Int li) || !(r instanceof Type.Int ri)) return;
        Long lv = literal(b.left()), rv = literal(b.right());
        boolean ls = li.signed(), rs = ri.signed();
        if (ls && !rs && lv != null && lv >= 0) ls = false;
        if (rs && !ls && rv != null && rv >= 0) rs = false;
        BinOp op = b.op();
        String types = "'" + intName(li, lv != null) + "' and '" + intName(ri, rv != null) + "' can lead to undefined behavior";
        if (op.comparison() && ls != rs) warn(b.span(), "comparison of integers of different signs: " + types);
        boolean arith = op == BinOp.ADD || op == BinOp.SUB || op == BinOp.MUL || op == BinOp.DIV || op == BinOp.MOD;
        if (arith && ls != rs) warn(b.span(), "arithmetic on integers of different signs: " + types);
        if (op == BinOp.DIV || op == BinOp.MOD) {
            if (ls && lv != null && lv >= 0) ls = false;
            if (rs && rv != null && rv >= 0) rs = false;
            if (ls || rs) warn(b.span(), "signed operands for '" + op.text() + "' can lead to undefined behavior (cast to unsigned to silence warning)");
        }
    }

    private Long literal(Expr e) {
        if (e instanceof Expr.Int i) return i.value();
        if (e instanceof Expr.Builtin b) return enumerators.get(b); // an enumerator is a literal, as in C
        if (e instanceof Expr.Unary u && u.op() == org.bpf4j.lang.syntax.UnOp.NEG && u.operand() instanceof Expr.Int i) return -i.value();
        return null;
    }

    /**
     * An operand's type as these warnings name it. They are v0.17's (v0.26 dropped them), and v0.17 typed every
     * literal, and so every variable holding only literals, as an int64: a literal's type is named so.
     */
    private static String intName(Type.Int t, boolean literal) {
        return (t.signed() ? "" : "unsigned ") + "int" + (literal || t.flexible() ? 64 : t.size() * 8);
    }

    // ---- attach points ----

    /** v0.26's {@code missing_probes} setting: what an attach point without a match does. */
    enum MissingProbes {
        ERROR, WARN, IGNORE;

        static MissingProbes of(String setting) {
            if (setting == null) return ERROR;
            return switch (setting.toLowerCase(java.util.Locale.ROOT)) {
                case "error" -> ERROR;
                case "warn" -> WARN;
                case "ignore" -> IGNORE;
                default -> throw new UserException("Invalid value for missing_probes: valid values are error, warn, ignore");
            };
        }
    }

    private List<Unit> expand() {
        List<Unit> units = new ArrayList<>();
        MissingProbes missing = MissingProbes.of(script.config().get("missing_probes"));
        for (Probe p : script.probes()) {
            int before = units.size();
            for (Probe.AttachPoint ap : p.points()) {
                Attach a;
                try {
                    a = Attach.parse(params.substitute(ap.text()));
                } catch (IllegalArgumentException e) {
                    throw error(ap.span(), e.getMessage());
                }
                if (a instanceof Attach.Unsupported u)
                    throw error(ap.span(), u.type() + " probes are not supported by bpf4j");
                List<Attach> concrete;
                try {
                    concrete = catalog.expand(a);
                    if (!a.wildcard() && a instanceof Attach.Tracepoint tp) catalog.format(tp.category(), tp.event());
                } catch (UserException e) {
                    if (!(a instanceof Attach.Tracepoint)) throw error(ap.span(), e.getMessage());
                    concrete = List.of();
                }
                if (concrete.isEmpty() && a instanceof Attach.Usdt && !a.wildcard()) throw error(ap.span(), "No probes to attach");
                // as v0.26: an attach point written without a wildcard that matches nothing is missing_probes's
                // business; one that is expanded (a wildcard, a raw tracepoint without its module) just adds
                // nothing, and a probe left without attach points is reported below
                boolean expanded = a.wildcard() || a instanceof Attach.RawTracepoint r && r.module().isEmpty()
                        || a instanceof Attach.Uprobe u && u.symbol().isEmpty();
                if (concrete.isEmpty() && !expanded) {
                    String message = "No matches for " + missingName(a);
                    switch (missing) {
                        case ERROR -> throw error(ap.span(), message + ".");
                        case WARN -> warn(ap.span(), message + ". Skipping.");
                        case IGNORE -> { }
                    }
                }
                for (Attach c : concrete) if (c instanceof Attach.Uprobe u && !u.symbol().isEmpty()) uprobeOffset(u, ap.span());
                for (Attach c : concrete) units.add(new Unit(units.size(), p, c, new IdentityHashMap<>(), new HashMap<>()));
            }
            if (units.size() == before) {
                switch (missing) {
                    case ERROR -> throw error(p.span(), "Probe has no valid attach points. If this is expected, set the "
                            + "'missing_probes' config variable to 'warn'.");
                    case WARN -> warn(p.span(), "Probe has no valid attach points. It is being removed which may cause "
                            + "issues with program behavior.");
                    case IGNORE -> { }
                }
            }
        }
        if (units.isEmpty()) throw error(script.probes().getFirst().span(), "No probes to attach");
        return units;
    }

    /** How v0.26 names an attach point that matched nothing: its probe type and {@code target:function}. */
    private static String missingName(Attach a) {
        String text = a.text();
        return switch (a) {
            case Attach.Uprobe u -> (u.ret() ? "uretprobe " : "uprobe ") + u.binary() + ":" + (u.symbol().isEmpty() ? text.substring(text.lastIndexOf(':') + 1) : u.symbol());
            case Attach.Usdt u -> "usdt " + u.binary() + ":" + (u.provider().isEmpty() ? "" : u.provider() + ":") + u.name();
            case Attach.Tracepoint t -> "tracepoint " + t.category() + ":" + t.event();
            case Attach.RawTracepoint r -> "rawtracepoint " + (r.module().isEmpty() ? "" : r.module() + ":") + r.event();
            default -> text.replaceFirst(":", " ");
        };
    }

    /** {@code body} with its blocks opened (SystemTap's println(a, b) is a block of prints). */
    public static List<Stmt> flat(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Block b) out.addAll(flat(b.body()));
            else out.add(s);
        }
        return out;
    }

    /**
     * bpftrace's guards on a uprobe at {@code function+offset}: the offset must be inside the function (a symbol of
     * size 0 has no inside), and a non-zero one must start an instruction, which bpf4j cannot check (it does not
     * decode x86), so it needs --unsafe: a breakpoint in the middle of an instruction corrupts the process.
     */
    private void uprobeOffset(Attach.Uprobe u, Span at) {
        var sym = catalog.symbolOf(u.binary(), u.symbol());
        if (sym.isEmpty()) return;
        if (sym.get().size() == 0 && u.offset() == 0) {
            if (!options.unsafe())
                throw error(at, "Could not determine boundary for " + u.symbol() + " (symbol has size 0).\nUse --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.");
            return;
        }
        if (u.offset() >= sym.get().size())
            throw error(at, "Offset outside the function bounds ('" + u.symbol() + "' size is " + sym.get().size() + ")");
        if (u.offset() != 0 && !options.unsafe())
            throw error(at, "Can't check if uprobe is in proper place (bpf4j does not decode x86 instructions): "
                    + u.binary() + ":" + u.symbol() + "+" + u.offset() + "; use --unsafe to attach there anyway");
    }

    // ---- statements ----

    private void checkUnit(Unit u) {
        unit = u;
        assigned = new HashSet<>();
        loops = 0;
        Probe p = u.probe();
        if (p.predicate() != null) guarded(() -> scalar(p.predicate(), "the predicate"));
        statements(p.body());
    }

    private void guarded(Runnable r) {
        if (!inferring) {
            r.run();
            return;
        }
        try {
            r.run();
        } catch (Defer | org.bpf4j.lang.syntax.SourceError e) {
            // learnt what could be learnt; the checking pass reports
        }
    }

    void statements(List<Stmt> body) {
        for (Stmt s : body) guarded(() -> statement(s));
    }

    private void statement(Stmt s) {
        switch (s) {
            case Stmt.ExprStmt es -> {
                if (es.expr() instanceof Expr.Call c && Calls.AGGREGATES.contains(c.name()))
                    throw error(c.span(), c.name() + "() should be directly assigned to a map");
                expr(es.expr());
            }
            case Stmt.Assign a -> assign(a);
            case Stmt.If i -> {
                // a condition that reads what the branch assigns first (`if (@m[k] == 0) { @m[k] = x }`) is
                // learnt from the branch: it is checked apart while inferring
                guarded(() -> scalar(i.cond(), "an if condition"));
                statements(i.then());
                statements(i.otherwise());
            }
            case Stmt.While w -> {
                guarded(() -> scalar(w.cond(), "a while condition"));
                loops++;
                statements(w.body());
                loops--;
            }
            case Stmt.Unroll u -> {
                long n = constant(u.count(), "unroll count");
                if (n > 100) throw error(u.count().span(), "unroll maximum value is 100");
                if (n < 1) throw error(u.count().span(), "unroll minimum value is 1");
                statements(u.body());
            }
            case Stmt.Block b -> statements(b.body());
            case Stmt.Return r -> { }
            case Stmt.Let l -> { // zero until assigned; typed by its assignments (an int64 when there are none)
                assigned.add(l.var().name());
                if (!inferring) unit.vars().putIfAbsent(l.var().name(), Type.INT64);
            }
            case Stmt.Break b -> { if (loops == 0) throw error(b.span(), "break used outside of a loop"); }
            case Stmt.Continue c -> { if (loops == 0) throw error(c.span(), "continue used outside of a loop"); }
            case Stmt.Foreach f -> foreach(f);
            case Stmt.ForMap f -> forMap(f);
        }
    }

    private void assign(Stmt.Assign a) {
        if (a.value() instanceof Expr.Call c && Calls.AGGREGATES.contains(c.name())) {
            if (!(a.target() instanceof Expr.MapRef m)) throw error(c.span(), c.name() + "() should be directly assigned to a map");
            if (a.op() != null) throw error(a.span(), "cannot use " + a.op().text() + "= with " + c.name() + "()");
            Type.Agg agg = calls.aggregate(c);
            MapDecl d = declare(m);
            unifyValue(d, agg, c.span());
            put(m, agg);
            return;
        }
        Type v = expr(a.value());
        if (v instanceof Type.None) throw error(a.value().span(), "this expression has no value to assign");
        if (v instanceof Type.Agg) throw error(a.value().span(), "an aggregation cannot be assigned");
        switch (a.target()) {
            case Expr.Var var -> {
                if (a.op() != null) {
                    Type have = variable(var);
                    Type r = arithmetic(a.op(), have, v, a.span());
                    // v0.26: $x += e is $x = $x + e, so the variable takes the 64-bit result's type
                    if (have instanceof Type.Int hi && !hi.bool() && r instanceof Type.Int) widen(var, r);
                    put(var, unit.vars().get(var.name()));
                    return;
                }
                Type have = unit.vars().get(var.name());
                Type t = have == null ? v : unify(have, v, var.span(), "variable " + var.name());
                if (have == null || !have.equals(t)) {
                    unit.vars().put(var.name(), t);
                    changed = true;
                }
                assigned.add(var.name());
                put(var, t);
            }
            case Expr.MapRef m -> {
                MapDecl d = declare(m);
                // @x += n on a map nothing else assigns: it starts at zero, as bpftrace's (an int64)
                if (a.op() != null && d.value() == null && v instanceof Type.Int) unifyValue(d, arithmeticResult(Type.INT64, v), a.span());
                if (a.op() != null) {
                    Type have = mapValue(m, d);
                    arithmetic(a.op(), have, v, a.span());
                    put(m, have);
                    return;
                }
                unifyValue(d, storage(v, a.value().span()), m.span()); // bpftrace places a mismatch at the map
                put(m, d.value());
            }
            default -> throw error(a.span(), "only a variable or a map can be assigned to");
        }
    }

    /** Promotes variable {@code v}'s type with {@code t} (an assignment of a value of that type). */
    private void widen(Expr.Var v, Type t) {
        Type have = unit.vars().get(v.name());
        Type u = have == null ? t : unify(have, t, v.span(), "variable " + v.name());
        if (!u.equals(have)) {
            unit.vars().put(v.name(), u);
            changed = true;
        }
    }

    /**
     * v0.26's loop over a map: its variable is the tuple (key, value) of an entry, the value as reading the map
     * gives it (a count() map's count, an avg() map's average). Stats and histogram maps are refused.
     */
    private void forMap(Stmt.ForMap f) {
        MapDecl d = maps.get(f.map().name());
        if (d == null || d.value() == null) {
            if (inferring) throw new Defer();
            throw error(f.map().span(), "undefined map: " + f.map().name());
        }
        if (d.keyCount() == 0) throw error(f.map().span(), "a for loop iterates over a map with keys, not the scalar map " + f.map().name());
        if (d.value() instanceof Type.Agg agg && !java.util.Set.of(Type.AggKind.COUNT, Type.AggKind.SUM, Type.AggKind.MIN, Type.AggKind.MAX, Type.AggKind.AVG).contains(agg.kind()))
            throw error(f.map().span(), "a for loop over a " + agg.describe() + "() map is not supported by bpf4j");
        put(f.map(), Type.NONE);
        Type kv = new Type.Tuple(List.of(d.key(), mapValue(f.map(), d)));
        String name = f.var().name();
        if (!kv.equals(unit.vars().get(name))) {
            unit.vars().put(name, kv);
            changed = true;
        }
        assigned.add(name);
        loops++;
        statements(f.body());
        loops--;
    }

    /**
     * SystemTap's foreach: run by the runtime over the map's entries, so its body may only print: printf or print
     * of the loop's keys, the entry's value (or a statistic's {@code @count}...), and constants.
     */
    private void foreach(Stmt.Foreach f) {
        MapDecl d = maps.get(f.map());
        if (d == null || d.value() == null) {
            if (inferring) throw new Defer();
            throw error(f.span(), "foreach over " + f.map().substring(1) + ", which is never assigned");
        }
        if (d.keyCount() != f.keyVars().size())
            throw error(f.span(), "foreach names " + f.keyVars().size() + " key" + (f.keyVars().size() == 1 ? "" : "s") + " but "
                    + f.map().substring(1) + " has " + Math.max(0, d.keyCount()));
        if (f.limit() != null) constant(f.limit(), "foreach's limit");
        for (Stmt s : flat(f.body())) {
            if (!(s instanceof Stmt.ExprStmt es && es.expr() instanceof Expr.Call c && (c.name().equals("printf") || c.name().equals("print") || c.name().equals(Calls.PRINT_INLINE) || c.name().equals(Calls.PRINT_LINE))))
                throw error(s.span(), "a foreach body may only printf or print the keys and values");
            int first = c.name().equals("printf") ? 1 : 0;
            if (first == 1) {
                if (!(c.args().getFirst() instanceof Expr.Str fmt)) throw error(c.span(), "printf()'s format must be a string literal");
                int specs;
                try {
                    specs = Format.parse(fmt.value()).specs().size();
                } catch (IllegalArgumentException e) {
                    throw error(fmt.span(), "printf(): " + e.getMessage());
                }
                if (specs != c.args().size() - 1)
                    throw error(c.span(), "printf(): the format has " + specs + " conversions but " + (c.args().size() - 1) + " arguments were given");
            }
            for (Expr a : c.args().subList(first, c.args().size())) put(a, foreachArg(a, f, d));
            put(c, Type.NONE);
        }
    }

    private Type foreachArg(Expr a, Stmt.Foreach f, MapDecl d) {
        if (a instanceof Expr.Str || a instanceof Expr.Int) return expr(a);
        if (a instanceof Expr.Var v && f.keyVars().contains(v.name())) {
            int i = f.keyVars().indexOf(v.name());
            return d.key() instanceof Type.Tuple t && f.keyVars().size() > 1 ? t.elements().get(i) : d.key();
        }
        if (isEntry(a, f)) return d.value() instanceof Type.Agg ? Type.INT64 : d.value();
        if (a instanceof Expr.Call c && Calls.EXTRACTORS.contains(c.name()) && c.args().size() == 1 && isEntry(c.args().getFirst(), f))
            return Type.INT64;
        throw error(a.span(), "a foreach body may only print the loop's keys, " + f.map().substring(1) + "[keys] and constants");
    }

    private static boolean isEntry(Expr e, Stmt.Foreach f) {
        if (!(e instanceof Expr.MapRef m) || !m.name().equals(f.map()) || m.keys().size() != f.keyVars().size()) return false;
        for (int i = 0; i < m.keys().size(); i++)
            if (!(m.keys().get(i) instanceof Expr.Var v && v.name().equals(f.keyVars().get(i)))) return false;
        return true;
    }

    // ---- maps ----

    /** The map {@code m} names as a whole (print, clear, zero): declared on first sight, keys left to other uses. */
    MapDecl declareWhole(Expr.MapRef m) {
        return maps.computeIfAbsent(m.name(), n -> new MapDecl(n, m.span()));
    }

    /** The map {@code m} names, declared on first sight, with its keys checked against earlier uses. */
    MapDecl declare(Expr.MapRef m) {
        MapDecl d = maps.computeIfAbsent(m.name(), n -> new MapDecl(n, m.span()));
        List<Type> keys = new ArrayList<>(), written = new ArrayList<>();
        for (Expr k : m.keys()) {
            Type kt = expr(k);
            // v0.26: @m[$t] with a tuple $t is @m[a, b] (the parser flattens a literal tuple itself)
            if (kt instanceof Type.Tuple tu && m.keys().size() == 1) {
                for (int i = 0; i < tu.elements().size(); i++) keys.add(storage(tu.elements().get(i), k.span()));
                written.addAll(tu.elements());
                if (keys.size() == 1) throw error(m.span(), "a one-element tuple cannot be used as a map key");
            } else {
                keys.add(storage(kt, k.span()));
                written.add(kt);
            }
        }
        Type key = keys.isEmpty() ? null : keys.size() == 1 ? keys.getFirst() : new Type.Tuple(keys);
        Type shown = written.isEmpty() ? null : written.size() == 1 ? written.getFirst() : new Type.Tuple(written);
        if (d.keyCount() < 0) {
            d.key(key, keys.size());
            d.writtenKey(shown);
            changed = true;
        } else if (d.keyCount() != keys.size()) {
            throw error(m.span(), "map " + m.name() + " is used with " + keys.size() + " key" + (keys.size() == 1 ? "" : "s")
                    + " here and with " + d.keyCount() + " elsewhere");
        } else if (key != null) {
            Type u = d.key().equals(key) ? key : merge(d.key(), key);
            if (u == null) // v0.26's words, with the keys' types as written (integers not yet widened for the map)
                throw error(m.span(), "Argument mismatch for " + m.name() + ": trying to access with arguments: '" + shown.describe()
                        + "' when map expects arguments: '" + (d.writtenKey() == null ? d.key() : d.writtenKey()).describe() + "'");
            Type w = d.writtenKey() == null || d.writtenKey().equals(shown) ? shown : merge(d.writtenKey(), shown);
            if (w != null) d.writtenKey(w);
            if (!u.equals(d.key())) {
                d.key(u, keys.size());
                changed = true;
            }
        }
        return d;
    }

    private void unifyValue(MapDecl d, Type v, Span at) {
        Type have = d.value();
        Type t = have == null ? v : unify(have, v, at, d.name());
        if (!t.equals(have)) {
            d.value(t);
            changed = true;
        }
    }

    /** The type reading a map gives. */
    private Type mapValue(Expr.MapRef m, MapDecl d) {
        if (d.value() == null) {
            if (inferring) throw new Defer();
            throw error(m.span(), "undefined map: " + m.name());
        }
        if (d.value() instanceof Type.Agg agg) {
            return switch (agg.kind()) {
                case COUNT -> Type.UINT64;
                case SUM, MIN, MAX -> agg.signed() ? Type.INT64 : Type.UINT64;
                case AVG -> Type.INT64;
                default -> throw error(m.span(), "the value of a " + agg.describe() + "() map cannot be read in a probe");
            };
        }
        return d.value();
    }

    /** How a value is kept in a map: integers widened to 64 bits. */
    Type storage(Type t, Span at) {
        return switch (t) {
            case Type.Int i -> new Type.Int(8, i.signed(), i.bool(), i.enumeration());
            case Type.None n -> throw error(at, "this expression has no value to store");
            case Type.Agg a -> throw error(at, "an aggregation cannot be stored here");
            default -> t;
        };
    }

    /** The common type of two values one place holds; strings and buffers grow to the larger. */
    Type unify(Type have, Type got, Span at, String what) {
        if (have.equals(got)) return have;
        Type u = merge(have, got);
        if (u == null)
            throw error(at, "Type mismatch for " + what + ": trying to assign value of type '" + got.describe()
                    + "' when " + (what.startsWith("@") ? "map" : "it") + " already contains a value of type '" + have.describe() + "'");
        return u;
    }

    private static Type merge(Type a, Type b) {
        if (a instanceof Type.Int x && b instanceof Type.Int y) return promote(x, y);
        if (a instanceof Type.Str x && b instanceof Type.Str y) return new Type.Str(Math.max(x.size(), y.size()));
        if (a instanceof Type.Buf x && b instanceof Type.Buf y) return new Type.Buf(Math.max(x.capacity(), y.capacity()));
        if (a instanceof Type.Ptr x && b instanceof Type.Ptr) return x;
        if (a instanceof Type.Ptr x && b instanceof Type.Int) return x;
        if (a instanceof Type.Tuple x && b instanceof Type.Tuple y && x.elements().size() == y.elements().size()) {
            List<Type> out = new ArrayList<>();
            for (int i = 0; i < x.elements().size(); i++) {
                Type m = merge(x.elements().get(i), y.elements().get(i));
                if (m == null) return null;
                out.add(m);
            }
            return new Type.Tuple(out);
        }
        if (a instanceof Type.Agg x && b instanceof Type.Agg y && x.kind() == y.kind()
                && x.min() == y.min() && x.max() == y.max() && x.step() == y.step() && java.util.Objects.equals(x.series(), y.series()))
            return new Type.Agg(x.kind(), x.signed() || y.signed(), x.min(), x.max(), x.step(), x.series());
        return null;
    }

    /**
     * v0.26's promotion of two integers one place holds: a literal's (sign-flexible) type takes the other's sign;
     * otherwise the same sign gives the larger, and mixed signs the signed type that holds both (a signed type
     * larger than the unsigned one, else twice the larger size, int64 at most). Bools stay bools with bools.
     */
    static Type.Int promote(Type.Int x, Type.Int y) {
        int size = Math.max(x.size(), y.size());
        if (x.bool() || y.bool()) return new Type.Int(size, x.signed() || y.signed(), x.bool() && y.bool());
        boolean flexible = x.flexible() && y.flexible();
        if (x.signed() == y.signed()) return new Type.Int(size, x.signed(), false, flexible);
        if (x.flexible() || y.flexible())
            return new Type.Int(size, !x.flexible() && x.signed() || !y.flexible() && y.signed(), false, flexible);
        if (x.signed() && x.size() > y.size()) return new Type.Int(x.size(), true);
        if (y.signed() && y.size() > x.size()) return new Type.Int(y.size(), true);
        return new Type.Int(Math.min(8, size * 2), true);
    }

    // ---- expressions ----

    void put(Expr e, Type t) { unit.types().put(e, t); }

    /** Checks {@code e} and returns its type. */
    Type expr(Expr e) {
        Type t = compute(e);
        put(e, t);
        return t;
    }

    /**
     * Checks {@code e} where a string is wanted: v0.26's {@code probe} builtin is then the probe's name as a string
     * (each unit is one concrete probe, so the name is a constant), elsewhere it stays the probe's number.
     */
    Type text(Expr e) {
        if (probeName(e)) {
            Type t = new Type.Str(unit.probeName().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
            put(e, t);
            return t;
        }
        return expr(e);
    }

    private boolean probeName(Expr e) {
        return e instanceof Expr.Builtin b && b.name().equals("probe") && !enumerators.containsKey(b);
    }

    /** Checks that {@code e} gives an integer-like value (for conditions). */
    Type scalar(Expr e, String what) {
        Type t = expr(e);
        if (!t.scalar()) throw error(e.span(), what + " must be an integer or a pointer, not " + t.describe());
        return t;
    }

    private Type variable(Expr.Var v) {
        Type t = unit.vars().get(v.name());
        if (t == null || (!inferring && !assigned.contains(v.name()))) {
            if (inferring) throw new Defer();
            throw error(v.span(), "Undefined or undeclared variable: " + v.name());
        }
        return t;
    }

    private Type compute(Expr e) {
        return switch (e) {
            case Expr.Int i -> script.stap() ? Type.INT64 : Type.Int.literal(i.value(), false); // v0.26: 1 is an int8
            case Expr.Str s -> new Type.Str(s.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
            case Expr.Builtin b -> Builtins.type(this, b);
            case Expr.Positional p -> {
                if (params.number(p.index()) == null && !script.stap()) // v0.26: a parameter that is no number is a string
                    yield new Type.Str(params.text(p.index()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
                if (params.number(p.index()) == null)
                    throw error(p.span(), "$" + p.index() + " is '" + params.text(p.index()) + "', not a number: use str($" + p.index() + ")");
                yield Type.INT64;
            }
            case Expr.ParamCount pc -> Type.INT64;
            case Expr.Var v -> variable(v);
            case Expr.MapRef m -> mapValue(m, declare(m));
            case Expr.Call c -> calls.check(c);
            case Expr.Binary b -> binary(b);
            case Expr.Unary u -> unary(u);
            case Expr.IncDec id -> {
                if (!(id.target() instanceof Expr.Var || id.target() instanceof Expr.MapRef))
                    throw error(id.span(), "++ and -- apply to variables and maps only");
                if (id.target() instanceof Expr.MapRef m && declare(m).value() == null) unifyValue(declare(m), Type.INT64, m.span());
                Type t = expr(id.target());
                if (!t.scalar() || t instanceof Type.Special) throw error(id.span(), "cannot increment a value of type " + t.describe());
                // v0.26: ++ and -- compute in 64 bits (-- signed) and the variable takes that type: a counter that
                // starts at 0 (an int8 literal) does not wrap at 127
                if (t instanceof Type.Int it && !it.bool() && id.target() instanceof Expr.Var v) {
                    Type r = it.signed() || !id.increment() ? Type.INT64 : Type.UINT64;
                    widen(v, r);
                    put(v, unit.vars().get(v.name()));
                    yield unit.vars().get(v.name());
                }
                yield t;
            }
            case Expr.Ternary t -> {
                scalar(t.cond(), "a condition");
                Type a = expr(t.then()), b = expr(t.otherwise());
                if (a instanceof Type.None && b instanceof Type.None) yield Type.NONE;
                Type m = merge(a, b);
                if (m == null || a instanceof Type.None || b instanceof Type.None)
                    throw error(t.span(), "the branches of ?: have different types: " + a.describe() + " and " + b.describe());
                yield a instanceof Type.Int x && b instanceof Type.Int y ? arithmeticResult(x, y) : m;
            }
            case Expr.Field f -> field(f);
            case Expr.TupleIndex ti -> {
                Type t = expr(ti.target());
                if (!(t instanceof Type.Tuple tu)) throw error(ti.span(), "." + ti.index() + " applies to tuples, not " + t.describe());
                if (ti.index() >= tu.elements().size())
                    throw error(ti.span(), "tuple index " + ti.index() + " is out of range for a tuple of " + tu.elements().size());
                yield tu.elements().get(ti.index());
            }
            case Expr.Index ix -> index(ix);
            case Expr.Cast c -> cast(c);
            case Expr.Tuple t -> {
                List<Type> el = new ArrayList<>();
                for (Expr x : t.elements()) {
                    Type xt = expr(x);
                    if (xt instanceof Type.None || xt instanceof Type.Agg) throw error(x.span(), "a tuple cannot hold " + xt.describe());
                    el.add(xt);
                }
                yield new Type.Tuple(el);
            }
            case Expr.Record r -> {
                List<Type> el = new ArrayList<>();
                for (Expr x : r.values()) {
                    Type xt = expr(x);
                    if (xt instanceof Type.None || xt instanceof Type.Agg) throw error(x.span(), "a record cannot hold " + xt.describe());
                    el.add(xt);
                }
                yield record(r.names(), new Type.Tuple(el));
            }
            case Expr.SizeofType s -> Type.UINT64;
            case Expr.Offsetof o -> { ctypes.offsetof(o); yield Type.UINT64; }
            case Expr.SizeofExpr s -> { expr(s.operand()); yield Type.UINT64; }
        };
    }

    /** A record's type: its values laid out as a tuple's, under their names. */
    static Type.Record record(List<String> names, Type.Tuple layout) {
        List<Type.Field> fields = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) fields.add(new Type.Field(names.get(i), layout.elements().get(i), layout.offset(i), 0, 0, false));
        return new Type.Record("record " + layout.describe(), fields, layout.size(), layout.align(), false);
    }

    private Type field(Expr.Field f) {
        Type t = expr(f.target());
        Type.Record r;
        if (t instanceof Type.Ptr p && p.target() instanceof Type.Record rec) {
            r = ctypes.full(rec);
        } else if (t instanceof Type.Record rec) {
            r = ctypes.full(rec);
        } else {
            throw error(f.span(), "cannot access field '" + f.field() + "' of a value of type " + t.describe());
        }
        Type.Field fd = r.field(f.field());
        if (fd == null) throw error(f.span(), "Struct/union of type '" + r.describe() + "' does not contain a field named '" + f.field() + "'");
        if (fd.dataLoc()) return new Type.Ptr(new Type.Int(1, true), false);
        // a pointer read from user memory points into user memory
        return t instanceof Type.Ptr p && p.user() ? user(fd.type()) : fd.type();
    }

    /** {@code t} with every pointer level in user memory (the pointers an array holds too). */
    static Type user(Type t) {
        return switch (t) {
            case Type.Ptr p -> new Type.Ptr(user(p.target()), true);
            case Type.Array a -> new Type.Array(user(a.element()), a.length());
            default -> t;
        };
    }

    /** A uprobe's or USDT probe's memory is the process's: pointers cast there are user pointers, as bpftrace's. */
    private boolean userProbe() {
        return unit.point() instanceof Attach.Uprobe || unit.point() instanceof Attach.Usdt;
    }

    private Type index(Expr.Index ix) {
        Type t = expr(ix.target());
        scalar(ix.index(), "an index");
        return switch (t) {
            case Type.Array a -> {
                Long c = constantOrNull(ix.index());
                if (c != null && a.length() > 0 && (c < 0 || c >= a.length())) // [0]: C's flexible array
                    throw error(ix.index().span(), "the index " + c + " is out of bounds for array of size " + a.length());
                yield a.element();
            }
            case Type.Ptr p when p.target() instanceof Type.Record r -> ctypes.full(r);
            case Type.Ptr p when !(p.target() instanceof Type.None) -> p.target();
            case Type.Str s -> new Type.Int(1, true);
            case Type.Tuple tu -> { // v0.26: $t[N] is $t.N, N a constant
                Long c = constantOrNull(ix.index());
                if (c == null) throw error(ix.index().span(), "a tuple index must be a constant");
                if (c < 0 || c >= tu.elements().size())
                    throw error(ix.index().span(), "tuple index " + c + " is out of range for a tuple of " + tu.elements().size());
                yield tu.elements().get((int) (long) c);
            }
            default -> throw error(ix.span(), "cannot index a value of type " + t.describe());
        };
    }

    private Type cast(Expr.Cast c) {
        Type from = expr(c.operand());
        if (c.type().length() >= 0) { // v0.26: an integer's bytes as an array ((int8[8])x, (int8[])x)
            Type el = ctypes.resolve(new org.bpf4j.lang.syntax.TypeName(c.type().base(), c.type().pointers(), c.type().span()));
            // a literal takes the array's size ((int8[8])12345 is the 8 bytes of an int64 12345), an int64 without one
            int want = c.type().length() > 0 ? el.size() * c.type().length() : 8;
            if (c.operand() instanceof Expr.Int && from instanceof Type.Int fi && want >= fi.size() && (want == 1 || want == 2 || want == 4 || want == 8)) {
                from = new Type.Int(want, true);
                put(c.operand(), from);
            }
            int n = c.type().length() > 0 ? c.type().length() : el.size() == 0 ? 0 : from.size() / el.size();
            Type to = new Type.Array(el, n);
            if (!(from instanceof Type.Int) || to.size() != from.size())
                throw error(c.span(), "cannot cast from " + from.describe() + " to " + to.describe() + " (the sizes must be the same)");
            return to;
        }
        Type to = ctypes.resolve(c.type());
        // v0.26: an array's bytes as an integer of the same size
        if (to instanceof Type.Int it && !it.bool() && from instanceof Type.Array a && a.size() == it.size()) return to;
        if (to instanceof Type.Int && from.scalar()) return to;
        if (to instanceof Type.Int it && it.bool() && from instanceof Type.Str) return to; // v0.26: a non-empty string is true
        // a pointer keeps the address space of the pointer it is cast from ((struct task_struct *)curtask stays the
        // kernel's in a uprobe); an integer cast to a pointer is in the probe's (the process's, in a uprobe)
        if (to instanceof Type.Ptr && from.scalar())
            return (from instanceof Type.Ptr p ? p.user() : userProbe()) ? user(to) : to;
        if (to instanceof Type.Record)
            throw error(c.span(), "cannot cast to " + to.describe() + ": cast to a pointer, (" + to.describe() + " *)");
        throw error(c.span(), "cannot cast from " + from.describe() + " to " + to.describe());
    }

    /** What comparisons, {@code &&}, {@code ||} and {@code !} give: v0.26's bool; SystemTap's long (it prints 1 and 0). */
    Type truth() { return script.stap() ? Type.INT64 : Type.BOOL; }

    private Type binary(Expr.Binary b) {
        Type l, r;
        boolean equality = b.op() == BinOp.EQ || b.op() == BinOp.NE;
        if (equality && probeName(b.left())) { // probe == "name": the probe's name as a string
            r = expr(b.right());
            l = r instanceof Type.Str ? text(b.left()) : expr(b.left());
        } else if (equality && probeName(b.right())) {
            l = expr(b.left());
            r = l instanceof Type.Str ? text(b.right()) : expr(b.right());
        } else {
            l = expr(b.left());
            r = expr(b.right());
        }
        BinOp op = b.op();
        signWarnings(b, l, r);
        if (op.logical()) {
            if (!l.scalar() || !r.scalar()) throw error(b.span(), op.text() + " needs integer operands");
            return truth();
        }
        if (op.comparison()) { // v0.26: comparisons and logical operators give bools
            if (l.scalar() && r.scalar()) return truth();
            if (op == BinOp.EQ || op == BinOp.NE) {
                if (l instanceof Type.Str && r instanceof Type.Str) return truth();
                if (l instanceof Type.Array && l.equals(r)) return truth();
                if (l instanceof Type.Buf && r instanceof Type.Buf) return truth();
            }
            throw error(b.left().span().to(b.right().span()), "Type mismatch for '" + op.text() + "': comparing '" + l.describe() + "' with '" + r.describe() + "'");
        }
        if (op == BinOp.CONCAT) {
            if (l instanceof Type.Str x && r instanceof Type.Str y) return new Type.Str(Math.min(x.size() + y.size() - 1, 200));
            throw error(b.span(), "'.' joins strings, not " + l.describe() + " and " + r.describe());
        }
        return arithmetic(op, l, r, b.span());
    }

    /** The type of {@code l op r} for an arithmetic operator; pointers move by their target's size. */
    Type arithmetic(BinOp op, Type l, Type r, Span at) {
        if (!l.scalar() || !r.scalar() || l instanceof Type.Special || r instanceof Type.Special)
            throw error(at, "cannot use " + op.text() + " on " + l.describe() + " and " + r.describe());
        if (l instanceof Type.Ptr p && r instanceof Type.Int && (op == BinOp.ADD || op == BinOp.SUB)) return p;
        if (r instanceof Type.Ptr p && l instanceof Type.Int && op == BinOp.ADD) return p;
        return arithmeticResult(l, r);
    }

    /** 64-bit arithmetic: unsigned when either side is a 64-bit unsigned value (or a pointer). */
    static Type.Int arithmeticResult(Type l, Type r) {
        return unsigned64(l) || unsigned64(r) ? Type.UINT64 : Type.INT64;
    }

    static boolean unsigned64(Type t) {
        return t instanceof Type.Ptr || (t instanceof Type.Int i && !i.signed() && i.size() == 8);
    }

    private Type unary(Expr.Unary u) {
        Type t = expr(u.operand());
        return switch (u.op()) {
            case NOT -> { if (!t.scalar()) throw error(u.span(), "! needs an integer"); yield truth(); }
            case NEG, BNOT -> {
                if (!(t instanceof Type.Int)) throw error(u.span(), u.op().text() + " needs an integer, not " + t.describe());
                yield arithmeticResult(t, Type.INT64);
            }
            case DEREF -> {
                if (t instanceof Type.Ptr p && p.target() instanceof Type.Record r) yield ctypes.full(r);
                if (t instanceof Type.Ptr p && !(p.target() instanceof Type.None)) yield p.target();
                if (t instanceof Type.Int) yield Type.UINT64; // as bpftrace: 8 bytes at that address (loads.bt's *kaddr(...))
                throw error(u.span(), "cannot dereference a value of type " + t.describe());
            }
            case ADDR -> { // v0.26: &$var, a pointer to the variable on the program's stack
                if (!(u.operand() instanceof Expr.Var)) throw error(u.span(), "the address-of operator applies to variables only");
                yield new Type.Ptr(t, false);
            }
        };
    }

    // ---- constants ----

    /** The value of a compile-time constant expression; an error naming {@code what} otherwise. */
    long constant(Expr e, String what) {
        Long v = constantOrNull(e);
        if (v == null) throw error(e.span(), what + " must be a constant");
        return v;
    }

    /** The value of {@code e} when it is a compile-time constant, else null. */
    Long constantOrNull(Expr e) { return Constants.of(e, params, this::sizeofType); }

    Long sizeofType(Expr e) {
        if (e instanceof Expr.SizeofType st) return (long) ctypes.resolve(st.type()).size();
        if (e instanceof Expr.Offsetof o) return ctypes.offsetof(o);
        if (e instanceof Expr.SizeofExpr se) {
            Type t = unit.types().get(se.operand());
            if (t == null) t = expr(se.operand());
            return (long) t.size();
        }
        return null;
    }
}
