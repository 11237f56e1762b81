package org.bpf4j.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.bpf4j.UserException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The exporter's HTTP side on the JDK's server: GET /metrics (OpenMetrics when the Accept header asks for it, the
 * text format 0.0.4 otherwise, both written by the Prometheus Java client), GET /maps (every series as JSON),
 * GET /healthz, and GET / (what is loaded and attached). One request at a time: a scrape reads the maps once.
 */
public final class HttpEndpoints implements AutoCloseable {
    private final Exporter exporter;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();

    private HttpEndpoints(Exporter exporter, HttpServer server) {
        this.exporter = exporter;
        this.server = server;
        this.executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("bpf4j-exporter-http").daemon().unstarted(r));
    }

    /** Serves {@code exporter} on {@code host:port} (port 0: one the kernel picks). */
    public static HttpEndpoints serve(Exporter exporter, String host, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new UserException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserException("cannot listen on " + host + ":" + port + ": " + e);
        }
        HttpEndpoints h = new HttpEndpoints(exporter, server);
        server.createContext("/", h::handle);
        server.setExecutor(h.executor);
        server.start();
        return h;
    }

    /** The port served (the one the kernel picked for port 0). */
    public int port() { return server.getAddress().getPort(); }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                send(x, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (x.getRequestURI().getPath()) {
                case "/metrics" -> metrics(x);
                case "/maps" -> send(x, 200, "application/json", (Json.write(maps()) + "\n").getBytes(StandardCharsets.UTF_8));
                case "/healthz" -> healthz(x);
                case "/" -> send(x, 200, "application/json", (Json.write(exporter.status()) + "\n").getBytes(StandardCharsets.UTF_8));
                default -> send(x, 404, "text/plain; charset=utf-8", "not found: try /metrics, /maps, /healthz or /\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            send(x, 500, "text/plain; charset=utf-8", ("error: " + e + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private void metrics(HttpExchange x) throws IOException {
        String accept = x.getRequestHeaders().getFirst("Accept");
        ExpositionFormatWriter w = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 16);
        w.write(body, exporter.collect(w == openMetrics ? "openmetrics" : "text"));
        send(x, 200, w.getContentType(), body.toByteArray());
    }

    private void healthz(HttpExchange x) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Exporter.Failure f : exporter.failures()) problems.add(f.script() + ": not loaded");
        String body = problems.isEmpty() ? "ok\n" : "degraded: " + String.join("; ", problems) + "\n";
        // still 200: the exporter serves what loaded; a probe that restarts it would not load the others better
        send(x, 200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    /** Every series now, by family: labels and values (buckets for a histogram). */
    private List<Object> maps() {
        List<Object> out = new ArrayList<>();
        for (MetricSnapshot s : exporter.collect("json")) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", s.getMetadata().getPrometheusName());
            f.put("type", switch (s) {
                case CounterSnapshot c -> "counter";
                case GaugeSnapshot g -> "gauge";
                case HistogramSnapshot h -> h.isGaugeHistogram() ? "gaugehistogram" : "histogram";
                case SummarySnapshot su -> "summary";
                default -> "unknown";
            });
            f.put("help", s.getMetadata().getHelp());
            List<Object> series = new ArrayList<>();
            for (DataPointSnapshot p : s.getDataPoints()) {
                Map<String, Object> d = new LinkedHashMap<>();
                Map<String, Object> labels = new LinkedHashMap<>();
                for (Label l : p.getLabels()) labels.put(l.getName(), l.getValue());
                d.put("labels", labels);
                switch (p) {
                    case CounterSnapshot.CounterDataPointSnapshot c -> d.put("value", c.getValue());
                    case GaugeSnapshot.GaugeDataPointSnapshot g -> d.put("value", g.getValue());
                    case HistogramSnapshot.HistogramDataPointSnapshot h -> {
                        List<Object> buckets = new ArrayList<>();
                        for (ClassicHistogramBucket b : h.getClassicBuckets()) buckets.add(Map.of("le", b.getUpperBound(), "count", b.getCount()));
                        d.put("buckets", buckets);
                        d.put("count", h.getCount());
                        if (h.hasSum()) d.put("sum", h.getSum());
                    }
                    case SummarySnapshot.SummaryDataPointSnapshot su -> {
                        d.put("count", su.getCount());
                        d.put("sum", su.getSum());
                    }
                    default -> { }
                }
                series.add(d);
            }
            f.put("series", series);
            out.add(f);
        }
        return out;
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
