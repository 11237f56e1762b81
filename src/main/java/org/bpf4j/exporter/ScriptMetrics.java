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
final class ScriptMetrics implements AutoCloseable {
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
        Script parsed = Parser.parse(source);
        HistogramSums.Result withSums = HistogramSums.add(parsed);
        var directives = Directive.parse(name, source.text());
        Analysis analysis = Checker.check(withSums.script(), new Params(List.of()), ProbeCatalog.system(-1), Checker.Options.DEFAULT);
        CompiledScript compiled = Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount(), 0));
        return new Compiled(compiled, Planner.plan(name, compiled, directives, withSums.summed()));
    }

    /** The script's name (its file name). */
    String name() { return name; }

    /** The families and the maps left out. */
    Planner.Plan plan() { return plan; }

    /** The family readers, for their drop and decode counts. */
    List<FamilyReader> readers() { return readers; }

    /** Probes attached now. */
    int attached() { return session.attachedCount(); }

    /** False once the script called exit() (its maps are still served). */
    boolean running() { return loop.isAlive(); }

    /** The script's programs by probe name (for their kernel run-time statistics). */
    Map<String, KernelProgram> programs() { return session.loadedPrograms(); }

    /** Every family's snapshots now. */
    List<MetricSnapshot> collect() {
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
