package org.bpf4j.exporter;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exporter against the kernel: a script counting a known getppid(2) workload and timing it in a histogram,
 * read back over HTTP in both text formats, linted by promtool.
 */
@Tag("kernel")
class ExporterTest {
    /** The test script: a counter, a histogram with a unit and scale, a per-pid counter for the cap, scratch state skipped. */
    static final String SCRIPT = """
            // exporter: @calls name=ppid_calls help="getppid calls of the workload"
            // exporter: @lat name=ppid_latency unit=seconds scale=1e-9 help="getppid latency"
            // exporter: @per_pid name=ppid_per_pid
            // exporter: @start skip
            tracepoint:syscalls:sys_enter_getppid /comm == "%1$s"/ { @calls[comm] = count(); @per_pid[pid] = count(); @start[tid] = nsecs; }
            tracepoint:syscalls:sys_exit_getppid /@start[tid]/ { @lat = hist(nsecs - @start[tid]); @lin = lhist(nsecs - @start[tid], 0, 100000, 10000); delete(@start[tid]); }
            """.formatted(Workload.COMM);


    /** An exporter serving on 127.0.0.1 with its HTTP side; closing stops both. */
    record Running(Exporter exporter, HttpEndpoints http, Path dir) implements AutoCloseable {
        String url(String path) { return "http://127.0.0.1:" + http.port() + path; }

        @Override
        public void close() throws IOException {
            http.close();
            exporter.close();
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    /** Starts an exporter with the scripts given as file name and text. */
    static Running start(int maxSeries, String... nameAndText) throws IOException {
        Path dir = Files.createTempDirectory("bpf4j-exporter-test");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            Path f = dir.resolve(nameAndText[i]);
            Files.writeString(f, nameAndText[i + 1]);
            files.add(f);
        }
        Exporter e = Exporter.start(new Exporter.Options(files, maxSeries), System.err);
        try {
            return new Running(e, HttpEndpoints.serve(e, "127.0.0.1", 0), dir);
        } catch (RuntimeException x) {
            e.close();
            throw x;
        }
    }

    /** GET {@code url} (with {@code accept}, when not null) on a client of its own: its selector is closed after. */
    static HttpResponse<String> get(String url, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (accept != null) b.header("Accept", accept);
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

    /** The samples of a text exposition: "name{labels}" to value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher x = SAMPLE.matcher(line);
            if (x.matches()) m.put(x.group(1), x.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(x.group(2)));
        }
        return m;
    }

    @Test
    void metricsMatchTheWorkloadInBothFormats() throws Exception {
        Kernel.require();
        try (Running r = start(3, "ppid.bt", SCRIPT); Workload w = new Workload()) {
            assertTrue(r.exporter().failures().isEmpty(), () -> r.exporter().failures().toString());
            w.run(4, 250);
            HttpResponse<String> text = get(r.url("/metrics"), null);
            assertEquals(200, text.statusCode());
            assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), text.headers().toString());
            Map<String, Double> s = samples(text.body());
            assertEquals(1000.0, s.get("ppid_calls_total{comm=\"" + Workload.COMM + "\"}"), text.body());
            // the histogram: every call once, exact log2 bounds in seconds, cumulative counts, a real sum
            assertEquals(1000.0, s.get("ppid_latency_seconds_count"), text.body());
            double sum = s.get("ppid_latency_seconds_sum");
            assertTrue(sum > 0 && sum < 10, "sum " + sum);
            List<Double> bounds = new ArrayList<>();
            double previous = 0;
            for (var e : s.entrySet()) {
                Matcher m = Pattern.compile("ppid_latency_seconds_bucket\\{le=\"([^\"]+)\"}").matcher(e.getKey());
                if (!m.matches()) continue;
                bounds.add(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)));
                assertTrue(e.getValue() >= previous, "bucket counts cumulative: " + e.getKey());
                previous = e.getValue();
            }
            assertEquals(1000.0, previous, "+Inf bucket");
            assertEquals(-1e-9, bounds.get(0));
            assertEquals(0.0, bounds.get(1));
            for (int i = 2; i < bounds.size() - 1; i++) assertEquals((Math.pow(2, i - 1) - 1) * 1e-9, bounds.get(i), 1e-18, "le of bucket " + i);
            assertEquals(Double.POSITIVE_INFINITY, bounds.getLast());
            // the sum is the sum of the values: it lies within the bucket bounds' range
            assertTrue(sum >= 0 && sum <= 1000 * bounds.get(bounds.size() - 2), "sum within buckets");
            // lhist: every linear bucket, the overflow one +Inf, no unit (no directive)
            assertEquals(1000.0, s.get("ppid_lin_count"));
            assertEquals(0.0, s.get("ppid_lin_bucket{le=\"-1.0\"}"));
            assertTrue(s.containsKey("ppid_lin_bucket{le=\"9999.0\"}") && s.containsKey("ppid_lin_bucket{le=\"99999.0\"}"), text.body());
            // four pids, a cap of three: three series, one dropped
            long perPid = s.keySet().stream().filter(k -> k.startsWith("ppid_per_pid_total{")).count();
            assertEquals(3, perPid, text.body());
            assertEquals(1.0, s.get("bpf4j_exporter_dropped_series_total{family=\"ppid_per_pid\"}"));
            assertEquals(2.0, s.get("bpf4j_exporter_programs_attached{script=\"ppid.bt\"}"));
            assertTrue(!text.body().contains("ppid_start"), "@start is skipped by its directive");
            // OpenMetrics when asked for, the same values
            HttpResponse<String> om = get(r.url("/metrics"), "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"), om.headers().toString());
            assertTrue(om.body().endsWith("# EOF\n"), om.body());
            assertTrue(om.body().contains("# UNIT ppid_latency_seconds seconds"), om.body());
            assertEquals(1000.0, samples(om.body()).get("ppid_calls_total{comm=\"" + Workload.COMM + "\"}"));
            // promtool lints the text format
            Kernel.unless(Files.isExecutable(Path.of("/usr/bin/promtool")) ? null : "no promtool (Debian's prometheus package)");
            Process lint = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
            lint.getOutputStream().write(text.body().getBytes(StandardCharsets.UTF_8));
            lint.getOutputStream().close();
            String lintOut = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(lint.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, lint.exitValue(), "promtool check metrics: " + lintOut);
            // the other endpoints
            HttpResponse<String> maps = get(r.url("/maps"), null);
            assertTrue(maps.body().contains("\"name\": \"ppid_calls\", \"type\": \"counter\"") && maps.body().contains("\"value\": 1000"), maps.body());
            assertEquals("ok\n", get(r.url("/healthz"), null).body());
            String root = get(r.url("/"), null).body();
            assertTrue(root.contains("\"attached\": 2") && root.contains("@start: skipped by its directive")
                    && root.contains("@calls -> ppid_calls (counter; labels comm)"), root);
            assertEquals(404, get(r.url("/nothing"), null).statusCode());
        }
    }

    @Test
    void aScriptThatFailsToLoadIsReportedAndTheOthersServe() throws Exception {
        Kernel.require();
        try (Running r = start(100, "bad.bt", "tracepoint:syscalls:sys_enter_getppid { @x = count(; }\n", "ppid.bt", SCRIPT);
             Workload w = new Workload()) {
            assertEquals(1, r.exporter().failures().size());
            assertTrue(r.exporter().failures().getFirst().message().contains("bad.bt:1:"), r.exporter().failures().toString());
            w.run(1, 10);
            Map<String, Double> s = samples(get(r.url("/metrics"), null).body());
            assertEquals(0.0, s.get("bpf4j_exporter_script_up{script=\"bad.bt\"}"));
            assertEquals(1.0, s.get("bpf4j_exporter_script_up{script=\"ppid.bt\"}"));
            assertEquals(10.0, s.get("ppid_calls_total{comm=\"" + Workload.COMM + "\"}"));
            assertTrue(get(r.url("/healthz"), null).body().startsWith("degraded: bad.bt"));
        }
    }
}
