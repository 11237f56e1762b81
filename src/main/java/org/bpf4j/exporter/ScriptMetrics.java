package org.bpf4j.exporter;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Cpus;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One bpftrace script serving metrics: compiled (with a sum beside each histogram), loaded, attached, and its
 * events read on a thread of its own (printf goes to the log, clear() and zero() run as in {@code bpf4j trace}),
 * while scrapes read its maps. Closing stops that thread and detaches and releases everything.
 */
final class ScriptMetrics implements MetricSource {
    private final String name;
    private final Session session;
    private final Planner.Plan plan;
    private final List<FamilyReader> readers = new ArrayList<>();
    private final Thread loop;
    private volatile boolean stopping;

    private ScriptMetrics(String name, Session session, Planner.Plan plan, int maxSeries) {
        this.name = name;
        this.session = session;
        this.plan = plan;
        for (Family f : plan.families()) readers.add(new FamilyReader(f, maxSeries));
        this.loop = Thread.ofPlatform().name("bpf4j-exporter-" + name).daemon().unstarted(() -> session.run(() -> stopping));
    }

    /** Compiles {@code source} (named {@code name}), loads and attaches it; a script error or rejection is thrown. */
    static ScriptMetrics start(String name, Source source, int maxSeries, PrintStream log) {
        Compiled c = compile(name, source);
        CompiledScript compiled = c.script();
        Planner.Plan plan = c.plan();
        Session session = Session.load(compiled, new Output(log, false, true), new Session.Options(0, false));
        try {
            session.start(() -> { });
            ScriptMetrics s = new ScriptMetrics(name, session, plan, maxSeries);
            s.loop.start();
            return s;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** A script compiled for the exporter, and how its maps are exported. */
    record Compiled(CompiledScript script, Planner.Plan plan) {}

    /** Parses, adds the histograms' sums, checks and compiles {@code source}, and plans its families; loads nothing. */
    static Compiled compile(String name, Source source) {
        return compile(name, source, ProbeCatalog.system(-1));
    }

    /** The same against {@code catalog}'s tracepoints (tests and the fuzzer use a copy of tracefs). */
    static Compiled compile(String name, Source source, ProbeCatalog catalog) {
        Script parsed = Parser.parse(source);
        HistogramSums.Result withSums = HistogramSums.add(parsed);
        var directives = Directive.parse(name, source.text());
        Analysis analysis = Checker.check(withSums.script(), new Params(List.of()), catalog, Checker.Options.DEFAULT);
        CompiledScript compiled = Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount(), 0));
        return new Compiled(compiled, Planner.plan(name, compiled, directives, withSums.summed()));
    }

    /** The script's name (its file name). */
    @Override public String name() { return name; }

    @Override public List<String> familyNames() { return plan.families().stream().map(Family::name).toList(); }

    /** The families and the maps left out. */
    Planner.Plan plan() { return plan; }

    /** The family readers. */
    List<FamilyReader> readers() { return readers; }

    @Override
    public long decodeErrors() {
        long n = 0;
        for (FamilyReader r : readers) n += r.decodeErrors();
        return n;
    }

    @Override
    public Map<String, Long> droppedSeries() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (FamilyReader r : readers) out.put(r.family().name(), (long) r.droppedSeries());
        return out;
    }

    /** Probes attached now. */
    @Override public int attached() { return session.attachedCount(); }

    /** False once the script called exit() (its maps are still served). */
    boolean running() { return loop.isAlive(); }

    /** The script's programs by probe name (for their kernel run-time statistics). */
    @Override public Map<String, KernelProgram> programs() { return session.loadedPrograms(); }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("attached", attached());
        d.put("running", running());
        d.put("probes", List.copyOf(programs().keySet()));
        List<String> families = new ArrayList<>();
        for (Family f : plan.families())
            families.add(f.map().decl().name() + " -> " + f.name() + " (" + f.shape().name().toLowerCase(java.util.Locale.ROOT)
                    + (f.labels().isEmpty() ? "" : "; labels " + String.join(", ", f.labels().stream().map(Family.Label::name).toList())) + ")");
        d.put("families", families);
        List<String> skipped = new ArrayList<>();
        for (Planner.Skipped k : plan.skipped()) skipped.add(k.map() + ": " + k.reason());
        d.put("skipped", skipped);
        return d;
    }

    /** Every family's snapshots now. */
    @Override
    public List<MetricSnapshot> collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (FamilyReader r : readers) out.addAll(r.read(session));
        return out;
    }

    /** Stops the event thread, then detaches and releases everything. */
    @Override
    public void close() {
        stopping = true;
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.close();
    }
}
