package org.bpf4j.lang.runtime;

import org.bpf4j.UserException;
import org.bpf4j.lang.codegen.Action;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.sys.Mounts;
import org.bpf4j.lang.codegen.ProgramPlan;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.link.Link;
import org.bpf4j.link.TracingLink;
import org.bpf4j.link.UprobeLink;
import org.bpf4j.link.UsdtLink;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.map.KernelMap;
import org.bpf4j.events.EventOutput;
import org.bpf4j.events.EventStream;
import org.bpf4j.map.MapType;
import org.bpf4j.perf.EventReader;
import org.bpf4j.perf.PerfBuffer;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.usdt.UsdtProbe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A compiled script running in the kernel: creates its maps, loads its programs (placing a verifier rejection
 * on the script line that produced the failing instruction), attaches them, runs BEGIN, reads events until
 * exit() or a stop request, then detaches, runs END and prints the maps. Closing releases every link, buffer,
 * program and map once, in that order.
 */
public final class Session implements AutoCloseable {
    /**
     * How to run: {@code pid} for uprobes (-p), {@code verbose} adds the verifier log to rejections, {@code perfPages}
     * the pages per CPU of a perf buffer (when the script sends events through one), {@code queueBytes} how much
     * of the events waiting to be printed is held in memory before the kernel's buffer has to hold the rest;
     * {@code warnings} false drops the program's runtime warnings (--no-warnings).
     */
    public record Options(int pid, boolean verbose, int perfPages, long queueBytes, boolean warnings) {
        /** The default buffer sizes. */
        public Options(int pid, boolean verbose) {
            this(pid, verbose, EventOutput.DEFAULT_PERF_PAGES, DEFAULT_QUEUE_BYTES);
        }

        /** Runtime warnings (warnf(), a division by zero) shown. */
        public Options(int pid, boolean verbose, int perfPages, long queueBytes) {
            this(pid, verbose, perfPages, queueBytes, true);
        }
    }

    /** Events held in memory while output catches up, at most (beyond the kernel's buffer). */
    public static final long DEFAULT_QUEUE_BYTES = 512L << 20;
    private static final long LOSS_CHECK_NANOS = 100_000_000L;

    private final CompiledScript script;
    private Output out;                     // another while a bench: or test: probe runs (ProbeRuns)
    private final Options options;
    private final Map<String, KernelMap> maps = new HashMap<>();
    private final List<KernelProgram> programs = new ArrayList<>();
    /** The programs attached by one uprobe_multi link: each member's index maps to the group (in script order). */
    private final Map<Integer, List<Integer>> multi = new java.util.HashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Values values;
    private final MapPrinter printer;
    private EventStream stream;
    private final EventStream.EventHandler handler = this::event;
    private final PrintfWriter[] printfs;
    private EventStream.EventHandler[] routes;
    private long lostReported;
    private long lostCheckedAt;
    private boolean exiting;
    private boolean discarding;
    private boolean inEnd;
    private int exitCode;
    private int errors;                     // errorf() calls seen, for ProbeRuns
    private java.util.regex.Pattern probeFilter; // --probe-filter: the other probes are not attached
    private BooleanSupplier stop = () -> false;

    private Session(CompiledScript script, Output out, Options options) {
        this.script = script;
        this.out = out;
        this.options = options;
        this.values = new Values(new Symbols(), script.analysis().probeNames(), script.timeFormats(), this::stack);
        this.printer = new MapPrinter(values);
        this.printfs = new PrintfWriter[script.actions().size()];
        for (int i = 0; i < printfs.length; i++) {
            if (!out.json() && script.actions().get(i) instanceof Action.Printf p && p.kind() == Action.Printf.Kind.PRINTF)
                printfs[i] = PrintfWriter.of(p.format(), p.payload(), values);
        }
    }

    /** Creates the maps and loads the programs; nothing is attached yet. */
    public static Session load(CompiledScript script, Output out, Options options) {
        script = SymbolLinker.link(script); // kaddr()'s addresses, before anything is made
        Session s = new Session(script, out, options);
        if (script.writesTracePipe()) Mounts.debugfs();
        try {
            for (MapPlan m : script.maps()) {
                KernelMap km = KernelMap.create(m.spec());
                s.owned.add(km);
                s.maps.put(m.name(), km);
            }
            s.multi.putAll(UprobeGroups.of(script.programs()));
            for (int i = 0; i < script.programs().size(); i++) {
                ProgramPlan p = script.programs().get(i);
                if (p.unit().point() instanceof Attach.Fentry || p.unit().point() instanceof Attach.Usdt) { // loaded by their links
                    s.programs.add(null);
                    continue;
                }
                List<Integer> group = s.multi.get(i);
                if (group != null && group.getFirst() != i) { // the group's program, loaded at its first member
                    s.programs.add(s.programs.get(group.getFirst()));
                    continue;
                }
                try {
                    KernelProgram kp = KernelProgram.load(group == null ? p.spec() : UprobeGroups.multiSpec(p.spec()), s.maps);
                    s.owned.add(kp);
                    s.programs.add(kp);
                } catch (VerifierException e) {
                    throw s.rejection(p, e);
                }
            }
            KernelMap events = s.maps.get("events");
            Function<RecordHandler, EventReader> reader = events.spec().type() == MapType.RINGBUF
                    ? h -> RingBuffer.open(events, h) : h -> PerfBuffer.open(events, options.perfPages(), h);
            s.stream = EventStream.start(reader, EventStream.LossCounter.map(s.maps.get("event_loss")), options.queueBytes());
            s.owned.add(s.stream);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private SourceError rejection(ProgramPlan p, VerifierException e) {
        Span at = e.instruction() >= 0 ? p.spanAtSlot(e.instruction()) : null;
        if (at == null || at == Span.NONE) at = p.unit().probe().span();
        String detail = "the kernel's verifier rejected the program of " + p.unit().name()
                + (e.instruction() >= 0 ? " at instruction " + e.instruction() : "") + ": " + e.reason()
                + (options.verbose() ? "\n" + e.log().strip() : "");
        SourceError err = new SourceError(script.analysis().script().source(), at, detail);
        err.initCause(e);
        return err;
    }

    /** The number of probes bpftrace would say it attaches (BEGIN and END included). */
    public int probeCount() {
        // as bpftrace counts: a USDT probe is as many probes as it has sites (an inlined marker has several)
        int n = 0;
        Set<Attach> usdt = new HashSet<>();
        for (var p : script.programs()) {
            if (!attached(p.unit())) continue;
            if (!(p.unit().point() instanceof Attach.Usdt u)) n++;
            else if (usdt.add(u)) n += UsdtProbe.find(UprobeLink.resolveBinary("usdt", u.binary(), options.pid()), u.provider(), u.name()).size();
        }
        return n;
    }

    /** The SIGUSR1s received and not yet handed to the {@code self:signal} probes. */
    private final java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();

    /** Runs the {@code self:signal} probes once for each signal received since the last call, in script order. */
    private void signalProbes() {
        while (signals.get() > 0) {
            signals.decrementAndGet();
            for (int i = 0; i < programs.size(); i++)
                if (script.programs().get(i).unit().point() instanceof Attach.Signal) testRun(programs.get(i));
        }
    }

    /** Runs BEGIN, attaches every other probe, and calls {@code attached} once all are attached. */
    public void start(Runnable attached) {
        // self:signal:SIGUSR1 (v0.26): the tool's own signal runs those probes from the event loop, as BEGIN runs
        if (script.programs().stream().anyMatch(p -> p.unit().point() instanceof Attach.Signal))
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> signals.incrementAndGet());
        for (int i = 0; i < programs.size(); i++) {
            if (script.programs().get(i).unit().point() instanceof Attach.Begin) testRun(programs.get(i));
        }
        // The kernel runs the programs of one uprobe newest first: attaching those in reverse keeps script order.
        // Probes on different sites are attached in script order, so that a program firing them in that order
        // while we attach is first seen at the first one (bpftrace's case "attach to probe with probe builtin").
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < programs.size(); i++) if (!uprobe(i)) order.add(i);
        Map<Attach, List<Integer>> sites = new LinkedHashMap<>();
        for (int i = 0; i < programs.size(); i++) if (uprobe(i)) sites.computeIfAbsent(script.programs().get(i).unit().point(), k -> new ArrayList<>()).add(i);
        for (List<Integer> same : sites.values()) order.addAll(same.reversed());
        for (int i : order) {
            Attach a = script.programs().get(i).unit().point();
            if (a instanceof Attach.Begin || a instanceof Attach.End || a instanceof Attach.Signal || !attached(script.programs().get(i).unit())) continue;
            if (a instanceof Attach.Fentry f) {
                links.add(TracingLink.attach(script.programs().get(i).spec(), maps, f.function(),
                        f.ret() ? TracingLink.Kind.FEXIT : TracingLink.Kind.FENTRY));
                continue;
            }
            if (a instanceof Attach.Usdt u) {
                ProgramPlan plan = script.programs().get(i);
                links.add(UsdtLink.attach(u.binary(), u.provider(), u.name(), options.pid() > 0 ? options.pid() : -1, args -> {
                    ProgramPlan variant = plan.variants().getOrDefault(ProbeCatalog.layoutKey(args), plan);
                    try {
                        return KernelProgram.load(variant.spec(), maps);
                    } catch (VerifierException e) {
                        throw rejection(variant, e);
                    }
                }));
                continue;
            }
            List<Integer> group = multi.get(i);
            if (group != null) { // one uprobe_multi link for the group, made at its first member
                if (group.getFirst() == i) links.add(Attacher.uprobeMulti(programs.get(i),
                        group.stream().map(g -> (Attach.Uprobe) script.programs().get(g).unit().point()).toList(),
                        options.pid() > 0 ? options.pid() : -1));
                continue;
            }
            links.add(Attacher.attach(programs.get(i), a, options.pid() > 0 ? options.pid() : -1));
        }
        attached.run();
    }

    /** True when every probe is begin or end (or filtered out, or run by the tool): nothing else could ever fire. */
    private boolean onlyBeginEnd() {
        for (var p : script.programs())
            if (!(p.unit().point() instanceof Attach.Begin || p.unit().point() instanceof Attach.End) && attached(p.unit())) return false;
        return true;
    }

    /**
     * v0.26's {@code --probe-filter REGEX}: only the probes whose name the regex finds something in are attached
     * (or run, for bench: and test: probes); begin, end and self probes always are. Call before {@link #start}.
     */
    public void probeFilter(java.util.regex.Pattern filter) { this.probeFilter = filter; }

    /** True when {@code u} is a probe the session attaches: not run by the tool itself, not filtered out. */
    private boolean attached(org.bpf4j.lang.sema.Unit u) {
        return !(u.point() instanceof Attach.Run) && kept(u);
    }

    /** True unless --probe-filter leaves {@code u} out. */
    boolean kept(org.bpf4j.lang.sema.Unit u) {
        Attach a = u.point();
        if (probeFilter == null || a instanceof Attach.Begin || a instanceof Attach.End || a instanceof Attach.Signal) return true;
        return probeFilter.matcher(a instanceof Attach.Run r ? r.name() : u.name()).find();
    }

    /** Runs the begin probes only: for {@code --bench} and {@code --test}, which attach nothing. */
    public void begin() {
        for (int i = 0; i < programs.size(); i++)
            if (script.programs().get(i).unit().point() instanceof Attach.Begin) testRun(programs.get(i));
        stream.drain(handler);
        out.drained();
    }

    // ---- bench: and test: probes (v0.26), run by ProbeRuns ----

    /** The loaded programs of the {@code kind} ("bench" or "test") probes --probe-filter keeps, by name, in script order. */
    Map<String, KernelProgram> runProbes(String kind) {
        Map<String, KernelProgram> found = new LinkedHashMap<>();
        for (int i = 0; i < programs.size(); i++) {
            var u = script.programs().get(i).unit();
            if (u.point() instanceof Attach.Run r && r.kind().equals(kind) && kept(u)) found.putIfAbsent(r.name(), programs.get(i));
        }
        return found;
    }

    /**
     * Runs {@code body} with what the programs send printed to {@code to}; true when exit() or errorf() was called
     * meanwhile. That is then forgotten (bpftrace resets its exit code after each test), and so are the events
     * lost while {@code to} was the output.
     */
    boolean capturing(Output to, Runnable body) {
        stream.drain(handler);
        out.drained();
        Output was = out;
        out = to;
        errors = 0;
        try {
            body.run();
            stream.drain(handler);
        } finally {
            out = was;
        }
        boolean failed = exiting || errors > 0;
        exiting = false;
        exitCode = 0;
        lostReported = stream.lost();
        return failed;
    }

    private boolean uprobe(int i) {
        Attach a = script.programs().get(i).unit().point();
        return a instanceof Attach.Uprobe || a instanceof Attach.Usdt;
    }

    private void testRun(KernelProgram p) {
        p.testRun(null, new byte[8], 0, 0);
    }

    /** Reads events until exit() or {@code stop} (a signal: what is still queued then is dropped, as bpftrace drops it). */
    public void run(BooleanSupplier stop) {
        run(stop, () -> false);
    }

    /**
     * Reads events until exit(), {@code stop} (a signal), or {@code done} (the end of {@code -c}'s command: what
     * the probes sent until then is still printed, as bpftrace's last poll prints it).
     */
    public void run(BooleanSupplier stop, BooleanSupplier done) {
        this.stop = stop;
        if (onlyBeginEnd()) { // v0.26: a program of begin/end probes only ends by itself once begin has run
            stream.drain(handler);
            out.drained();
            return;
        }
        while (!exiting && !stop.getAsBoolean() && !done.getAsBoolean() && !out.broken()) {
            stream.poll(handler, 100);
            signalProbes();
            out.drained();
            long now = System.nanoTime();
            if (now - lostCheckedAt >= LOSS_CHECK_NANOS) {
                lostCheckedAt = now;
                reportLost();
            }
        }
    }

    /** bpftrace's "Lost N events" for what was lost since the last report. */
    private void reportLost() {
        long lost = stream.lost();
        if (lost > lostReported) {
            out.lost(lost - lostReported);
            lostReported = lost;
            out.drained();
        }
    }

    /** Events the programs could not send because the channel was full, so far. */
    public long lost() { return stream.lost(); }

    /**
     * Hands the events of action {@code action} (an index into the script's action table) to {@code handler}
     * instead of printing them, from {@link #run}'s thread; for a Java tool that decodes them itself. Call before
     * {@link #start}.
     */
    public void route(int action, EventStream.EventHandler handler) {
        if (routes == null) routes = new EventStream.EventHandler[script.actions().size()];
        routes[action] = handler;
    }

    /**
     * Waits up to {@code timeoutMillis} for events and delivers those that arrived (routed or printed); returns
     * how many. For a caller with its own loop: losses are left to it ({@link #lost()}), not printed.
     */
    public int poll(int timeoutMillis) {
        int n = stream.poll(handler, timeoutMillis);
        out.drained();
        return n;
    }

    /** The kernel map the script's compiled plan calls {@code name} (a user map's kernel name), or null. */
    public KernelMap map(String name) { return maps.get(name); }

    /** Detaches the probes, runs END, and prints every map; returns the exit status. */
    public int finish() {
        // in the order they were attached, as bpftrace clears its attached probes: a uretprobe on main attached
        // before one on a function main calls in a loop keeps that one counting while it is taken down, so that
        // bpftrace's case "Sum casted retval" sees every return after exit()
        for (Link l : links) l.close();
        links.clear();
        // after exit() or a signal what is still queued is dropped; after the end of -c's command it is printed
        discarding = exiting || stop.getAsBoolean();
        stream.drain(handler);
        discarding = false;
        exiting = true;
        inEnd = true;
        for (int i = 0; i < programs.size(); i++) {
            if (script.programs().get(i).unit().point() instanceof Attach.End) testRun(programs.get(i));
        }
        stream.drain(handler);
        reportLost();
        printAll();
        out.flush();
        return exitCode;
    }

    /** True once exit() was called. */
    public boolean exited() { return exiting; }

    private void printAll() {
        if (!script.analysis().config().printMapsOnExit()) return;
        if (!script.analysis().script().stap()) out.raw("\n\n");
        for (MapPlan m : script.maps()) {
            if (!m.user() || script.analysis().script().silent().contains(m.decl().name())) continue;
            out.raw(printer.render(m, entries(m), 0, 0, out.json()));
        }
    }

    // ---- events ----

    private void event(int cpu, byte[] buf, int off, int len) {
        if (discarding || len < 8) return;
        if (exiting ? !inEnd : stop.getAsBoolean()) return; // after exit() or a stop, the queue is dropped, as bpftrace does
        int id = (int) Values.le(buf, off, 8);
        if (id < 0 || id >= printfs.length) return;
        if (routes != null && routes[id] != null) {
            routes[id].onEvent(cpu, buf, off, len);
            return;
        }
        PrintfWriter w = printfs[id];
        if (w != null) w.write(out.buffer(), buf, off);
        else action(script.actions().get(id), Arrays.copyOfRange(buf, off, off + len));
        out.eventDone();
    }

    private void action(Action a, byte[] data) {
        if (exiting && a instanceof Action.Exit) return;
        Type.Tuple payload = a.payload();
        switch (a) {
            case Action.Printf p -> {
                List<Object> args = new ArrayList<>();
                for (int i = 1; i < payload.elements().size(); i++) args.add(values.printfArg(payload.elements().get(i), data, payload.offset(i)));
                String text = p.format().format(args);
                switch (p.kind()) {
                    case PRINTF -> out.message("printf", text);
                    case SYSTEM -> out.message("syscall", system(text));
                    case CAT -> cat(text);
                }
            }
            case Action.Diagnostic d -> {
                if (d.level() == Action.Diagnostic.Level.WARNING && !options.warnings()) return;
                List<Object> args = new ArrayList<>();
                for (int i = 1; i < payload.elements().size(); i++) args.add(values.printfArg(payload.elements().get(i), data, payload.offset(i)));
                String text = d.format().format(args);
                if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
                if (d.level() == Action.Diagnostic.Level.ERROR) errors++;
                out.flush();
                StringBuilder shown = new StringBuilder(d.where() + ": " + d.level() + ": " + text + (d.line().isEmpty() ? "" : "\n" + d.line()));
                for (Action.Diagnostic.Context from : d.expandedFrom())
                    shown.append('\n').append(from.where()).append(": ").append(d.level()).append(": expanded from\n")
                            .append(from.line()).append('\n').append(from.marker());
                System.err.println(shown);
            }
            case Action.Exit e -> {
                exitCode = (int) Values.le(data, payload.offset(1), 8);
                exiting = true;
            }
            case Action.Time t -> out.message("time", Strftime.format(t.format(), System.currentTimeMillis() * 1_000_000L));
            case Action.PrintMap pm -> {
                MapPlan m = script.userMap(pm.map());
                out.raw(printer.render(m, entries(m), pm.top(), pm.div(), out.json()));
            }
            case Action.PrintStapHist h -> {
                MapPlan m = script.userMap(h.map());
                out.raw(printer.stapHistogram(m, entries(m), h.linear(), h.start(), h.interval()));
            }
            case Action.ClearMap c -> clear(script.userMap(c.map()), c.zero());
            case Action.PrintValue pv when !pv.newline() && !out.json() -> out.raw(values.text(pv.type(), data, payload.offset(1)));
            case Action.PrintValue pv -> out.value(values.text(pv.type(), data, payload.offset(1)), values.json(pv.type(), data, payload.offset(1)));
            case Action.HelperError h -> {
                long ret = Values.le(data, payload.offset(1), 8);
                String what = ret == 0 ? "0" : values.strerror(-ret) + " (" + ret + ")";
                if (h.helper().equals("map_update_elem") && ret == -7) // E2BIG: v0.26's words for a full map
                    what = "Map full; can't update element. Try increasing max_map_keys config";
                if (out.json()) {
                    out.raw("{\"type\": \"helper_error\", \"msg\": " + Values.quote(ret == 0 ? "" : values.strerror(-ret))
                            + ", \"helper\": " + Values.quote(h.helper()) + ", \"retcode\": " + ret + ", \"filename\": "
                            + Values.quote(h.file()) + ", \"line\": " + h.line() + ", \"col\": " + h.col() + "}\n");
                } else {
                    out.flush();
                    System.err.println(h.file() + ":" + h.line() + ":" + h.col() + ": WARNING: Failed to " + h.helper() + ": " + what);
                }
            }
            case Action.Foreach f -> foreach(f);
            case Action.Join j -> {
                int n = (int) Math.min(Values.le(data, 8, 8), j.max());
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < n; i++) parts.add(Values.string(data, 16 + i * j.strlen(), j.strlen()));
                String joined = String.join(j.delimiter(), parts);
                out.message("join", out.json() ? joined : joined + "\n");
            }
        }
    }

    private String system(String command) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return text;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private void cat(String file) {
        try {
            out.message("cat", Files.readString(Path.of(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            out.flush();
            System.err.println("ERROR: failed to open file '" + file + "': No such file or directory");
        } catch (IOException e) {
            out.flush();
            System.err.println("ERROR: failed to open file '" + file + "': " + e.getMessage());
        }
    }

    /** SystemTap's foreach: each line of the body printed for each (sorted, limited) entry. */
    private void foreach(Action.Foreach f) {
        MapPlan m = script.userMap(f.map());
        for (MapPrinter.Entry e : printer.sorted(m, entries(m), f.sorted(), f.byValue(), f.descending(), f.limit())) {
            for (Action.Foreach.Line line : f.lines()) {
                List<Object> args = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                for (Action.Foreach.Ref r : line.args()) {
                    Object v = switch (r) {
                        case Action.Foreach.Ref.Literal l -> l.value();
                        case Action.Foreach.Ref.Key k -> printer.key(m, e.key(), k.index());
                        case Action.Foreach.Ref.Value v2 -> printer.value(m, e.value(), v2.extractor());
                    };
                    args.add(v);
                    texts.add(String.valueOf(v));
                }
                out.message("printf", line.format() == null ? String.join("", texts) + (line.newline() ? "\n" : "") : line.format().format(args));
            }
        }
    }

    // ---- maps ----

    private List<MapPrinter.Entry> entries(MapPlan m) {
        KernelMap km = maps.get(m.name());
        List<MapPrinter.Entry> out = new ArrayList<>();
        Optional<byte[]> k = km.nextKey(null);
        while (k.isPresent()) {
            byte[] key = k.get();
            km.lookup(key).ifPresent(v -> out.add(new MapPrinter.Entry(key, v)));
            k = km.nextKey(key);
        }
        return out;
    }

    private void clear(MapPlan m, boolean zero) {
        KernelMap km = maps.get(m.name());
        byte[] empty = new byte[km.valueBytes()]; // a per-CPU map (tseries) takes every CPU's copy
        for (MapPrinter.Entry e : entries(m)) {
            if (zero) km.put(e.key(), empty);
            else km.delete(e.key());
        }
    }

    private long[] stack(int limit, long id) {
        KernelMap km = maps.get(MapPlan.stacks(limit));
        if (km == null) return new long[0];
        byte[] key = {(byte) id, (byte) (id >>> 8), (byte) (id >>> 16), (byte) (id >>> 24)};
        Optional<byte[]> v = km.lookup(key);
        if (v.isEmpty()) return new long[0];
        long[] frames = new long[v.get().length / 8];
        for (int i = 0; i < frames.length; i++) frames[i] = Values.le(v.get(), i * 8, 8);
        return frames;
    }

    /**
     * The frames of stack {@code id} (the id a {@code kstack} or {@code ustack} of the default depth sent), innermost
     * first; empty for an id the kernel could not record (negative) or does not hold.
     */
    public long[] stackFrames(long id) {
        if (id < 0) return new long[0];
        long[] f = stack(Type.STACK_LIMIT, id);
        int n = 0;
        while (n < f.length && f[n] != 0) n++;
        return java.util.Arrays.copyOf(f, n);
    }

    // ---- for the exporter: maps read while the probes run (another thread than the one in run()) ----

    /** The compiled script this session runs (its map plans describe what {@link #readMap(MapPlan)} returns). */
    public CompiledScript script() { return script; }

    /** Every entry of the user map {@code m} at this moment, as raw key and value bytes in the plan's layouts. */
    public List<Map.Entry<byte[], byte[]>> readMap(MapPlan m) {
        List<Map.Entry<byte[], byte[]>> list = new ArrayList<>();
        for (MapPrinter.Entry e : entries(m)) list.add(Map.entry(e.key(), e.value()));
        return list;
    }

    /** A key part of type {@code t} at {@code off} as the map printer shows it (symbols, addresses, stacks resolved). */
    public String keyText(Type t, byte[] key, int off) { return values.keyText(t, key, off); }

    /** The programs loaded from the script, by probe name (USDT and fentry programs, loaded by their links, left out). */
    public Map<String, KernelProgram> loadedPrograms() {
        Map<String, KernelProgram> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < programs.size(); i++) if (programs.get(i) != null) m.put(script.programs().get(i).unit().name(), programs.get(i));
        return m;
    }

    /** How many probes are attached now. */
    public int attachedCount() { return links.size(); }

    /** Detaches and releases everything, once. */
    @Override
    public void close() {
        for (int i = links.size() - 1; i >= 0; i--) {
            try { links.get(i).close(); } catch (RuntimeException ignored) { /* keep closing */ }
        }
        links.clear();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try { owned.get(i).close(); } catch (Exception ignored) { /* keep closing */ }
        }
        owned.clear();
        values.close();
    }

    /** A user error for a script that cannot run, e.g. a missing file. */
    static UserException fail(String message) { return new UserException(message); }
}
