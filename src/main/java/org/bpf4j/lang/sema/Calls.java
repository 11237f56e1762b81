package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.LoweredCalls;

import java.util.List;
import java.util.Set;

/** Type rules of the functions scripts call. */
final class Calls {
    /** The calls SystemTap's parser makes, which no script can write. */
    static final String STATISTIC = LoweredCalls.STATISTIC, PRINT_INLINE = LoweredCalls.PRINT_INLINE, PRINT_LINE = LoweredCalls.PRINT_LINE;
    /** Functions whose value only a map can hold. */
    static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max", "stats", "hist", "lhist", "tseries", STATISTIC);
    /** SystemTap's extractors of a statistic. */
    static final Set<String> EXTRACTORS = Set.of("@count", "@sum", "@avg", "@min", "@max");
    /** The registers reg() knows, by their pt_regs names. */
    static final Set<String> REGISTERS = Set.of("r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
            "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss");
    /** The clocks nsecs() reads. */
    static final Set<String> CLOCKS = Set.of("monotonic", "boot", "tai", "sw_tai");

    private final Checker c;

    Calls(Checker c) { this.c = c; }

    private void arity(Expr.Call call, int min, int max) {
        int n = call.args().size();
        if (n < min || n > max) {
            String want = min == max ? String.valueOf(min) : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            throw c.error(call.span(), call.name() + "() takes " + want + " argument" + (max == 1 && min == 1 ? "" : "s") + ", not " + n);
        }
    }

    private Expr.Str literal(Expr e, String what) {
        if (e instanceof Expr.Str s) return s;
        throw c.error(e.span(), what + " must be a string literal");
    }

    private Type.Int integer(Expr e, String what) {
        Type t = c.expr(e);
        if (t instanceof Type.Int i) return i;
        if (t instanceof Type.Ptr) return Type.UINT64;
        throw c.error(e.span(), what + " must be an integer, not " + t.describe());
    }

    private void unsafe(Expr.Call call) {
        if (!c.options.unsafe())
            throw c.error(call.span(), call.name() + "() is an unsafe function being used in safe mode (run with --unsafe)");
    }

    /** The aggregation a map assignment of {@code call} stores. */
    Type.Agg aggregate(Expr.Call call) {
        String n = call.name();
        return switch (n) {
            case "count" -> { arity(call, 0, 0); yield Type.Agg.of(Type.AggKind.COUNT, false); }
            case STATISTIC -> { arity(call, 1, 1); integer(call.args().getFirst(), "<<<'s value"); yield Type.Agg.of(Type.AggKind.STATISTIC, true); }
            case "hist" -> {
                arity(call, 1, 2);
                integer(call.args().getFirst(), "hist()'s value");
                long k = call.args().size() == 2 ? c.constant(call.args().get(1), "hist()'s bits") : 0;
                if (k < 0 || k > 5) throw c.error(call.args().get(1).span(), "hist: bits " + k + " must be 0..5");
                yield new Type.Agg(Type.AggKind.HIST, true, 0, 0, k);
            }
            case "tseries" -> tseries(call);
            case "lhist" -> {
                arity(call, 4, 4);
                integer(call.args().getFirst(), "lhist()'s value");
                long min = c.constant(call.args().get(1), "lhist()'s minimum");
                long max = c.constant(call.args().get(2), "lhist()'s maximum");
                long step = c.constant(call.args().get(3), "lhist()'s step");
                if (step <= 0) throw c.error(call.args().get(3).span(), "lhist() step must be positive");
                if (min < 0) throw c.error(call.args().get(1).span(), "lhist() minimum must be non-negative");
                if (max <= min) throw c.error(call.args().get(2).span(), "lhist() maximum must be greater than the minimum");
                if ((max - min) / step > 1000) throw c.error(call.span(), "lhist() too many buckets: at most 1000");
                yield new Type.Agg(Type.AggKind.LHIST, true, min, max, step);
            }
            default -> {
                arity(call, 1, 1);
                Type.Int t = integer(call.args().getFirst(), n + "()'s value");
                Type.AggKind kind = Type.AggKind.valueOf(n.toUpperCase(java.util.Locale.ROOT));
                boolean signed = !(t.size() == 8 && !t.signed());
                yield Type.Agg.of(kind, signed);
            }
        };
    }

    /** tseries(value, interval, intervals[, "avg"|"min"|"max"|"sum"]): constants checked as bpftrace does. */
    private Type.Agg tseries(Expr.Call call) {
        arity(call, 3, 4);
        Type.Int t = integer(call.args().getFirst(), "tseries()'s value");
        long interval = c.constant(call.args().get(1), "tseries()'s interval");
        long intervals = c.constant(call.args().get(2), "tseries()'s number of intervals");
        if (interval <= 0) throw c.error(call.args().get(1).span(), "tseries() interval_ns must be >= 1 (" + interval + " provided)");
        if (intervals <= 0) throw c.error(call.args().get(2).span(), "tseries() num_intervals must be >= 1 (" + intervals + " provided)");
        if (intervals > 1_000_000) throw c.error(call.args().get(2).span(), "tseries() num_intervals must be < 1000000 (" + intervals + " provided)");
        Type.SeriesFn fn = Type.SeriesFn.NONE;
        if (call.args().size() == 4) {
            String name = literal(call.args().get(3), "tseries()'s aggregation").value();
            fn = switch (name) {
                case "avg" -> Type.SeriesFn.AVG;
                case "min" -> Type.SeriesFn.MIN;
                case "max" -> Type.SeriesFn.MAX;
                case "sum" -> Type.SeriesFn.SUM;
                default -> throw c.error(call.args().get(3).span(),
                        "tseries() expects one of the following aggregation functions: avg, max, min, sum (\"" + name + "\" provided)");
            };
        }
        return new Type.Agg(Type.AggKind.TSERIES, t.signed(), 0, 0, 0, new Type.Series(interval, (int) intervals, fn));
    }

    private void format(Expr.Call call, int first) {
        String fmt = literal(call.args().get(first - 1), call.name() + "()'s format").value();
        Format f;
        try {
            f = Format.parse(fmt);
        } catch (IllegalArgumentException e) {
            throw c.error(call.args().get(first - 1).span(), call.name() + "(): " + e.getMessage());
        }
        List<Format.Spec> specs = f.specs();
        int given = call.args().size() - first;
        if (given != specs.size())
            throw c.error(call.span(), call.name() + ": " + (given > specs.size() ? "Too many" : "Not enough")
                    + " arguments for format string (" + given + " supplied, " + specs.size() + " expected)");
        for (int i = 0; i < specs.size(); i++) {
            Expr a = call.args().get(first + i);
            Type t = c.expr(a);
            Format.Spec s = specs.get(i);
            if (t instanceof Type.None || t instanceof Type.Agg)
                throw c.error(a.span(), call.name() + "(): argument " + (i + 1) + " has no printable value");
            if (s.integer() && !t.scalar())
                throw c.error(a.span(), call.name() + "(): %" + s.conversion() + " expects an integer, not " + t.describe());
            if (s.conversion().startsWith("r") && !(t instanceof Type.Buf || t instanceof Type.Str))
                throw c.error(a.span(), call.name() + "(): %" + s.conversion() + " expects a buffer, not " + t.describe());
        }
    }

    private Expr.MapRef wholeMap(Expr e, String fn) {
        if (e instanceof Expr.MapRef m && m.keys().isEmpty()) {
            c.declareWhole(m);
            c.put(m, Type.NONE);
            return m;
        }
        throw c.error(e.span(), fn + "() expects a map such as @name, without keys");
    }

    Type check(Expr.Call call) {
        String n = call.name();
        List<Expr> args = call.args();
        if (AGGREGATES.contains(n)) throw c.error(call.span(), n + "() should be directly assigned to a map");
        if (EXTRACTORS.contains(n)) {
            arity(call, 1, 1);
            if (!(args.getFirst() instanceof Expr.MapRef m)) throw c.error(call.span(), n + "() takes a statistic such as " + n + "(x[k])");
            MapDecl d = c.declare(m);
            if (d.value() == null) {
                if (c.inferring) throw new Checker.Defer();
                throw c.error(m.span(), "undefined statistic: " + m.name().substring(1));
            }
            if (!(d.value() instanceof Type.Agg a && a.kind() == Type.AggKind.STATISTIC))
                throw c.error(m.span(), n + "() reads a statistic (filled with <<<), not " + d.value().describe());
            c.put(m, Type.NONE);
            return Type.INT64;
        }
        switch (n) {
            case "printf", "system", "cat", "debugf", "errorf", "warnf" -> {
                arity(call, 1, Integer.MAX_VALUE);
                if (n.equals("system")) unsafe(call);
                format(call, 1);
                return Type.NONE;
            }
            case "time" -> {
                arity(call, 0, 1);
                if (args.size() == 1) literal(args.getFirst(), "time()'s format");
                return Type.NONE;
            }
            case PRINT_INLINE, PRINT_LINE -> {
                arity(call, 1, 1);
                Type t = c.expr(args.getFirst());
                if (t instanceof Type.None || t instanceof Type.Agg) throw c.error(args.getFirst().span(), "print() needs a value");
                return Type.NONE;
            }
            case "print" -> {
                arity(call, 1, 3);
                Expr a = args.getFirst();
                if (a instanceof Expr.MapRef m && m.keys().isEmpty()) {
                    wholeMap(a, n);
                    for (int i = 1; i < args.size(); i++) c.constant(args.get(i), i == 1 ? "print()'s top" : "print()'s divisor");
                    MapDecl d = c.maps.get(m.name());
                    if (args.size() > 1 && d != null && d.value() instanceof Type.Agg agg && agg.kind() == Type.AggKind.STATS)
                        c.warn(call.span(), "print()'s top and div arguments are ignored when used on stats() maps.");
                } else {
                    if (args.size() > 1) throw c.error(call.span(), "print() of a value takes no other arguments");
                    Type t = c.expr(a);
                    if (t instanceof Type.None || t instanceof Type.Agg) throw c.error(a.span(), "print() needs a value");
                }
                return Type.NONE;
            }
            case "clear", "zero" -> {
                arity(call, 1, 1);
                wholeMap(args.getFirst(), n);
                return Type.NONE;
            }
            case "delete" -> {
                arity(call, 1, 1);
                if (!(args.getFirst() instanceof Expr.MapRef m)) throw c.error(args.getFirst().span(), "delete() expects a map element");
                MapDecl d = c.declare(m);
                if (m.keys().isEmpty() && d.keyCount() > 0) throw c.error(m.span(), "delete() expects a map element such as " + m.name() + "[key]");
                c.put(m, Type.NONE);
                return Type.INT64; // v0.26: whether there was such an element
            }
            case "exit" -> {
                arity(call, 0, 1);
                if (args.size() == 1) integer(args.getFirst(), "exit()'s status");
                return Type.NONE;
            }
            case "str" -> {
                arity(call, 1, 2);
                Expr a = args.getFirst();
                int len = c.config.maxStrlen();
                if (args.size() == 2) {
                    integer(args.get(1), "str()'s length");
                    Long l = c.constantOrNull(args.get(1));
                    if (l != null && l > 0 && l < len) len = (int) (l + 1);
                }
                String text = Constants.positionalText(a, c.params);
                if (text != null) {
                    c.put(a, Type.NONE);
                    return new Type.Str(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
                }
                Type t = c.expr(a);
                if (t instanceof Type.Str s) return s;
                if (!(t instanceof Type.Ptr || t instanceof Type.Int)) throw c.error(a.span(), "str() expects a pointer, not " + t.describe());
                return new Type.Str(len);
            }
            case "buf" -> {
                arity(call, 1, 2);
                Type t = c.expr(args.getFirst());
                int cap;
                if (args.size() == 2) {
                    integer(args.get(1), "buf()'s length");
                    Long l = c.constantOrNull(args.get(1));
                    cap = l == null ? c.config.maxStrlen() : (int) Math.min(Math.max(l, 0), c.config.maxStrlen());
                } else if (t instanceof Type.Array a) {
                    cap = a.size();
                } else if (t instanceof Type.Str s) {
                    cap = s.size();
                } else {
                    throw c.error(call.span(), "buf() needs a length for a " + t.describe());
                }
                return new Type.Buf(cap);
            }
            case "join" -> {
                arity(call, 1, 2);
                integer(args.getFirst(), "join()'s argument array");
                if (args.size() == 2) literal(args.get(1), "join()'s delimiter");
                return Type.NONE;
            }
            case "ksym" -> { arity(call, 1, 1); integer(args.getFirst(), "ksym()'s address"); return new Type.Special(Type.SpecialKind.KSYM); }
            case "usym" -> { arity(call, 1, 1); integer(args.getFirst(), "usym()'s address"); return new Type.Special(Type.SpecialKind.USYM); }
            case "kaddr" -> {
                arity(call, 1, 1);
                // the address is the loader's to fill in (codegen's SymbolRelocation): a symbol kallsyms lacks fails at load
                literal(args.getFirst(), "kaddr()'s symbol");
                return Type.UINT64;
            }
            case "percpu_kaddr" -> {
                // v0.26: the address of a per-CPU kernel variable on a CPU (this one without the second argument)
                arity(call, 1, 2);
                String sym = literal(args.getFirst(), "percpu_kaddr()'s variable").value();
                if (args.size() == 2) integer(args.get(1), "percpu_kaddr()'s cpu");
                var v = c.ctypes.percpuVariable(sym)
                        .orElseThrow(() -> c.error(call.span(), "Could not resolve variable \"" + sym + "\" from BTF"));
                // the kernel resolves the lddw's BTF id through kallsyms, which lists data only with CONFIG_KALLSYMS_ALL
                if (c.catalog.kernelSymbol(sym).isEmpty())
                    throw c.error(call.span(), "percpu_kaddr(): the kernel cannot resolve \"" + sym
                            + "\": it is not in /proc/kallsyms (a kernel built without CONFIG_KALLSYMS_ALL)");
                c.kernelVars.put(call, v.btfId());
                return new Type.Ptr(v.type(), false);
            }
            case "ntop" -> {
                arity(call, 1, 2);
                if (args.size() == 2) integer(args.getFirst(), "ntop()'s address family");
                Type t = c.expr(args.getLast());
                if (!(t instanceof Type.Int || t instanceof Type.Array || t instanceof Type.Ptr))
                    throw c.error(args.getLast().span(), "ntop() expects an integer or a byte array, not " + t.describe());
                return new Type.Special(Type.SpecialKind.INET);
            }
            case "pton" -> {
                arity(call, 1, 1);
                String s = literal(args.getFirst(), "pton()'s address").value();
                byte[] b = Inet.parse(s);
                if (b == null) throw c.error(args.getFirst().span(), "pton(): '" + s + "' is not an IPv4 or IPv6 address");
                return new Type.Array(new Type.Int(1, false), b.length);
            }
            case "strncmp" -> {
                arity(call, 3, 3);
                for (int i = 0; i < 2; i++) {
                    Type t = stringArg(args.get(i));
                    if (!(t instanceof Type.Str)) throw c.error(args.get(i).span(), "strncmp() compares strings, not " + t.describe());
                }
                c.constant(args.get(2), "strncmp()'s length");
                return Type.INT64;
            }
            case LoweredCalls.HIST_PRINT -> {
                arity(call, 4, 4);
                wholeMap(args.getFirst(), "@hist_log");
                for (int i = 1; i < 4; i++) c.put(args.get(i), Type.INT64);
                return Type.NONE;
            }
            case LoweredCalls.SUBSTR -> {
                arity(call, 3, 3);
                Type t = stringArg(args.getFirst());
                if (!(t instanceof Type.Str str)) throw c.error(args.getFirst().span(), "substr() takes a string, not " + t.describe());
                integer(args.get(1), "substr()'s start");
                integer(args.get(2), "substr()'s length");
                return str;
            }
            case LoweredCalls.ITOA -> {
                integer(args.getFirst(), "sprintf()'s %d, %u or %x argument");
                return new Type.Str(LoweredCalls.ITOA_SIZE);
            }
            case LoweredCalls.CONTAINS -> {
                arity(call, 1, 1);
                // v0.26's check_key(): a map without keys has nothing to look up
                if (args.getFirst() instanceof Expr.MapRef m && c.maps.get(m.name()) instanceof MapDecl d && d.keyCount() == 0)
                    throw c.error(call.span(), "call to has_key() expects a map with explicit keys (non-scalar map)");
                c.expr(args.getFirst()); // the keys typed as the array's (its value is not read)
                return c.truth(); // v0.26: has_key() gives a bool; SystemTap's "k in m": a long
            }
            case LoweredCalls.STRLEN -> {
                arity(call, 1, 1);
                Type t = stringArg(args.getFirst());
                if (!(t instanceof Type.Str)) throw c.error(args.getFirst().span(), "strlen() measures a string, not " + t.describe());
                return Type.INT64;
            }
            case "strcontains" -> {
                arity(call, 2, 2);
                for (int i = 0; i < 2; i++) {
                    Type t = stringArg(args.get(i));
                    if (!(t instanceof Type.Str)) throw c.error(args.get(i).span(), "strcontains() looks for a string in a string, not " + t.describe());
                }
                return c.truth(); // v0.26: a bool, printed true/false; SystemTap's isinstr(): a long
            }
            case "signal" -> {
                arity(call, 1, 1);
                unsafe(call);
                Expr a = args.getFirst();
                if (a instanceof Expr.Str s) {
                    if (Signals.number(s.value()) < 0) throw c.error(a.span(), "signal(): unknown signal " + s.value());
                    c.put(a, Type.NONE);
                } else {
                    integer(a, "signal()'s number");
                }
                return Type.NONE;
            }
            case "reg" -> {
                arity(call, 1, 1);
                String r = literal(args.getFirst(), "reg()'s register").value();
                if (!REGISTERS.contains(r)) throw c.error(args.getFirst().span(), "'" + r + "' is not a register of this machine");
                c.put(args.getFirst(), Type.NONE);
                return Type.UINT64;
            }
            case "kstack", "ustack" -> {
                // kstack([mode,] [limit]): the mode an identifier first, the limit an integer literal
                arity(call, 0, 2);
                Type.StackMode mode = c.config.stackMode();
                int limit = Type.STACK_LIMIT;
                for (int i = 0; i < args.size(); i++) {
                    Expr a = args.get(i);
                    Type.StackMode m = stackMode(a);
                    boolean wantMode = i == 0 && args.size() == 2;
                    if (wantMode && m == null)
                        throw c.error(call.span(), n + "() expects a stack mode literal (" + (a instanceof Expr.Int ? "integer" : "none") + " provided)");
                    if (m != null) {
                        if (!wantMode && args.size() == 2) throw c.error(call.span(), n + "() expects a integer literal (stack mode provided)");
                        mode = m;
                        c.put(a, Type.NONE);
                        continue;
                    }
                    long v = c.constant(a, n + "()'s limit");
                    if (v > 1024) throw c.error(call.span(), n + "([int limit]): limit shouldn't exceed 1024, " + v + " given");
                    if (v < 1) throw c.error(call.span(), n + "([int limit]): limit should be at least 1, " + v + " given");
                    limit = (int) v;
                }
                return new Type.Special(n.equals("kstack") ? Type.SpecialKind.KSTACK : Type.SpecialKind.USTACK, mode, limit);
            }
            case "cgroupid" -> {
                arity(call, 1, 1);
                String path = literal(args.getFirst(), "cgroupid()'s path").value();
                c.catalog.cgroupId(path).ifPresent(id -> c.facts.cgroupIds.put(path, id));
                return Type.UINT64;
            }
            case "cgroup_path" -> {
                arity(call, 1, 2);
                integer(args.getFirst(), "cgroup_path()'s id");
                if (args.size() == 2) literal(args.get(1), "cgroup_path()'s filter");
                return new Type.Special(Type.SpecialKind.CGROUP_PATH);
            }
            case "strftime" -> {
                arity(call, 2, 2);
                literal(args.getFirst(), "strftime()'s format");
                c.put(args.getFirst(), Type.NONE);
                integer(args.get(1), "strftime()'s time");
                return new Type.Special(Type.SpecialKind.TIMESTAMP);
            }
            case "strerror" -> { arity(call, 1, 1); integer(args.getFirst(), "strerror()'s errno"); return new Type.Special(Type.SpecialKind.STRERROR); }
            case "nsecs" -> {
                // nsecs(monotonic|boot|tai|sw_tai): v0.26's clock choice (nsecs without one is the builtin)
                arity(call, 1, 1);
                if (!(args.getFirst() instanceof Expr.Builtin b) || !CLOCKS.contains(b.name()))
                    throw c.error(args.getFirst().span(), "nsecs() takes a clock: monotonic, boot, tai or sw_tai");
                c.put(args.getFirst(), Type.NONE);
                return Type.UINT64;
            }
            case "signal_name" -> { arity(call, 1, 1); integer(args.getFirst(), "signal_name()'s signal"); return new Type.Special(Type.SpecialKind.SIGNAL_NAME); }
            case "syscall_name" -> { arity(call, 1, 1); integer(args.getFirst(), "syscall_name()'s number"); return new Type.Special(Type.SpecialKind.SYSCALL_NAME); }
            case "bswap" -> {
                arity(call, 1, 1);
                Type t = c.expr(args.getFirst());
                if (!(t instanceof Type.Int)) throw c.error(args.getFirst().span(), "bswap() expects an integer, not " + t.describe());
                return t;
            }
            case "uptr", "kptr" -> {
                arity(call, 1, 1);
                Type t = c.expr(args.getFirst());
                if (t instanceof Type.Ptr p) return new Type.Ptr(p.target(), n.equals("uptr"));
                if (t instanceof Type.Int) return new Type.Ptr(new Type.Int(8, false), n.equals("uptr"));
                throw c.error(args.getFirst().span(), n + "() expects a pointer, not " + t.describe());
            }
            case "macaddr" -> {
                arity(call, 1, 1);
                Type t = c.expr(args.getFirst());
                if (!(t instanceof Type.Ptr || t instanceof Type.Array || t instanceof Type.Int))
                    throw c.error(args.getFirst().span(), "macaddr() expects a pointer or an array, not " + t.describe());
                return new Type.Special(Type.SpecialKind.MACADDR);
            }
            case "uaddr" -> {
                // the address of a symbol of the probed binary: a user pointer to an integer of the symbol's size
                arity(call, 1, 1);
                String sym = literal(args.getFirst(), "uaddr()'s symbol").value();
                String binary = c.unit.point() instanceof Attach.Uprobe u ? u.binary() : c.unit.point() instanceof Attach.Usdt d ? d.binary() : null;
                if (binary == null)
                    throw c.error(call.span(), "uaddr can not be used with \"" + c.unit.point().text().split(":")[0] + "\" probes");
                var symbol = ProbeCatalog.userSymbol(binary, sym)
                        .orElseThrow(() -> c.error(call.span(), "Could not resolve symbol: " + binary + ":" + sym));
                c.facts.userSymbols.put(MachineFacts.key(binary, sym), symbol.value());
                if (c.unit.point() instanceof Attach.Uprobe u) c.catalog.probedAddress(u).ifPresent(a -> c.facts.probedAddresses.put(u, a));
                long size = symbol.size();
                return new Type.Ptr(new Type.Int(size == 1 || size == 2 || size == 4 ? (int) size : 8, true), true);
            }
            case "len" -> { // v0.26: the entries of a map, counted by bpf_for_each_map_elem
                arity(call, 1, 1);
                Expr.MapRef m = wholeMap(args.getFirst(), n);
                MapDecl d = c.maps.get(m.name());
                if (d.keyCount() == 0) throw c.error(call.span(), "call to len() expects a map with explicit keys (non-scalar map)");
                return Type.INT64;
            }
            case "write_user" -> {
                // v0.26's message for its newest unsafe function; bpf4j does not write user memory yet
                if (!c.options.unsafe()) throw c.error(call.span(), "write_user() is unsafe. To use you need the --unsafe flag");
                throw c.error(call.span(), "write_user() is not supported by bpf4j");
            }
            case "override", "path", "skboutput", "unwatch" ->
                    throw c.error(call.span(), n + "() is not supported by bpf4j (it needs kprobes or BTF)");
            default -> throw c.error(call.span(), "Unknown function: " + n);
        }
    }

    /** The stack mode an argument names ({@code bpftrace}, {@code perf}, {@code raw}), or null. */
    private static Type.StackMode stackMode(Expr a) {
        if (!(a instanceof Expr.Builtin b)) return null;
        return switch (b.name()) {
            case "bpftrace" -> Type.StackMode.BPFTRACE;
            case "perf" -> Type.StackMode.PERF;
            case "raw" -> Type.StackMode.RAW;
            default -> null;
        };
    }

    /** A string argument: a literal, a positional parameter through str(), or any string-typed expression. */
    private Type stringArg(Expr e) {
        return c.text(e);
    }
}
