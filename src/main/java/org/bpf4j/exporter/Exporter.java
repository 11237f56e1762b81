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
    /**
     * How to run: the scripts' files, ebpf_exporter's configs ({@code DIR/NAME.yaml}, each beside its
     * {@code NAME.bpf.o}), the cardinality cap per family.
     */
    public record Options(List<Path> scripts, List<Path> configs, int maxSeries) {
        /** Scripts only. */
        public Options(List<Path> scripts, int maxSeries) { this(scripts, List.of(), maxSeries); }
    }

    /** A script or config that failed to load, and the message saying why. */
    record Failure(String script, String message) {}

    private static final Path BPF_STATS = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    private final List<MetricSource> sources = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Map<String, Long> collections = new java.util.TreeMap<>();
    private double lastScrapeSeconds;

    private Exporter() {}

    /** Loads and attaches every script and config; those that fail are reported on {@code log} and left out. */
    public static Exporter start(Options options, PrintStream log) {
        Exporter e = new Exporter();
        Set<String> names = new HashSet<>();
        for (Path file : options.scripts()) {
            String name = file.getFileName().toString();
            e.add(log, names, name, () -> {
                String text;
                try {
                    text = Files.readString(file);
                } catch (IOException x) {
                    throw new UserException("failed to open file '" + file + "': " + (x instanceof java.nio.file.NoSuchFileException
                            ? "No such file or directory" : x.getMessage()));
                }
                return ScriptMetrics.start(name, new Source(file.toString(), text), options.maxSeries(), log);
            });
        }
        for (Path yaml : options.configs()) {
            String name = yaml.getFileName().toString().replaceFirst("\\.yaml$", "");
            e.add(log, names, name, () -> ObjectMetrics.start(ObjectConfig.read(yaml), options.maxSeries()));
        }
        return e;
    }

    private void add(PrintStream log, Set<String> names, String name, java.util.function.Supplier<MetricSource> load) {
        try {
            MetricSource s = load.get();
            List<String> clash = new ArrayList<>();
            for (String f : s.familyNames()) if (!names.add(f)) clash.add(f);
            if (!clash.isEmpty()) {
                s.close();
                throw new UserException(name + ": metric " + String.join(", ", clash) + " is already served by another script or config (name it with a directive)");
            }
            sources.add(s);
        } catch (SourceError x) {
            fail(log, name, x.render());
        } catch (RuntimeException x) {
            // a user error, a kernel refusal (BpfException, VerifierException, NotSupportedException): reported, not fatal
            fail(log, name, x.getMessage() == null ? x.toString() : x.getMessage());
        }
    }

    private void fail(PrintStream log, String script, String message) {
        failures.add(new Failure(script, message));
        log.println("bpf4j exporter: " + script + " not loaded: " + message);
        log.flush();
    }

    /** The scripts and configs serving metrics. */
    List<MetricSource> sources() { return sources; }

    /** The scripts that failed to load. */
    List<Failure> failures() { return failures; }

    /**
     * Every family now: the scripts' maps, then the exporter's own; {@code format} (openmetrics, text, json, otlp)
     * is counted in {@code bpf4j_exporter_scrapes_total}, which tells an operator what the scrapers ask for.
     */
    public synchronized MetricSnapshots collect(String format) {
        long start = System.nanoTime();
        List<MetricSnapshot> out = new ArrayList<>();
        for (MetricSource s : sources) out.addAll(s.collect());
        out.addAll(self());
        collections.merge(format, 1L, Long::sum);
        lastScrapeSeconds = (System.nanoTime() - start) / 1e9;
        return new MetricSnapshots(out);
    }

    private List<MetricSnapshot> self() {
        List<MetricSnapshot> out = new ArrayList<>();
        var up = GaugeSnapshot.builder().name("bpf4j_exporter_script_up").help("1 for a script loaded and attached, 0 for one that failed to load");
        var attached = GaugeSnapshot.builder().name("bpf4j_exporter_programs_attached").help("Probes of the script attached now");
        var decode = CounterSnapshot.builder().name("bpf4j_exporter_decode_errors").help("Map keys whose labels could not be decoded");
        for (MetricSource s : sources) {
            Labels l = Labels.of("script", s.name());
            up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(1).build());
            attached.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(s.attached()).build());
            decode.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(s.decodeErrors()).build());
        }
        for (Failure f : failures) up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("script", f.script())).value(0).build());
        out.add(up.build());
        out.add(attached.build());
        out.add(decode.build());
        var dropped = CounterSnapshot.builder().name("bpf4j_exporter_dropped_series")
                .help("Distinct series left out of a family by the cardinality cap (--max-series)");
        for (MetricSource s : sources)
            s.droppedSeries().forEach((family, n) -> dropped.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of("family", family)).value(n).build()));
        out.add(dropped.build());
        if (bpfStatsEnabled()) {
            var time = CounterSnapshot.builder().name("bpf4j_exporter_program_run_time_seconds").unit(Unit.SECONDS)
                    .help("Time the kernel spent running the probe's program (kernel.bpf_stats_enabled=1)");
            var runs = CounterSnapshot.builder().name("bpf4j_exporter_program_runs")
                    .help("Runs of the probe's program (kernel.bpf_stats_enabled=1)");
            for (MetricSource s : sources) {
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
        out.addAll(ebpfExporterFamilies());
        var scrapes = CounterSnapshot.builder().name("bpf4j_exporter_scrapes")
                .help("Collections of the metrics before this one, by format (openmetrics, text, json for /maps, otlp)");
        collections.forEach((f, n) -> scrapes.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("format", f)).value(n).build()));
        out.add(scrapes.build());
        out.add(GaugeSnapshot.builder().name("bpf4j_exporter_scrape_duration_seconds").unit(Unit.SECONDS)
                .help("How long the previous collection of the metrics took")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(lastScrapeSeconds).build()).build());
        return out;
    }

    /**
     * ebpf_exporter's own families, for the configs, so its dashboards and alerts keep working:
     * {@code ebpf_exporter_enabled_configs{name}}, {@code ebpf_exporter_ebpf_program_info{config,program,tag,id}}
     * and {@code ebpf_exporter_ebpf_program_attached{id}}.
     */
    private List<MetricSnapshot> ebpfExporterFamilies() {
        List<ObjectMetrics> configs = sources.stream().filter(s -> s instanceof ObjectMetrics).map(s -> (ObjectMetrics) s).toList();
        if (configs.isEmpty()) return List.of();
        var enabled = GaugeSnapshot.builder().name(ObjectMetrics.NAMESPACE + "enabled_configs").help("The set of enabled configs");
        var info = GaugeSnapshot.builder().name(ObjectMetrics.NAMESPACE + "ebpf_program_info").help("Info about ebpf programs");
        var attached = GaugeSnapshot.builder().name(ObjectMetrics.NAMESPACE + "ebpf_program_attached").help("Whether a program is attached");
        for (ObjectMetrics c : configs) {
            enabled.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("name", c.name())).value(1).build());
            for (Map.Entry<String, KernelProgram> p : c.programs().entrySet()) {
                ProgramInfo i = p.getValue().info();
                String id = Integer.toString(i.id());
                info.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("config", c.name(), "id", id, "program", p.getKey(), "tag", i.tag())).value(1).build());
                attached.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("id", id))
                        .value(c.isAttached(p.getKey()) ? 1 : 0).build());
            }
        }
        return List.of(enabled.build(), info.build(), attached.build());
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
        for (MetricSource s : sources) m.put(s.name(), s.status());
        for (Failure f : failures) m.put(f.script(), Map.of("failed", f.message()));
        return m;
    }

    /** Stops every script's event thread and detaches and releases everything, once. */
    @Override
    public synchronized void close() {
        for (int i = sources.size() - 1; i >= 0; i--) {
            try { sources.get(i).close(); } catch (RuntimeException ignored) { /* keep closing */ }
        }
        sources.clear();
    }
}
