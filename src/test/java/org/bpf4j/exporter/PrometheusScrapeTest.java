package org.bpf4j.exporter;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's Prometheus server scraping the exporter every second on 127.0.0.1: the target comes up, the counter
 * holds the workload's count, histogram_quantile() over the exported buckets is a number, and the scrapes were
 * OpenMetrics. Both processes are stopped by pid; the server's data directory is removed.
 */
@Tag("kernel")
class PrometheusScrapeTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @Test
    void prometheusScrapesTheWorkload() throws Exception {
        Kernel.require();
        Kernel.unless(Files.isExecutable(PROMETHEUS) ? null : "no /usr/bin/prometheus (Debian's prometheus package; ./test installs it)");
        Path dir = Files.createTempDirectory("bpf4j-prometheus");
        Process server = null;
        try (ExporterTest.Running r = ExporterTest.start(100, "ppid.bt", ExporterTest.SCRIPT); Workload w = new Workload()) {
            w.run(2, 300);
            int port = freePort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 900ms
                    scrape_configs:
                      - job_name: bpf4j
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(r.http().port()));
            server = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
            Process s = server;
            // the target is up, then the count arrives
            awaitValue(api, "up{job=\"bpf4j\"}", v -> v == 1, s, dir);
            double calls = awaitValue(api, "ppid_calls_total{comm=\"" + Workload.COMM + "\"}", v -> v == 600, s, dir);
            assertEquals(600, calls);
            assertEquals(600, awaitValue(api, "ppid_latency_seconds_count", v -> v == 600, s, dir));
            double median = awaitValue(api, "histogram_quantile(0.5, ppid_latency_seconds_bucket)", v -> !Double.isNaN(v), s, dir);
            assertTrue(median >= 0 && median < 1, "median getppid latency " + median + " s");
            // the exporter counted how it was scraped: OpenMetrics, as Prometheus asks for it, never the old text format
            double om = awaitValue(api, "bpf4j_exporter_scrapes_total{format=\"openmetrics\"}", v -> v >= 1, s, dir);
            assertTrue(om >= 1);
            assertEquals("[]", query(api, "bpf4j_exporter_scrapes_total{format=\"text\"}").replaceAll(".*\"result\":(\\[[^]]*]).*", "$1"));
        } finally {
            if (server != null) {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                    server.waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String query(String api, String promql) throws Exception {
        var response = ExporterTest.get(api + URLEncoder.encode(promql, StandardCharsets.UTF_8), null);
        return response.body();
    }

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"]");

    /** Polls {@code promql} until its one value satisfies {@code ok} (30 s at most); returns it. */
    private static double awaitValue(String api, String promql, DoublePredicate ok, Process server, Path dir) throws Exception {
        String last = "";
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end; ) {
            if (!server.isAlive()) fail("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            try {
                last = query(api, promql);
                Matcher m = VALUE.matcher(last);
                if (m.find()) {
                    double v = Double.parseDouble(m.group(1));
                    if (ok.test(v)) return v;
                }
            } catch (java.io.IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(250);
        }
        fail("no satisfying value for " + promql + ": " + last);
        return Double.NaN;
    }
}
