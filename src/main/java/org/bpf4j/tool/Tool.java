package org.bpf4j.tool;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.events.EventChannel;
import org.bpf4j.events.EventOutput;
import org.bpf4j.lang.codegen.Action;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.codegen.ProgramPlan;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Probe;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Privileges;
import org.bpf4j.tracefs.Tracefs;

import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A tool's kernel side: a script in bpf4j's tracing language, compiled by bpf4j's compiler and loaded with its maps,
 * programs and links, all owned by this object (as cilium/ebpf's Collection) and released by {@link #close}.
 * What BCC's {@code BPF(text=...)} is to a Python tool:
 * <pre>
 *   record Open(long pid, String comm, long ret, String path) {}
 *   try (Tool t = Tool.load("opensnoop", """
 *           tracepoint:syscalls:sys_enter_openat { @path[tid] = args.filename; }
 *           tracepoint:syscalls:sys_exit_openat /@path[tid]/ {
 *               print((pid, comm, args.ret, str(@path[tid]))); delete(@path[tid]); }""")) {
 *       t.on(Open.class, e -> System.out.println(e));
 *       t.start();
 *       while (...) t.poll(100);
 *   }
 * </pre>
 * A script's {@code print((a, b, ...))} sends an event; {@link #on} binds a Java record to it, checked against the
 * compiled layout ({@link EventDecoder}). Maps are read as Java maps ({@link #counts}) and histograms
 * ({@link #histogram}); {@link #lost()} counts events the ring buffer could not take.
 */
public final class Tool implements AutoCloseable {
    private final String name;
    private final CompiledScript compiled;
    private final Session session;
    private final boolean[] bound;

    private Tool(String name, CompiledScript compiled, Session session) {
        this.name = name;
        this.compiled = compiled;
        this.session = session;
        this.bound = new boolean[compiled.actions().size()];
    }

    /** Compiles and loads {@code script} for the tool {@code name}; nothing is attached until {@link #start}. */
    public static Tool load(String name, String script) {
        return load(name, script, OutputStream.nullOutputStream());
    }

    /**
     * As {@link #load(String, String)}; what the script prints itself (printf, not a bound {@code print}) goes to
     * {@code out}.
     */
    public static Tool load(String name, String script, OutputStream out) {
        return load(name, script, out, 0);
    }

    /**
     * As {@link #load(String, String)} for one process: USDT and uprobe targets resolve in the libraries process
     * {@code pid} maps (a probe written {@code usdt:libjvm:hotspot:gc__begin}) and fire in that process only, as
     * bpftrace's {@code -p}.
     */
    public static Tool load(String name, String script, int pid) {
        return load(name, script, OutputStream.nullOutputStream(), pid);
    }

    /**
     * As {@link #load(String, String)}, with the kernel programs of the probes {@code programNames} lists named as it
     * says (by the attach point as written, {@code kprobe:__x64_sys_kill} to {@code syscall__kill}): a tool that mirrors
     * BCC's shows BCC's names in {@code bpftool prog list}. Names are the kernel's: 15 characters of [A-Za-z0-9_].
     */
    public static Tool load(String name, String script, Map<String, String> programNames) {
        for (String n : programNames.values())
            if (!n.matches("[A-Za-z0-9_]{1,15}")) throw new IllegalArgumentException("program name " + n + ": 1 to 15 of [A-Za-z0-9_]");
        return load(name, script, OutputStream.nullOutputStream(), 0, programNames);
    }

    private static Tool load(String name, String script, OutputStream out, int pid) {
        return load(name, script, out, pid, Map.of());
    }

    private static Tool load(String name, String script, OutputStream out, int pid, Map<String, String> programNames) {
        if (!Privileges.canTrace()) throw new ToolException.NotPermitted(name, null);
        Source source = new Source(name, script);
        CompiledScript compiled;
        try {
            Script parsed = Parser.parse(source);
            checkProbes(parsed);
            Analysis analysis = Checker.check(parsed, new Params(List.of()), pid > 0 ? ProbeCatalog.system(pid) : ProbeCatalog.system(), Checker.Options.DEFAULT);
            EventChannel channel = EventChannel.best();
            compiled = Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount(), 0, channel,
                    channel == EventChannel.RING_BUFFER ? EventOutput.DEFAULT_RING_BYTES : EventOutput.DEFAULT_PERF_PAGES));
            if (!programNames.isEmpty()) compiled = renamed(compiled, programNames);
        } catch (SourceError e) {
            throw new ToolException.BadScript(name + ": " + e.render(), e);
        }
        try {
            Session s = Session.load(compiled, new Output(out, false, true), new Session.Options(pid, false));
            return new Tool(name, compiled, s);
        } catch (SourceError e) {
            throw new ToolException.BadScript(name + ": " + e.render(), e);
        } catch (BpfException e) {
            throw kernelRefusal(name, e);
        }
    }

    private static CompiledScript renamed(CompiledScript c, Map<String, String> names) {
        List<ProgramPlan> programs = new ArrayList<>();
        for (ProgramPlan p : c.programs()) {
            String n = names.get(p.unit().point().text());
            ProgramSpec s = p.spec();
            programs.add(n == null ? p : new ProgramPlan(p.unit(), new ProgramSpec(n, s.type(), s.program(), s.license(), s.expectedAttachType()),
                    p.spans(), p.stackBytes(), p.variants(), p.symbols()));
        }
        return new CompiledScript(c.analysis(), c.maps(), programs, c.actions(), c.timeFormats());
    }

    /** Each tracepoint the script names must exist, and kprobes must be there: typed errors before compiling. */
    private static void checkProbes(Script script) {
        for (Probe p : script.probes()) {
            for (Probe.AttachPoint ap : p.points()) {
                Attach a;
                try {
                    a = Attach.parse(ap.text());
                } catch (IllegalArgumentException e) {
                    continue; // the checker reports it with its place
                }
                if (a instanceof Attach.Tracepoint tp && !a.wildcard()
                        && !Files.isDirectory(Tracefs.get().root().resolve("events").resolve(tp.category()).resolve(tp.event())))
                    throw new ToolException.NoSuchProbe("tracepoint:" + tp.category() + ":" + tp.event(), null);
                if (a instanceof Attach.Kprobe && !Files.exists(Tracefs.get().root().resolve("kprobe_events")))
                    throw new ToolException.NotSupported("kprobes are not available on this kernel (built without CONFIG_KPROBES): "
                            + ap.text(), null);
            }
        }
    }

    private static ToolException kernelRefusal(String name, BpfException e) {
        if (e.errno() == 1 /* EPERM */ || e.errno() == 13 /* EACCES */) return new ToolException.NotPermitted(name, e);
        return new ToolException.BadScript(name + ": " + e.getMessage(), e);
    }

    /**
     * Delivers the events of every {@code print((...))} whose values fit {@code type} to {@code handler}, decoded, in
     * the order they were sent. Call before {@link #start}; throws {@link ToolException.LayoutMismatch} when no
     * print of the script fits the record (the message says why the first one does not).
     */
    public <R extends Record> void on(Class<R> type, Consumer<? super R> handler) {
        ToolException.LayoutMismatch first = null;
        int matched = 0;
        for (int i = 0; i < compiled.actions().size(); i++) {
            if (bound[i] || !(compiled.actions().get(i) instanceof Action.PrintValue pv)) continue;
            EventDecoder<R> decoder;
            try {
                decoder = EventDecoder.of(type, pv.type());
            } catch (ToolException.LayoutMismatch e) {
                if (first == null) first = e;
                continue;
            }
            int at = pv.payload().offset(1);
            session.route(i, (cpu, buf, off, len) -> handler.accept(decoder.decode(buf, off + at)));
            bound[i] = true;
            matched++;
        }
        if (matched == 0) throw first != null ? first
                : new ToolException.LayoutMismatch(name + ": the script sends no print((...)) left for " + type.getSimpleName());
    }

    /**
     * Delivers the events of every {@code print((...))} not bound to a record yet to {@code handler}, as the list of
     * their values ({@link EventDecoder#values}): for tools whose events take their shape from the user's command
     * line (BCC's trace formats what the user names), where no record can be written beforehand. Call before
     * {@link #start}.
     */
    public void onValues(Consumer<? super List<Object>> handler) {
        for (int i = 0; i < compiled.actions().size(); i++) {
            if (bound[i] || !(compiled.actions().get(i) instanceof Action.PrintValue pv)) continue;
            Type sent = pv.type();
            int at = pv.payload().offset(1);
            session.route(i, (cpu, buf, off, len) -> handler.accept(EventDecoder.values(buf, off + at, sent)));
            bound[i] = true;
        }
    }

    /** Attaches every probe; every {@code print} of the script must have a record by now. */
    public void start() {
        for (int i = 0; i < bound.length; i++) {
            if (!bound[i] && compiled.actions().get(i) instanceof Action.PrintValue pv)
                throw new ToolException.LayoutMismatch(name + ": no record is bound to the script's print of " + pv.type().describe());
        }
        try {
            session.start(() -> { });
        } catch (BpfException e) {
            throw kernelRefusal(name, e);
        } catch (NotSupportedException e) {
            throw new ToolException.NotSupported(e.getMessage(), e);
        } catch (UserException e) {
            throw new ToolException.NotSupported(name + ": " + e.getMessage(), e);
        }
    }

    /** Waits up to {@code timeoutMillis} and delivers the events that arrived; returns how many. */
    public int poll(int timeoutMillis) {
        return session.poll(timeoutMillis);
    }

    /**
     * Delivers events for {@code millis} milliseconds, or until {@code stop} says so; returns false when stopped.
     * The interval loop of BCC's tools: {@code while (t.pollFor(interval * 1000, stop)) print and clear}.
     */
    public boolean pollFor(long millis, BooleanSupplier stop) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!stop.getAsBoolean()) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return true;
            poll((int) Math.min(left, 100));
        }
        return false;
    }

    /**
     * The concrete attach points the script's probes expanded to, one per program, in the order {@code probe}
     * numbers them ({@code tracepoint:syscalls:sys_enter_read}, ...): a wildcard's matches, counted by funccount.
     */
    public List<String> probes() { return compiled.analysis().probeNames(); }

    /** Events the ring buffer could not take (the reader was behind), so far. */
    public long lost() { return session.lost(); }

    /**
     * The addresses of stack {@code id}, innermost first: the value a script's {@code kstack} or {@code ustack} sent
     * in an event (a record component of type {@code long}); empty when the kernel could not record it (a negative id).
     */
    public long[] stack(long id) { return session.stackFrames(id); }

    // ---- maps ----

    private MapPlan plan(String map) {
        MapPlan m = compiled.userMap(map);
        if (m == null) throw new IllegalArgumentException(name + ": the script has no map " + map);
        return m;
    }

    /** The map's entries, read in batches where the kernel can (memleak reads maps of 100,000), else key by key. */
    private List<byte[][]> entries(MapPlan m) {
        KernelMap km = session.map(m.name());
        List<byte[][]> out = new ArrayList<>();
        for (var e : km.lookupBatch()) out.add(new byte[][] {e.key(), e.value()});
        return out;
    }

    /**
     * A count(), sum() or integer map as a Java map: keys decoded as {@code keyType} ({@code Long}, {@code Integer},
     * {@code String}, or a record for several keys), values as the u64 they hold.
     */
    public <K> Map<K, Long> counts(String map, Class<K> keyType) {
        MapPlan m = plan(map);
        Map<K, Long> out = new LinkedHashMap<>();
        for (byte[][] e : entries(m)) out.merge(probeKey(m, keyType, e[0]), EventDecoder.le(e[1], 0, 8), Long::sum);
        return out;
    }

    /**
     * A count(), sum() or integer map whose keys take their shape from the user's command line (BCC's argdist):
     * each key as the list of its values ({@link EventDecoder#values}), values as the u64 they hold.
     */
    public Map<List<Object>, Long> countsByValues(String map) {
        MapPlan m = plan(map);
        Map<List<Object>, Long> out = new LinkedHashMap<>();
        for (byte[][] e : entries(m))
            out.merge(m.userKey() == null ? List.of() : EventDecoder.values(e[0], 0, m.userKey()), EventDecoder.le(e[1], 0, 8), Long::sum);
        return out;
    }

    /** The histogram of a hist() or lhist() map without keys (empty when nothing was recorded). */
    public Histogram histogram(String map) {
        Map<String, Histogram> all = histograms(map, String.class);
        return all.isEmpty() ? new Histogram(linear(plan(map)), new long[0]) : all.values().iterator().next();
    }

    /**
     * The histograms of a hist() or lhist() map, one per key. Log2 buckets as BCC's; lhist(v, 0, n, 1)'s buckets
     * as the values 0 to n-1 (other bounds count from their minimum).
     */
    public <K> Map<K, Histogram> histograms(String map, Class<K> keyType) {
        MapPlan m = plan(map);
        boolean linear = linear(m);
        int userSize = m.key().offset(1);
        Map<K, long[]> counts = new LinkedHashMap<>();
        for (byte[][] e : entries(m)) {
            K key = m.userKey() == null ? null : key(m, keyType, e[0]);
            long bucket = EventDecoder.le(e[0], userSize, 8);
            int idx;
            if (linear) idx = (int) bucket - 1;                         // bucket 0 is below the minimum
            else idx = bucket == 0 ? -1 : bucket == 1 ? 1 : (int) bucket - 1; // negatives are not BCC's
            if (idx < 0 || idx >= 1 << 16) continue;
            long[] c = counts.computeIfAbsent(key, k -> new long[linear ? 0 : 65]);
            if (idx >= c.length) {
                c = java.util.Arrays.copyOf(c, idx + 1);
                counts.put(key, c);
            }
            c[idx] += EventDecoder.le(e[1], 0, 8);
        }
        Map<K, Histogram> out = new LinkedHashMap<>();
        counts.forEach((k, c) -> out.put(k, new Histogram(linear, c)));
        return out;
    }

    private static boolean linear(MapPlan m) {
        Type.Agg agg = m.decl().agg();
        if (agg == null || !agg.histogram()) throw new IllegalArgumentException(m.decl().name() + " is not a hist() or lhist() map");
        return agg.kind() == Type.AggKind.LHIST;
    }

    /** As {@link #key}, and a {@code probe} key read as a String is the attach point's name. */
    private <K> K probeKey(MapPlan m, Class<K> keyType, byte[] key) {
        if (m.userKey() instanceof Type.Special s && s.kind() == Type.SpecialKind.PROBE && keyType == String.class) {
            long i = EventDecoder.le(key, 0, 8);
            List<String> names = probes();
            return keyType.cast(i >= 0 && i < names.size() ? names.get((int) i) : String.valueOf(i));
        }
        return key(m, keyType, key);
    }

    private static <K> K key(MapPlan m, Class<K> keyType, byte[] key) {
        Type t = m.userKey();
        Object k;
        if (t == null) k = null;
        else if (keyType.isRecord()) k = decodeRecordKey(keyType, t, key);
        else if (t instanceof Type.Str s && keyType == String.class) k = EventDecoder.string(key, 0, s.size());
        else if (keyType == Long.class && t.scalar()) k = EventDecoder.integer(key, 0, t);
        else if (keyType == Integer.class && t.scalar()) k = (int) EventDecoder.integer(key, 0, t);
        else if (keyType == String.class) k = t.scalar() ? String.valueOf(EventDecoder.integer(key, 0, t)) : t.describe();
        else throw new ToolException.LayoutMismatch(m.decl().name() + "'s key is " + t.describe() + ", not " + keyType.getSimpleName());
        return keyType.cast(k);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object decodeRecordKey(Class<?> keyType, Type t, byte[] key) {
        return EventDecoder.of((Class) keyType, t).decode(key, 0);
    }

    /** Empties map {@code map} (BCC's {@code clear()} between intervals). */
    public void clear(String map) {
        MapPlan m = plan(map);
        KernelMap km = session.map(m.name());
        for (byte[][] e : entries(m)) km.delete(e[0]);
    }

    /** Detaches the probes, then releases the buffer, programs and maps; idempotent. */
    @Override
    public void close() {
        session.close();
    }
}
