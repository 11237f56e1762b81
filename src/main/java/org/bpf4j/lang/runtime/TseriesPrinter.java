package org.bpf4j.lang.runtime;

import org.bpf4j.lang.sema.Type;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tseries() map as bpftrace v0.26 shows it. Each entry is one bucket of one key: a {@code {value, meta, epoch}}
 * per CPU (TseriesCompiler's layout). The CPUs' copies are merged into the newest interval the bucket holds; the
 * keys share the window of the last n intervals up to the newest of all, and each key's series starts at its
 * first interval in that window, a missing interval shown as {@code -}. Text: a table of local times with a
 * 53-column plot of {@code *} between the smallest and largest value ({@code .} marks zero when it is between);
 * JSON: {@code interval_start} (UTC) and {@code value} of the intervals that have one.
 */
final class TseriesPrinter {
    /** One interval of a series: its number (time / interval), its start in ns, its value or null when none. */
    record Row(long epoch, long startNs, Long value) {}

    /** The series of one key (the key's bytes without the bucket number). */
    record Series(byte[] key, List<Row> rows) {}

    private static final int BUCKET = 24, WIDTH = 53, PADDING = 21;
    private static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS").withZone(ZoneOffset.UTC);

    private TseriesPrinter() {}

    /**
     * The series of every key, least recently updated first: {@code entries} are the map's (key, per-CPU buckets),
     * sorted by key; a key's bytes are {@code userSize} bytes then the u64 bucket number.
     */
    static List<Series> series(Type.Agg agg, int userSize, List<MapPrinter.Entry> entries) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Map<String, TreeMap<Long, Long>> byKey = new LinkedHashMap<>();
        for (MapPrinter.Entry e : entries) {
            String id = Arrays.toString(Arrays.copyOf(e.key(), userSize));
            keys.putIfAbsent(id, Arrays.copyOf(e.key(), userSize));
            long[] reduced = reduce(e.value(), agg);
            // as bpftrace: a bucket no CPU has used counts as interval 0 holding 0, unless interval 0 has a value
            byKey.computeIfAbsent(id, k -> new TreeMap<>(Long::compareUnsigned)).putIfAbsent(reduced[0], reduced[1]);
        }
        List<String> order = new ArrayList<>(byKey.keySet());
        order.sort(Comparator.comparing(id -> byKey.get(id).lastKey(), Long::compareUnsigned));
        if (order.isEmpty()) return List.of();
        long last = byKey.get(order.getLast()).lastKey();
        long first = last - agg.series().intervals() + 1; // unsigned, as bpftrace's: may wrap and leave no rows
        List<Series> out = new ArrayList<>();
        for (String id : order) out.add(new Series(keys.get(id), rows(byKey.get(id), first, last, agg.series().intervalNs())));
        return out;
    }

    private static List<Row> rows(TreeMap<Long, Long> values, long first, long last, long interval) {
        long start = last;
        for (long epoch : values.keySet()) if (Long.compareUnsigned(epoch, first) >= 0 && Long.compareUnsigned(epoch, start) < 0) start = epoch;
        List<Row> rows = new ArrayList<>();
        for (long epoch = first; Long.compareUnsigned(epoch, last) <= 0; epoch++) {
            if (Long.compareUnsigned(epoch, start) >= 0) rows.add(new Row(epoch, epoch * interval, values.get(epoch)));
            if (epoch == -1L) break;
        }
        return rows;
    }

    /** One bucket's CPU copies merged: {@code [epoch, value]} of the newest interval any CPU holds, or {@code [0, 0]}. */
    static long[] reduce(byte[] cpus, Type.Agg agg) {
        Type.SeriesFn fn = agg.series().fn();
        boolean signed = agg.signed();
        Map<Long, long[]> byEpoch = new java.util.HashMap<>();
        long latest = 0;
        for (int off = 0; off + BUCKET <= cpus.length; off += BUCKET) {
            long value = Values.le(cpus, off, 8), meta = Values.le(cpus, off + 8, 8), epoch = Values.le(cpus, off + 16, 8);
            if (epoch == 0) continue; // never used on this CPU
            if (Long.compareUnsigned(epoch, latest) > 0) latest = epoch;
            long[] cur = byEpoch.get(epoch);
            if (cur == null) {
                byEpoch.put(epoch, new long[] {value, meta});
                continue;
            }
            switch (fn) {
                case NONE -> { // the last value assigned wins: meta is its time
                    if (Long.compareUnsigned(meta, cur[1]) > 0) { cur[0] = value; cur[1] = meta; }
                }
                case AVG -> { cur[0] += value; cur[1] += meta; }
                case SUM -> cur[0] += value;
                case MIN -> cur[0] = compare(value, cur[0], signed) < 0 ? value : cur[0];
                case MAX -> cur[0] = compare(value, cur[0], signed) > 0 ? value : cur[0];
            }
        }
        if (latest == 0) return new long[] {0, 0};
        long[] v = byEpoch.get(latest);
        if (fn == Type.SeriesFn.AVG && v[1] != 0) v[0] = signed ? v[0] / v[1] : Long.divideUnsigned(v[0], v[1]);
        return new long[] {latest, v[0]};
    }

    private static int compare(long a, long b, boolean signed) { return signed ? Long.compare(a, b) : Long.compareUnsigned(a, b); }

    private static String text(long v, boolean signed) { return signed ? Long.toString(v) : Long.toUnsignedString(v); }

    /** The JSON array of a series: the intervals that have a value. */
    static String json(List<Row> rows, boolean signed) {
        List<String> parts = new ArrayList<>();
        for (Row r : rows) {
            if (r.value() == null) continue;
            parts.add("{\"interval_start\": \"" + JSON_TIME.format(instant(r.startNs())) + "\", \"value\": " + text(r.value(), signed) + "}");
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static Instant instant(long ns) {
        return Instant.ofEpochSecond(Long.divideUnsigned(ns, 1_000_000_000L), Long.remainderUnsigned(ns, 1_000_000_000L));
    }

    /** The table of a series, each line ending in a newline; {@code <no data>} (without one) when it has no rows. */
    static String table(List<Row> rows, boolean signed, ZoneId zone) {
        if (rows.isEmpty()) return "<no data>";
        long min = 0, max = 0;
        boolean seen = false;
        for (Row r : rows) {
            if (r.value() == null) continue;
            long v = r.value();
            if (!seen || compare(v, min, signed) < 0) min = v;
            if (!seen || compare(v, max, signed) > 0) max = v;
            seen = true;
        }
        if (min == max) { // room on both sides, unless at the type's end
            if (signed ? min != Long.MIN_VALUE : min != 0) min--;
            if (signed ? max != Long.MAX_VALUE : max != -1L) max++;
        }
        // the unit of the time column from the mean interval between rows: s, ms, μs or ns
        long span = rows.getLast().startNs() - rows.getFirst().startNs();
        long interval = Long.divideUnsigned(span, Math.max(1, rows.size() - 1));
        int digits = Long.compareUnsigned(interval, 1_000_000_000L) >= 0 ? 0 : Long.compareUnsigned(interval, 1_000_000L) >= 0 ? 3
                : Long.compareUnsigned(interval, 1_000L) >= 0 ? 6 : 9;
        String unit = switch (digits) { case 0 -> ""; case 3 -> ".ms"; case 6 -> ".μs"; default -> ".ns"; };
        String header = "hh:mm:ss" + unit;
        int timeSize = 8 + (digits == 0 ? 0 : 1 + digits);
        String minText = text(min, signed), maxText = text(max, signed);
        String bounds = String.format("%-" + PADDING + "s%" + (WIDTH - PADDING) + "s", minText, maxText);
        StringBuilder sb = new StringBuilder();
        sb.append(" ".repeat(timeSize + 1)).append(bounds).append('\n');
        // bpftrace pads the header by bytes: "μ" takes two
        sb.append(header).append(" ".repeat(Math.max(0, timeSize + 1 - header.getBytes(StandardCharsets.UTF_8).length)))
                .append('|').append("_".repeat(WIDTH - 2)).append("|\n");
        int zero = 0;
        if (signed && min < 0 && max > 0) zero = (int) ((float) WIDTH * (float) distance(min, 0, signed) / (float) distance(min, max, signed));
        DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
        for (Row r : rows) {
            char[] line = new char[WIDTH];
            Arrays.fill(line, ' ');
            line[0] = '|';
            line[WIDTH - 1] = '|';
            if (zero > 0) line[zero] = '.';
            Instant at = instant(r.startNs());
            sb.append(clock.format(at));
            if (digits > 0) sb.append('.').append(String.format("%0" + digits + "d", at.getNano() / (long) Math.pow(10, 9 - digits)));
            sb.append(' ');
            if (r.value() == null) {
                sb.append(line).append(" -\n");
                continue;
            }
            int point = WIDTH / 2;
            if (min != max) point = (int) ((float) (WIDTH - 1) * (float) distance(min, r.value(), signed) / (float) distance(min, max, signed));
            line[Math.max(0, Math.min(WIDTH - 1, point))] = '*';
            sb.append(line).append(' ').append(text(r.value(), signed)).append('\n');
        }
        char[] bottom = new char[WIDTH];
        Arrays.fill(bottom, '_');
        bottom[0] = 'v';
        bottom[WIDTH - 1] = 'v';
        sb.append(" ".repeat(timeSize)).append(' ').append(bottom).append('\n');
        sb.append(" ".repeat(timeSize)).append(' ').append(bounds).append('\n');
        return sb.toString();
    }

    /** {@code p - other} as bpftrace's plot measures it (an unsigned p against a signed other). */
    private static long distance(long p, long other, boolean signed) {
        if (signed) return p - other;
        if (other < 0) return -other + p;
        return Long.compareUnsigned(p, other) > 0 ? p - other : -(other - p);
    }
}
