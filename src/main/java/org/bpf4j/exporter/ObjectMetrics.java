package org.bpf4j.exporter;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.bpf4j.UserException;
import org.bpf4j.elf.Collection;
import org.bpf4j.elf.CollectionSpec;
import org.bpf4j.elf.ObjectFile;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One of ebpf_exporter's configs served: its clang-built object loaded with bpf4j's ELF loader, every program
 * whose section names an attach point attached (libbpf's auto-attach), and at scrape time each configured map
 * read, its keys decoded into labels as ebpf_exporter decodes them, served under ebpf_exporter's names
 * ({@code ebpf_exporter_NAME}) so that dashboards keep working after switching binaries.
 */
final class ObjectMetrics implements MetricSource {
    /** ebpf_exporter's namespace, the prefix of every family it serves. */
    static final String NAMESPACE = "ebpf_exporter_";

    private final ObjectConfig config;
    private final Collection collection;
    private final Set<String> attachedPrograms;
    private final int maxSeries;
    private final KeyDecoder.Context context = new KeyDecoder.Context();
    private final Map<String, Set<List<String>>> admitted = new LinkedHashMap<>();
    private final Map<String, Set<List<String>>> dropped = new LinkedHashMap<>();
    private long decodeErrors;

    private ObjectMetrics(ObjectConfig config, Collection collection, Set<String> attachedPrograms, int maxSeries) {
        this.config = config;
        this.collection = collection;
        this.attachedPrograms = attachedPrograms;
        this.maxSeries = maxSeries;
    }

    /** Loads {@code config}'s object, checks its maps and attaches its programs; a failure leaves nothing loaded. */
    static ObjectMetrics start(ObjectConfig config, int maxSeries) {
        if (!Files.isRegularFile(config.object()))
            throw new UserException("config '" + config.name() + "': no BPF object " + config.object());
        CollectionSpec spec = ObjectFile.read(config.object());
        Collection c = Collection.load(spec);
        try {
            List<String> maps = new ArrayList<>();
            config.counters().forEach(m -> maps.add(m.name()));
            config.histograms().forEach(m -> maps.add(m.name()));
            for (String name : maps) {
                KernelMap m = c.maps().get(name);
                if (m == null) throw new UserException("config '" + config.name() + "': " + config.object().getFileName() + " has no map \"" + name + "\"");
                if (m.spec().valueSize() != 8)
                    throw new UserException("config '" + config.name() + "': value size for map \"" + name + "\" is not expected 8 bytes (u64), it is "
                            + m.spec().valueSize() + " bytes");
            }
            c.attachAll();
            Set<String> attached = new java.util.TreeSet<>(c.attachedPrograms());
            return new ObjectMetrics(config, c, Set.copyOf(attached), maxSeries);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override public String name() { return config.name(); }

    @Override
    public List<String> familyNames() {
        List<String> out = new ArrayList<>();
        for (ObjectConfig.Counter c : config.counters()) out.add(counterName(c.name()));
        for (ObjectConfig.Histogram h : config.histograms()) out.add(NAMESPACE + h.name());
        return out;
    }

    private static String counterName(String name) {
        String full = NAMESPACE + name;
        return full.endsWith("_total") ? full.substring(0, full.length() - "_total".length()) : full;
    }

    @Override public int attached() { return attachedPrograms.size(); }

    /** Whether program {@code name} was attached (its section names an attach point). */
    boolean isAttached(String name) { return attachedPrograms.contains(name); }

    @Override public Map<String, KernelProgram> programs() { return collection.programs(); }

    @Override public synchronized long decodeErrors() { return decodeErrors; }

    @Override
    public synchronized Map<String, Long> droppedSeries() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ObjectConfig.Counter c : config.counters()) out.put(counterName(c.name()), (long) dropped.getOrDefault(c.name(), Set.of()).size());
        for (ObjectConfig.Histogram h : config.histograms()) out.put(NAMESPACE + h.name(), (long) dropped.getOrDefault(h.name(), Set.of()).size());
        return out;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("object", config.object().toString());
        d.put("attached", attachedPrograms.size());
        d.put("programs", List.copyOf(collection.programs().keySet()));
        d.put("families", familyNames());
        return d;
    }

    @Override
    public synchronized List<MetricSnapshot> collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (ObjectConfig.Counter c : config.counters()) {
            var b = CounterSnapshot.builder().name(counterName(c.name())).help(c.help());
            Map<List<String>, Double> series = read(c.name(), c.labels());
            String[] names = c.labels().stream().map(ObjectConfig.Label::name).toArray(String[]::new);
            series.forEach((values, v) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of(names, values.toArray(String[]::new))).value(v).build()));
            out.add(b.build());
        }
        for (ObjectConfig.Histogram h : config.histograms()) out.add(histogram(h));
        return out;
    }

    /**
     * The histogram: the key's last label is the bucket number; the others name the series. Buckets from
     * bucket_min to bucket_max (or the fixed keys) are served, missing ones as empty, and the bucket after the
     * last, when the program fills it, is the sum (ebpf_exporter's convention).
     */
    private MetricSnapshot histogram(ObjectConfig.Histogram h) {
        List<ObjectConfig.Label> labels = h.labels();
        String[] names = labels.subList(0, labels.size() - 1).stream().map(ObjectConfig.Label::name).toArray(String[]::new);
        Map<List<String>, TreeMap<Double, Double>> groups = new LinkedHashMap<>();
        for (var e : read(h.name(), labels).entrySet()) {
            List<String> l = e.getKey();
            String bucketText = l.getLast();
            double bucket;
            try {
                bucket = (double) Long.parseUnsignedLong(bucketText);
            } catch (NumberFormatException x) {
                decodeErrors++;
                continue;
            }
            groups.computeIfAbsent(l.subList(0, l.size() - 1), k -> new TreeMap<>()).merge(bucket, e.getValue(), Double::sum);
        }
        List<Double> keys = new ArrayList<>();
        if (h.bucketType() == ObjectConfig.BucketType.FIXED) keys.addAll(h.bucketKeys());
        else for (int i = h.bucketMin(); i <= h.bucketMax(); i++) keys.add((double) i);
        double sumKey = keys.getLast() + 1;
        double[] bounds = new double[keys.size() + 1];
        for (int i = 0; i < keys.size(); i++) bounds[i] = FamilyReader.scaled(h.bucketType().bound(keys.get(i)), h.multiplier());
        bounds[keys.size()] = Double.POSITIVE_INFINITY;
        var b = HistogramSnapshot.builder().name(NAMESPACE + h.name()).help(h.help());
        for (var g : groups.entrySet()) {
            long[] counts = new long[bounds.length];
            for (int i = 0; i < keys.size(); i++) counts[i] = g.getValue().getOrDefault(keys.get(i), 0.0).longValue();
            double sum = FamilyReader.scaled(g.getValue().getOrDefault(sumKey, 0.0), h.multiplier());
            b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of(names, g.getKey().toArray(String[]::new)))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).sum(sum).build());
        }
        return b.build();
    }

    /**
     * The map's values by decoded labels, summed where keys decode alike (ebpf_exporter's aggregation). Per-CPU
     * values are summed, or split when the last label is {@code cpu} (the CPU is appended to the key as 2 bytes).
     */
    private Map<List<String>, Double> read(String mapName, List<ObjectConfig.Label> labels) {
        KernelMap map = collection.maps().get(mapName);
        boolean perCpu = map.spec().type().perCpu();
        boolean cpuLabel = !labels.isEmpty() && labels.getLast().name().equals("cpu");
        Map<List<String>, Double> out = new LinkedHashMap<>();
        for (byte[] key : map.keys()) {
            if (perCpu) {
                List<byte[]> values = map.lookupPerCpu(key).orElse(List.of());
                if (cpuLabel) {
                    for (int cpu = 0; cpu < values.size(); cpu++) {
                        byte[] k = Arrays.copyOf(key, key.length + 2);
                        ByteBuffer.wrap(k, key.length, 2).order(ByteOrder.nativeOrder()).putShort((short) cpu);
                        add(out, mapName, labels, k, FamilyReader.unsigned(FamilyReader.le(values.get(cpu), 0)), true);
                    }
                } else {
                    double sum = 0;
                    for (byte[] v : values) sum += FamilyReader.unsigned(FamilyReader.le(v, 0));
                    add(out, mapName, labels, key, sum, true);
                }
            } else {
                map.lookup(key).ifPresent(v -> add(out, mapName, labels, key, FamilyReader.unsigned(FamilyReader.le(v, 0)), false));
            }
        }
        return out;
    }

    private void add(Map<List<String>, Double> out, String mapName, List<ObjectConfig.Label> labels, byte[] raw, double value, boolean perCpu) {
        List<String> decoded = decode(raw, labels, perCpu);
        if (decoded == null) return;
        Set<List<String>> seen = admitted.computeIfAbsent(mapName, k -> new HashSet<>());
        if (!seen.contains(decoded)) {
            if (seen.size() >= maxSeries) {
                dropped.computeIfAbsent(mapName, k -> new HashSet<>()).add(decoded);
                return;
            }
            seen.add(decoded);
        }
        out.merge(decoded, value, Double::sum);
    }

    /** The labels of one key, or null when a regexp drops it or it cannot be decoded (counted). */
    private List<String> decode(byte[] raw, List<ObjectConfig.Label> labels, boolean perCpu) {
        boolean zero4 = raw.length >= 4 && raw[0] == 0 && raw[1] == 0 && raw[2] == 0 && raw[3] == 0;
        // no labels: one key of uint32(0); a per-CPU map with only a cpu label: that key and the CPU after it
        if (labels.isEmpty() && raw.length == 4 && zero4) return List.of();
        if (perCpu && labels.size() == 1 && labels.getFirst().name().equals("cpu") && zero4) raw = Arrays.copyOfRange(raw, 4, raw.length);
        int total = 0;
        for (ObjectConfig.Label l : labels) total += l.size() + l.padding();
        if (total != raw.length) {
            decodeErrors++;
            return null;
        }
        List<String> values = new ArrayList<>(labels.size());
        int off = 0;
        try {
            for (ObjectConfig.Label l : labels) {
                byte[] v = Arrays.copyOfRange(raw, off, off + l.size());
                for (ObjectConfig.Decoder d : l.decoders()) {
                    v = d.kind().decode(v, d, context);
                    if (v == null) return null;
                }
                values.add(new String(v, java.nio.charset.StandardCharsets.UTF_8));
                off += l.size() + l.padding();
            }
        } catch (KeyDecoder.DecodeException e) {
            decodeErrors++;
            return null;
        }
        return List.copyOf(values);
    }

    @Override
    public void close() {
        collection.close();
    }
}
