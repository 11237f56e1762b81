package org.bpf4j.exporter;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Type;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads one {@link Family} from its map at scrape time into Prometheus snapshots. It keeps what must hold across
 * scrapes: the series admitted under the cardinality cap (the first {@code maxSeries} keys seen; later keys are
 * dropped and counted once each), and the highest hist() bucket seen, so bucket sets never shrink.
 */
final class FamilyReader {
    private final Family family;
    private final int maxSeries;
    private final Set<ByteBuffer> admitted = new HashSet<>();
    private final Set<ByteBuffer> dropped = new HashSet<>();
    private int highestBucket = 1;
    private long decodeErrors;

    FamilyReader(Family family, int maxSeries) {
        this.family = family;
        this.maxSeries = maxSeries;
    }

    /** The family read. */
    Family family() { return family; }

    /** Distinct series left out by the cardinality cap so far. */
    long droppedSeries() { return dropped.size(); }

    /** Keys whose labels could not be decoded so far. */
    long decodeErrors() { return decodeErrors; }

    /** The family's snapshots now (a statistic also has its min and max gauges). */
    List<MetricSnapshot> read(Session session) {
        Type.Agg agg = family.agg();
        List<Map.Entry<byte[], byte[]>> entries = session.readMap(family.map());
        if (agg != null && agg.histogram()) return List.of(histogram(session, agg, entries));
        Map<Labels, byte[]> series = new LinkedHashMap<>();
        for (var e : entries) {
            Labels l = labels(session, e.getKey(), userKeySize());
            if (l != null) series.put(l, e.getValue());
        }
        return switch (family.shape()) {
            case COUNTER -> {
                var b = CounterSnapshot.builder().name(family.name()).help(family.help());
                unit(b);
                series.forEach((l, v) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(number(v, 0)).build()));
                yield List.of(b.build());
            }
            case GAUGE, AVERAGE -> {
                var b = GaugeSnapshot.builder().name(family.name()).help(family.help());
                unit(b);
                series.forEach((l, v) -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l)
                        .value(family.shape() == Family.Shape.AVERAGE ? average(v, agg) : number(v, 0)).build()));
                yield List.of(b.build());
            }
            case SUMMARY -> summary(agg, series);
            default -> throw new IllegalStateException(family.shape().name());
        };
    }

    private void unit(MetricSnapshot.Builder<?> b) {
        if (family.unit() != null) b.unit(new Unit(family.unit()));
    }

    private int userKeySize() {
        return family.map().userKey() == null ? 0 : family.map().userKey().size();
    }

    /** Value at {@code off} as the aggregation or plain type reads it, scaled. */
    private double number(byte[] v, int off) {
        Type t = family.map().value();
        boolean signed = t instanceof Type.Int i ? i.signed() : t instanceof Type.Agg a && a.signed();
        long raw = le(v, off);
        if (t instanceof Type.Int i && i.size() < 8) {
            raw = le(v, off, i.size());
            if (signed) raw = (raw << (64 - i.size() * 8)) >> (64 - i.size() * 8);
        }
        double d = signed ? raw : unsigned(raw);
        return scaled(d, family.scale());
    }

    private double average(byte[] v, Type.Agg agg) {
        long count = le(v, 0), total = le(v, 8);
        if (count == 0) return 0;
        return (agg.signed() ? (double) total : unsigned(total)) / unsigned(count) * family.scale();
    }

    private List<MetricSnapshot> summary(Type.Agg agg, Map<Labels, byte[]> series) {
        var b = SummarySnapshot.builder().name(family.name()).help(family.help());
        unit(b);
        series.forEach((l, v) -> b.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(l)
                .count(le(v, 0)).sum(scaled(agg.signed() ? (double) le(v, 8) : unsigned(le(v, 8)), family.scale())).build()));
        if (agg.kind() != Type.AggKind.STATISTIC) return List.of(b.build());
        List<MetricSnapshot> out = new ArrayList<>(List.of(b.build()));
        for (String which : new String[] {"min", "max"}) {
            var g = GaugeSnapshot.builder().name(family.name() + "_" + which).help(family.help() + ", " + which + "imum");
            series.forEach((l, v) -> g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l)
                    .value(scaled(le(v, which.equals("min") ? 16 : 24), family.scale())).build()));
            out.add(g.build());
        }
        return out;
    }

    private MetricSnapshot histogram(Session session, Type.Agg agg, List<Map.Entry<byte[], byte[]>> entries) {
        int userSize = family.map().key().offset(1);
        int keyBytes = userKeySize();
        Map<ByteBuffer, TreeMap<Integer, Long>> groups = new LinkedHashMap<>();
        Map<ByteBuffer, byte[]> keys = new HashMap<>();
        for (var e : entries) {
            ByteBuffer id = ByteBuffer.wrap(Arrays.copyOf(e.getKey(), keyBytes));
            keys.putIfAbsent(id, e.getKey());
            int bucket = (int) le(e.getKey(), userSize);
            groups.computeIfAbsent(id, k -> new TreeMap<>()).merge(bucket, le(e.getValue(), 0), Long::sum);
            if (agg.kind() == Type.AggKind.HIST) highestBucket = Math.max(highestBucket, bucket);
        }
        Map<ByteBuffer, Double> sums = new HashMap<>();
        if (family.sum() != null) {
            boolean signed = family.sum().decl().agg().signed();
            for (var e : session.readMap(family.sum())) {
                long raw = le(e.getValue(), 0);
                sums.put(ByteBuffer.wrap(Arrays.copyOf(e.getKey(), keyBytes)), scaled(signed ? raw : unsigned(raw), family.scale()));
            }
        }
        double[] bounds = bounds(agg);
        var b = HistogramSnapshot.builder().name(family.name()).help(family.help())
                .gaugeHistogram(family.shape() == Family.Shape.GAUGE_HISTOGRAM);
        unit(b);
        for (var g : groups.entrySet()) {
            Labels l = labels(session, keys.get(g.getKey()), keyBytes);
            if (l == null) continue;
            long[] counts = new long[bounds.length];
            for (var c : g.getValue().entrySet()) counts[Math.min(c.getKey(), bounds.length - 1)] += c.getValue();
            var p = HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(l)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
            Double sum = sums.get(g.getKey());
            if (sum != null) p.sum(sum);
            b.dataPoint(p.build());
        }
        return b.build();
    }

    /**
     * The upper bounds (inclusive, as integers are counted) of bucket 0, 1, ... and +Inf last. hist(): bucket 0
     * holds negative values (le -1), 1 holds 0, n holds [2^(n-2), 2^(n-1)-1] (hist(v, k): 2^k buckets per power of
     * two, the first 2^k+1 holding one value each); lhist(min, max, step): bucket 0
     * holds values below min, n holds [min+(n-1)*step, min+n*step-1], the last those from max on.
     */
    double[] bounds(Type.Agg agg) {
        double s = family.scale();
        if (agg.kind() == Type.AggKind.HIST) {
            double[] b = new double[highestBucket + 2];
            int k = (int) agg.step(), n = 1 << k; // hist(v, k): 2^k buckets per power of two; one value each below 2^k
            for (int i = 0; i <= highestBucket; i++)
                b[i] = scaled(i == 0 ? -1 : i < n ? i - 1 : Math.pow(2, (i >> k) - 1) * (n + (i & (n - 1))) - 1, s);
            b[highestBucket + 1] = Double.POSITIVE_INFINITY;
            return b;
        }
        int n = (int) ((agg.max() - agg.min()) / agg.step());
        double[] b = new double[n + 2];
        for (int i = 0; i <= n; i++) b[i] = scaled(agg.min() + (double) i * agg.step() - 1, s);
        b[n + 1] = Double.POSITIVE_INFINITY;
        return b;
    }

    /** {@code v * scale} rounded once from the exact decimal product: 3 x 1e-9 is 3.0E-9, not 3.0000000000000004E-9. */
    static double scaled(double v, double scale) {
        if (scale == 1) return v;
        return new java.math.BigDecimal(v).multiply(new java.math.BigDecimal(Double.toString(scale))).doubleValue();
    }

    /** The labels of {@code key}, or null when the series is over the cap or its key cannot be decoded. */
    private Labels labels(Session session, byte[] key, int keyBytes) {
        ByteBuffer id = ByteBuffer.wrap(Arrays.copyOf(key, keyBytes));
        if (!admitted.contains(id)) {
            if (admitted.size() >= maxSeries) {
                dropped.add(id);
                return null;
            }
            admitted.add(id);
        }
        if (family.labels().isEmpty()) return Labels.EMPTY;
        String[] names = new String[family.labels().size()], values = new String[names.length];
        try {
            for (int i = 0; i < names.length; i++) {
                Family.Label l = family.labels().get(i);
                names[i] = l.name();
                values[i] = labelValue(session, l, key);
            }
        } catch (RuntimeException e) {
            decodeErrors++;
            return null;
        }
        return Labels.of(names, values);
    }

    /** A key part as text; a stack as folded frames (outermost first, joined by ';'), as flame graphs take them. */
    static String labelValue(Session session, Family.Label l, byte[] key) {
        String text = session.keyText(l.type(), key, l.offset());
        if (l.type() instanceof Type.Special s && (s.kind() == Type.SpecialKind.KSTACK || s.kind() == Type.SpecialKind.USTACK)) {
            List<String> frames = new ArrayList<>();
            for (String f : text.split("\n")) if (!f.isBlank()) frames.add(f.strip());
            java.util.Collections.reverse(frames);
            return String.join(";", frames);
        }
        return text;
    }

    static long le(byte[] b, int off) { return le(b, off, 8); }

    static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (off + i < b.length ? b[off + i] & 0xff : 0);
        return v;
    }

    static double unsigned(long v) { return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1); }
}
