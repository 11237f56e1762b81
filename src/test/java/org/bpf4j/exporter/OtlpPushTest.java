package org.bpf4j.exporter;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OTLP/HTTP push against a receiver in the test (127.0.0.1, POST /v1/metrics, protobuf parsed with
 * OpenTelemetry's protocol classes): names, cumulative temporality, monotonic counters that never go back,
 * histogram bounds and bucket counts of the known workload.
 */
@Tag("kernel")
class OtlpPushTest {
    @Test
    void pushesCumulativeMetricsOfTheWorkload() throws Exception {
        Kernel.require();
        BlockingQueue<ExportMetricsServiceRequest> received = new LinkedBlockingQueue<>();
        List<String> contentTypes = new ArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        receiver.setExecutor(pool);
        receiver.createContext("/v1/metrics", x -> {
            try (x) {
                contentTypes.add(x.getRequestHeaders().getFirst("Content-Type"));
                received.add(ExportMetricsServiceRequest.parseFrom(x.getRequestBody().readAllBytes()));
                byte[] ok = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                x.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                x.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
                if (ok.length > 0) x.getResponseBody().write(ok);
            }
        });
        receiver.start();
        try (ExporterTest.Running r = ExporterTest.start(100, "ppid.bt", ExporterTest.SCRIPT); Workload w = new Workload()) {
            URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/metrics");
            try (OtlpPush push = OtlpPush.start(r.exporter(), url, 0.3)) {
                ExportMetricsServiceRequest before = received.poll(20, TimeUnit.SECONDS);
                assertNotNull(before, "no push within 20 s");
                w.run(2, 200);
                ExportMetricsServiceRequest after = null;
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < end; ) {
                    ExportMetricsServiceRequest q = received.poll(1, TimeUnit.SECONDS);
                    if (q != null && counter(q, "ppid_calls").map(p -> p.getAsDouble() == 400).orElse(false)) {
                        after = q;
                        break;
                    }
                }
                assertNotNull(after, "no push with the workload's 400 calls");
                assertEquals("application/x-protobuf", contentTypes.getFirst());
                Metric calls = metric(after, "ppid_calls").orElseThrow();
                assertTrue(calls.getSum().getIsMonotonic());
                assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, calls.getSum().getAggregationTemporality());
                NumberDataPoint p = calls.getSum().getDataPoints(0);
                assertEquals(Workload.COMM, p.getAttributes(0).getValue().getStringValue());
                assertEquals("comm", p.getAttributes(0).getKey());
                // cumulative from the same start: the later push's start time is the earlier one's, its value not less
                double earlier = counter(before, "ppid_calls").map(NumberDataPoint::getAsDouble).orElse(0.0);
                assertTrue(earlier <= 400);
                counter(before, "ppid_calls").ifPresent(b -> assertEquals(b.getStartTimeUnixNano(), p.getStartTimeUnixNano()));
                assertTrue(p.getTimeUnixNano() > p.getStartTimeUnixNano());
                Metric lat = metric(after, "ppid_latency_seconds").orElseThrow();
                assertEquals("seconds", lat.getUnit());
                assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, lat.getHistogram().getAggregationTemporality());
                HistogramDataPoint h = lat.getHistogram().getDataPoints(0);
                assertEquals(400, h.getCount());
                assertEquals(h.getExplicitBoundsCount() + 1, h.getBucketCountsCount());
                assertEquals(400, h.getBucketCountsList().stream().mapToLong(Long::longValue).sum());
                assertEquals(-1e-9, h.getExplicitBounds(0));
                assertEquals(0.0, h.getExplicitBounds(1));
                for (int i = 2; i < h.getExplicitBoundsCount(); i++) assertEquals((Math.pow(2, i - 1) - 1) * 1e-9, h.getExplicitBounds(i), 1e-18);
                assertTrue(h.getSum() > 0);
                // the exporter's own families come along; the skipped map does not
                assertTrue(metric(after, "bpf4j_exporter_programs_attached").isPresent());
                assertFalse(metric(after, "ppid_start").isPresent());
                // every counter in every push is monotonic and cumulative
                for (ExportMetricsServiceRequest q : List.of(before, after))
                    for (var rm : q.getResourceMetricsList())
                        for (var sm : rm.getScopeMetricsList())
                            for (Metric m : sm.getMetricsList())
                                if (m.hasSum()) assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, m.getSum().getAggregationTemporality(), m.getName());
                assertEquals("bpf4j-exporter", after.getResourceMetrics(0).getResource().getAttributesList().stream()
                        .filter(a -> a.getKey().equals("service.name")).findFirst().orElseThrow().getValue().getStringValue());
            }
        } finally {
            receiver.stop(0);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static Optional<Metric> metric(ExportMetricsServiceRequest q, String name) {
        for (var rm : q.getResourceMetricsList())
            for (var sm : rm.getScopeMetricsList())
                for (Metric m : sm.getMetricsList()) if (m.getName().equals(name)) return Optional.of(m);
        return Optional.empty();
    }

    private static Optional<NumberDataPoint> counter(ExportMetricsServiceRequest q, String name) {
        return metric(q, name).filter(m -> m.hasSum() && m.getSum().getDataPointsCount() > 0).map(m -> m.getSum().getDataPoints(0));
    }
}
