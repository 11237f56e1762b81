package org.bpf4j.exporter;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.bpf4j.elf.BpfObjects;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ebpf_exporter's configs under bpf4j exporter, on the real kernel: a clang-built object (our fixture
 * src/test/resources/elf/exporter.bpf.c) with its YAML in ebpf_exporter's format, a known workload, and the
 * families read back with ebpf_exporter's names, decoded labels, exp2 buckets and sum.
 */
@Tag("kernel")
class ObjectMetricsTest {
    static final String YAML = """
            metrics:
              counters:
                - name: syscalls_total
                  help: System calls of the workload by name
                  labels:
                    - name: syscall
                      size: 4
                      padding: 4
                      decoders:
                        - name: uint
                        - name: static_map
                          static_map:
                            110: getppid
                            39: getpid
                - name: cpu_calls_total
                  help: getppid calls of the workload by CPU
                  labels:
                    - name: cpu
                      size: 2
                      decoders:
                        - name: uint
              histograms:
                - name: call_index
                  help: The workload's getppid calls numbered from 1, in exp2 buckets
                  bucket_type: exp2
                  bucket_min: 0
                  bucket_max: 26
                  labels:
                    - name: comm
                      size: 16
                      decoders:
                        - name: string
                    - name: bucket
                      size: 8
                      decoders:
                        - name: uint
            """;

    @Test
    void servesAnObjectAndItsYamlAsEbpfExporterDoes(@TempDir Path dir) throws Exception {
        Kernel.require();
        Files.copy(BpfObjects.object("exporter"), dir.resolve("workload.bpf.o"));
        Files.writeString(dir.resolve("workload.yaml"), YAML);
        int n = 1000;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Exporter e = Exporter.start(new Exporter.Options(List.of(), List.of(dir.resolve("workload.yaml")), 100), new PrintStream(log, true));
             Workload w = new Workload()) {
            assertTrue(e.failures().isEmpty(), log.toString());
            assertEquals(2, e.sources().getFirst().attached());
            w.run(1, n);
            Map<String, MetricSnapshot> byName = new HashMap<>();
            for (MetricSnapshot s : e.collect("test")) byName.put(s.getMetadata().getPrometheusName(), s);

            CounterSnapshot calls = (CounterSnapshot) byName.get("ebpf_exporter_syscalls");
            Map<String, Double> bySyscall = new HashMap<>();
            for (var p : calls.getDataPoints()) bySyscall.put(p.getLabels().get("syscall"), p.getValue());
            assertEquals(n, bySyscall.get("getppid"), bySyscall.toString());
            // python's other system calls are there too, numbers the static map does not name
            assertTrue(bySyscall.keySet().stream().anyMatch(k -> k.matches("unknown:\\d+")), bySyscall.toString());

            CounterSnapshot perCpu = (CounterSnapshot) byName.get("ebpf_exporter_cpu_calls");
            double total = 0;
            for (var p : perCpu.getDataPoints()) {
                assertTrue(p.getLabels().get("cpu").matches("\\d+"));
                total += p.getValue();
            }
            assertEquals(n, total);

            HistogramSnapshot h = (HistogramSnapshot) byName.get("ebpf_exporter_call_index");
            assertEquals(1, h.getDataPoints().size());
            var p = h.getDataPoints().getFirst();
            assertEquals(Workload.COMM, p.getLabels().get("comm"));
            assertEquals((double) n * (n + 1) / 2, p.getSum());
            assertEquals(n, p.getCount());
            long cumulative = 0;
            int k = 0;
            for (ClassicHistogramBucket b : p.getClassicBuckets()) {
                cumulative += b.getCount();
                if (Double.isInfinite(b.getUpperBound())) break;
                assertEquals(Math.pow(2, k), b.getUpperBound());
                assertEquals(Math.min(n, 1L << k), cumulative, "le=" + b.getUpperBound());
                k++;
            }
            assertEquals(27, k);

            // ebpf_exporter's own families: the config, its two programs, both attached
            var info = (io.prometheus.metrics.model.snapshots.GaugeSnapshot) byName.get("ebpf_exporter_ebpf_program_info");
            assertEquals(List.of("on_enter", "on_getppid"), info.getDataPoints().stream().map(d -> d.getLabels().get("program")).sorted().toList());
            var attached = (io.prometheus.metrics.model.snapshots.GaugeSnapshot) byName.get("ebpf_exporter_ebpf_program_attached");
            assertEquals(List.of(1.0, 1.0), attached.getDataPoints().stream().map(d -> d.getValue()).toList());
            assertEquals("workload", ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) byName.get("ebpf_exporter_enabled_configs"))
                    .getDataPoints().getFirst().getLabels().get("name"));

            // the text Prometheus scrapes: ebpf_exporter's names
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new OpenMetricsTextFormatWriter(false, false).write(out, new MetricSnapshots(List.copyOf(byName.values())));
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("ebpf_exporter_syscalls_total{syscall=\"getppid\"} " + n + ".0"), text);
            assertTrue(text.contains("ebpf_exporter_call_index_bucket{comm=\"ppidload\",le=\"1024.0\"} " + n), text);
        }
    }

    /** With kernel.bpf_stats_enabled=1 the kernel counts each program's runs and time; the exporter serves them. */
    @Test
    void servesTheKernelsRunStatisticsPerProgram(@TempDir Path dir) throws Exception {
        Kernel.require();
        Path sysctl = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String before = Files.readString(sysctl).strip();
        Files.copy(BpfObjects.object("exporter"), dir.resolve("workload.bpf.o"));
        Files.writeString(dir.resolve("workload.yaml"), YAML);
        int n = 500;
        try (Exporter e = Exporter.start(new Exporter.Options(List.of(), List.of(dir.resolve("workload.yaml")), 100), System.err);
             Workload w = new Workload()) {
            Files.writeString(sysctl, "1");
            w.run(1, n);
            Map<String, MetricSnapshot> byName = new HashMap<>();
            for (MetricSnapshot s : e.collect("test")) byName.put(s.getMetadata().getPrometheusName(), s);
            CounterSnapshot runs = (CounterSnapshot) byName.get("bpf4j_exporter_program_runs");
            CounterSnapshot time = (CounterSnapshot) byName.get("bpf4j_exporter_program_run_time_seconds");
            assertNotNull(runs, byName.keySet().toString());
            Map<String, Double> runsByProbe = new HashMap<>(), timeByProbe = new HashMap<>();
            runs.getDataPoints().forEach(p -> runsByProbe.put(p.getLabels().get("probe"), p.getValue()));
            time.getDataPoints().forEach(p -> timeByProbe.put(p.getLabels().get("probe"), p.getValue()));
            // every getppid(2) on the machine runs the program (it filters by comm inside); ours are n of them
            assertTrue(runsByProbe.get("on_getppid") >= n, runsByProbe.toString());
            assertTrue(runsByProbe.get("on_enter") > runsByProbe.get("on_getppid"), runsByProbe.toString());
            assertTrue(timeByProbe.get("on_getppid") > 0, timeByProbe.toString());
        } finally {
            Files.writeString(sysctl, before);
        }
    }

    @Test
    void aConfigThatDoesNotFitItsObjectIsReportedAndNothingIsLeft(@TempDir Path dir) throws Exception {
        Kernel.require();
        Files.copy(BpfObjects.object("exporter"), dir.resolve("bad.bpf.o"));
        Files.writeString(dir.resolve("bad.yaml"), """
                metrics:
                  counters:
                    - name: no_such_map_total
                      help: x
                """);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Exporter e = Exporter.start(new Exporter.Options(List.of(), List.of(dir.resolve("bad.yaml"), dir.resolve("missing.yaml")), 100),
                new PrintStream(log, true))) {
            assertTrue(e.sources().isEmpty());
            assertEquals(List.of("bad", "missing"), e.failures().stream().map(Exporter.Failure::script).toList());
            assertEquals("config 'bad': bad.bpf.o has no map \"no_such_map_total\"", e.failures().get(0).message());
            assertEquals("config 'missing': no file " + dir.resolve("missing.yaml"), e.failures().get(1).message());
        }
    }
}
