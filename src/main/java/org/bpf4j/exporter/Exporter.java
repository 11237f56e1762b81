package org.bpf4j.exporter;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import org.bpf4j.UserException;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramInfo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exporter: scripts serving metrics ({@link ScriptMetrics}), the scripts that failed to load (reported, the
 * others keep serving), and the exporter's own families. {@link #collect(String)} is what a scrape or an OTLP push
 * reads; one at a time. Closing detaches every script.
 */
public final class Exporter implements AutoCloseable {
    /** How to run: the scripts' files, the cardinality cap per family. */
    public record Options(List<Path> scripts, int maxSeries) {}

    /** A script that failed to load, and the message saying why. */
    record Failure(String script, String message) {}

    private static final Path BPF_STATS = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    private final List<ScriptMetrics> scripts = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Map<String, Long> collections = new java.util.TreeMap<>();
    private double lastScrapeSeconds;

    private Exporter() {}

    /** Loads and attaches every script; those that fail are reported on {@code log} and left out. */
    public static Exporter start(Options options, PrintStream log) {
        Exporter e = new Exporter();
        Set<String> names = new HashSet<>();
        for (Path file : options.scripts()) {
            String name = file.getFileName().toString();
            try {
                String text;
                try {
                    text = Files.readString(file);
                } catch (IOException x) {
                    throw new UserException("failed to open file '" + file + "': " + (x instanceof java.nio.file.NoSuchFileException
                            ? "No such file or directory" : x.getMessage()));
                }
                ScriptMetrics s = ScriptMetrics.start(name, new Source(file.toString(), text), options.maxSeries(), log);
                List<String> clash = new ArrayList<>();
                for (Family f : s.plan().families()) if (!names.add(f.name())) clash.add(f.name());
                if (!clash.isEmpty()) {
                    s.close();
                    throw new UserException(name + ": metric " + String.join(", ", clash) + " is already served by another script (name it with a directive)");
                }
                e.scripts.add(s);
            } catch (SourceError x) {
                e.fail(log, name, x.render());
            } catch (RuntimeException x) {
                // a user error, a kernel refusal (BpfException, VerifierException, NotSupportedException): reported, not fatal
                e.fail(log, name, x.getMessage() == null ? x.toString() : x.getMessage());
            }
        }
        return e;
    }

    private void fail(PrintStream log, String script, String message) {
        failures.add(new Failure(script, message));
        log.println("bpf4j exporter: " + script + " not loaded: " + message);
        log.flush();
    }

    /** The scripts serving metrics. */
    List<ScriptMetrics> scripts() { return scripts; }

    /** The scripts that failed to load. */
    List<Failure> failures() { return failures; }

    /**
     * Every family now: the scripts' maps, then the exporter's own; {@code format} (openmetrics, text, json, otlp)
     * is counted in {@code bpf4j_exporter_scrapes_total}, which tells an operator what the scrapers ask for.
     */
    public synchronized MetricSnapshots collect(String format) {
        long start = System.nanoTime();
        List<MetricSnapshot> out = new ArrayList<>();
        long[] decodeErrors = new long[scripts.size()];
        for (int i = 0; i < scripts.size(); i++) {
            out.addAll(scripts.get(i).collect());
            for (FamilyReader r : scripts.get(i).readers()) decodeErrors[i] += r.decodeErrors();
        }
        out.addAll(self(decodeErrors));
        collections.merge(format, 1L, Long::sum);
        lastScrapeSeconds = (System.nanoTime() - start) / 1e9;
        return new MetricSnapshots(out);
    }

    private List<MetricSnapshot> self(long[] decodeErrors) {
        List<MetricSnapshot> out = new ArrayList<>();
        var up = GaugeSnapshot.builder().name("bpf4j_exporter_script_up").help("1 for a script loaded and attached, 0 for one that failed to load");
        var attached = GaugeSnapshot.builder().name("bpf4j_exporter_programs_attached").help("Probes of the script attached now");
        var decode = CounterSnapshot.builder().name("bpf4j_exporter_decode_errors").help("Map keys whose labels could not be decoded");
        for (int i = 0; i < scripts.size(); i++) {
            Labels l = Labels.of("script", scripts.get(i).name());
            up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(1).build());
            attached.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(scripts.get(i).attached()).build());
            decode.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(decodeErrors[i]).build());
        }
        for (Failure f : failures) up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("script", f.script())).value(0).build());
        out.add(up.build());
        out.add(attached.build());
        out.add(decode.build());
        var dropped = CounterSnapshot.builder().name("bpf4j_exporter_dropped_series")
                .help("Distinct series left out of a family by the cardinality cap (--max-series)");
        for (ScriptMetrics s : scripts)
            for (FamilyReader r : s.readers())
                dropped.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("family", r.family().name()))
                        .value(r.droppedSeries()).build());
        out.add(dropped.build());
        if (bpfStatsEnabled()) {
            var time = CounterSnapshot.builder().name("bpf4j_exporter_program_run_time_seconds").unit(Unit.SECONDS)
                    .help("Time the kernel spent running the probe's program (kernel.bpf_stats_enabled=1)");
            var runs = CounterSnapshot.builder().name("bpf4j_exporter_program_runs")
                    .help("Runs of the probe's program (kernel.bpf_stats_enabled=1)");
            for (ScriptMetrics s : scripts) {
                for (Map.Entry<String, KernelProgram> p : s.programs().entrySet()) {
                    ProgramInfo info = p.getValue().info();
                    Labels l = Labels.of("script", s.name(), "probe", p.getKey());
                    time.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(info.runTimeNs() / 1e9).build());
                    runs.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(info.runCount()).build());
                }
            }
            out.add(time.build());
            out.add(runs.build());
        }
        var scrapes = CounterSnapshot.builder().name("bpf4j_exporter_scrapes")
                .help("Collections of the metrics before this one, by format (openmetrics, text, json for /maps, otlp)");
        collections.forEach((f, n) -> scrapes.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("format", f)).value(n).build()));
        out.add(scrapes.build());
        out.add(GaugeSnapshot.builder().name("bpf4j_exporter_scrape_duration_seconds").unit(Unit.SECONDS)
                .help("How long the previous collection of the metrics took")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(lastScrapeSeconds).build()).build());
        return out;
    }

    private static boolean bpfStatsEnabled() {
        try {
            return Files.readString(BPF_STATS).strip().equals("1");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** What is loaded and attached, for GET /: each script's probes and families, the maps left out, the failures. */
    synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ScriptMetrics s : scripts) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("attached", s.attached());
            d.put("running", s.running());
            d.put("probes", List.copyOf(s.programs().keySet()));
            List<String> families = new ArrayList<>();
            for (Family f : s.plan().families())
                families.add(f.map().decl().name() + " -> " + f.name() + " (" + f.shape().name().toLowerCase(java.util.Locale.ROOT)
                        + (f.labels().isEmpty() ? "" : "; labels " + String.join(", ", f.labels().stream().map(Family.Label::name).toList())) + ")");
            d.put("families", families);
            List<String> skipped = new ArrayList<>();
            for (Planner.Skipped k : s.plan().skipped()) skipped.add(k.map() + ": " + k.reason());
            d.put("skipped", skipped);
            m.put(s.name(), d);
        }
        for (Failure f : failures) m.put(f.script(), Map.of("failed", f.message()));
        return m;
    }

    /** Stops every script's event thread and detaches and releases everything, once. */
    @Override
    public synchronized void close() {
        for (int i = scripts.size() - 1; i >= 0; i--) {
            try { scripts.get(i).close(); } catch (RuntimeException ignored) { /* keep closing */ }
        }
        scripts.clear();
    }
}
