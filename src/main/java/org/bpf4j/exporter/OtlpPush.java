package org.bpf4j.exporter;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.GaugeData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.data.SummaryData;
import io.opentelemetry.sdk.metrics.data.SummaryPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pushes what a scrape would read to an OTLP/HTTP collector on an interval, with the OpenTelemetry SDK's exporter
 * (protobuf, the JDK's HttpClient, the SDK's retry policy for 429/502/503/504). Temporality is cumulative from the
 * exporter's start: counters are monotonic sums, gauges gauges, histograms explicit-bucket histograms with
 * bpftrace's bounds, avg()/stats() summaries. A gauge histogram (a histogram the script clears) has no OTLP form
 * and is left out; so is a histogram without a sum.
 */
public final class OtlpPush implements AutoCloseable {
    private final Exporter exporter;
    private final OtlpHttpMetricExporter otlp;
    private final ScheduledExecutorService timer;
    private final Resource resource;
    private final InstrumentationScopeInfo scope = InstrumentationScopeInfo.builder("org.bpf4j.exporter").setVersion("0.1.0").build();
    private final long startNanos = System.currentTimeMillis() * 1_000_000L;

    private OtlpPush(Exporter exporter, URI url) {
        this.exporter = exporter;
        this.otlp = OtlpHttpMetricExporter.builder().setEndpoint(url.toString()).setRetryPolicy(RetryPolicy.getDefault())
                .setTimeout(10, TimeUnit.SECONDS).build();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        this.resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", "bpf4j-exporter").put("host.name", host).build()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("bpf4j-exporter-otlp").daemon().unstarted(r));
    }

    /** Starts pushing {@code exporter}'s metrics to {@code url} every {@code seconds}. */
    public static OtlpPush start(Exporter exporter, URI url, double seconds) {
        OtlpPush p = new OtlpPush(exporter, url);
        long period = Math.max(1, (long) (seconds * 1000));
        p.timer.scheduleAtFixedRate(p::push, period, period, TimeUnit.MILLISECONDS);
        return p;
    }

    private void push() {
        try {
            CompletableResultCode r = otlp.export(convert(exporter.collect("otlp")));
            r.join(30, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            System.err.println("bpf4j exporter: OTLP push failed: " + e.getMessage());
        }
    }

    /** The snapshots as OTLP metric data, cumulative since the exporter started. */
    List<MetricData> convert(MetricSnapshots snapshots) {
        long now = System.currentTimeMillis() * 1_000_000L;
        List<MetricData> out = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            String name = s.getMetadata().getPrometheusName(), help = s.getMetadata().getHelp();
            String unit = s.getMetadata().hasUnit() ? s.getMetadata().getUnit().toString() : "";
            switch (s) {
                case CounterSnapshot c -> {
                    List<DoublePointData> points = new ArrayList<>();
                    for (var p : c.getDataPoints()) points.add(DoublePointData.create(startNanos, now, attributes(p.getLabels()), p.getValue(), List.of()));
                    out.add(ImmutableMetricData.createDoubleSum(resource, scope, name, help, unit,
                            SumData.createDoubleSumData(true, AggregationTemporality.CUMULATIVE, points)));
                }
                case GaugeSnapshot g -> {
                    List<DoublePointData> points = new ArrayList<>();
                    for (var p : g.getDataPoints()) points.add(DoublePointData.create(startNanos, now, attributes(p.getLabels()), p.getValue(), List.of()));
                    out.add(ImmutableMetricData.createDoubleGauge(resource, scope, name, help, unit, GaugeData.createDoubleGaugeData(points)));
                }
                case HistogramSnapshot h when !h.isGaugeHistogram() -> {
                    List<HistogramPointData> points = new ArrayList<>();
                    for (var p : h.getDataPoints()) {
                        if (!p.hasSum() || !p.hasClassicHistogramData()) continue;
                        List<Double> bounds = new ArrayList<>();
                        List<Long> counts = new ArrayList<>();
                        for (ClassicHistogramBucket b : p.getClassicBuckets()) {
                            if (!Double.isInfinite(b.getUpperBound())) bounds.add(b.getUpperBound());
                            counts.add(b.getCount());
                        }
                        points.add(HistogramPointData.create(startNanos, now, attributes(p.getLabels()), p.getSum(), false, 0, false, 0, bounds, counts));
                    }
                    out.add(ImmutableMetricData.createDoubleHistogram(resource, scope, name, help, unit,
                            HistogramData.create(AggregationTemporality.CUMULATIVE, points)));
                }
                case SummarySnapshot su -> {
                    List<SummaryPointData> points = new ArrayList<>();
                    for (var p : su.getDataPoints()) points.add(SummaryPointData.create(startNanos, now, attributes(p.getLabels()), p.getCount(), p.getSum(), List.of()));
                    out.add(ImmutableMetricData.createDoubleSummary(resource, scope, name, help, unit, SummaryData.create(points)));
                }
                default -> { }
            }
        }
        return out;
    }

    private static Attributes attributes(Labels labels) {
        AttributesBuilder b = Attributes.builder();
        for (Label l : labels) b.put(l.getName(), l.getValue());
        return b.build();
    }

    /** Pushes once more, then stops. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        push();
        otlp.shutdown().join(10, TimeUnit.SECONDS);
    }
}
