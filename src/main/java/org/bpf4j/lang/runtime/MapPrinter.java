package org.bpf4j.lang.runtime;

import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.sema.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints a map's entries in bpftrace's layout: {@code @name[key]: value} lines sorted by value (count, sum, min,
 * max, integers) or key (the rest); averages and stats; hist and lhist as bucket lines with {@code @} bars;
 * or the JSON objects of {@code -f json}.
 */
final class MapPrinter {
    /** One entry, as raw bytes. */
    record Entry(byte[] key, byte[] value) {}

    private static final int BAR = 52;
    private final Values values;

    MapPrinter(Values values) { this.values = values; }

    /** The text or JSON of all of {@code entries} of {@code plan}, keeping the {@code top} last and dividing by {@code div}. */
    String render(MapPlan plan, List<Entry> entries, long top, long div, boolean json) {
        Type.Agg agg = plan.decl().agg();
        if (agg != null && agg.kind() == Type.AggKind.TSERIES) return tseries(plan, agg, entries, json);
        if (agg != null && agg.histogram()) return histograms(plan, agg, entries, top, json);
        if (agg != null && (agg.kind() == Type.AggKind.AVG || agg.kind() == Type.AggKind.STATS || agg.kind() == Type.AggKind.STATISTIC))
            return stats(plan, agg, entries, top, div, json);
        return plain(plan, entries, top, div, json);
    }

    private Type userKey(MapPlan plan) { return plan.key().elements().getFirst(); }

    /**
     * The entries in SystemTap's foreach order: by key, or by value (a statistic by its count), ascending or
     * descending when {@code sorted}, at most {@code limit} when positive.
     */
    List<Entry> sorted(MapPlan plan, List<Entry> entries, boolean sorted, boolean byValue, boolean descending, long limit) {
        List<Entry> out = sortByKey(plan, entries);
        if (sorted && byValue) {
            boolean signed = !(plan.value() instanceof Type.Int i) || i.signed();
            out.sort((a, b) -> signed ? Long.compare(Values.le(a.value, 0, 8), Values.le(b.value, 0, 8))
                    : Long.compareUnsigned(Values.le(a.value, 0, 8), Values.le(b.value, 0, 8)));
        }
        if (sorted && descending) java.util.Collections.reverse(out);
        return limit > 0 && out.size() > limit ? out.subList(0, (int) limit) : out;
    }

    /** Key number {@code index} of an entry, as printf takes it (Long or String). */
    Object key(MapPlan plan, byte[] key, int index) {
        Type k = plan.userKey();
        if (k instanceof Type.Tuple tu && plan.decl().keyCount() > 1)
            return values.printfArg(tu.elements().get(index), key, tu.offset(index));
        return values.printfArg(k, key, 0);
    }

    /** An entry's value for printf; of a statistic, the part an extractor names (@count, @sum, @min, @max, @avg). */
    Object value(MapPlan plan, byte[] value, String extractor) {
        if (extractor == null || !(plan.value() instanceof Type.Agg a)) {
            if (plan.value() instanceof Type.Agg) return Values.le(value, 0, 8);
            return values.printfArg(plan.value(), value, 0);
        }
        long count = Values.le(value, 0, 8), total = Values.le(value, 8, 8);
        return switch (extractor) {
            case "@count" -> count;
            case "@sum" -> total;
            case "@min" -> Values.le(value, 16, 8);
            case "@max" -> Values.le(value, 24, 8);
            default -> count == 0 ? 0L : total / count;
        };
    }

    private String keyText(MapPlan plan, byte[] key) {
        Type k = plan.userKey();
        if (k instanceof Type.Tuple tu && plan.decl().keyCount() > 1) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < tu.elements().size(); i++) parts.add(values.keyText(tu.elements().get(i), key, tu.offset(i)));
            return String.join(", ", parts);
        }
        return values.keyText(k, key, 0);
    }

    private String keyJson(MapPlan plan, byte[] key) { return Values.quote(keyText(plan, key).replace(", ", ",")); }

    private String label(MapPlan plan, byte[] key) {
        return plan.decl().name() + (plan.userKey() == null ? "" : "[" + keyText(plan, key) + "]");
    }

    /** A value to sort keys by: numbers as numbers, strings as strings, tuples element by element. */
    private Comparable<?> sortKey(Type t, byte[] b, int off) {
        return switch (t) {
            case Type.Int i -> i.signed() ? new Num(Values.integer(b, off, i), true) : new Num(Values.integer(b, off, i), false);
            case Type.Str s -> Values.string(b, off, s.size());
            case Type.Tuple tu -> {
                List<Comparable<?>> parts = new ArrayList<>();
                for (int i = 0; i < tu.elements().size(); i++) parts.add(sortKey(tu.elements().get(i), b, off + tu.offset(i)));
                yield new Many(parts);
            }
            default -> new Num(Values.le(b, off, Math.min(8, t.size())), false);
        };
    }

    private record Num(long v, boolean signed) implements Comparable<Num> {
        public int compareTo(Num o) { return signed ? Long.compare(v, o.v) : Long.compareUnsigned(v, o.v); }
    }

    private record Many(List<Comparable<?>> parts) implements Comparable<Many> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        public int compareTo(Many o) {
            for (int i = 0; i < Math.min(parts.size(), o.parts.size()); i++) {
                Comparable a = parts.get(i), b = o.parts.get(i);
                int c = a.getClass() == b.getClass() ? a.compareTo(b) : a.getClass().getName().compareTo(b.getClass().getName());
                if (c != 0) return c;
            }
            return Integer.compare(parts.size(), o.parts.size());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private List<Entry> sortByKey(MapPlan plan, List<Entry> entries) {
        List<Entry> out = new ArrayList<>(entries);
        Type k = userKey(plan);
        out.sort((a, b) -> ((Comparable) sortKey(k, a.key, 0)).compareTo(sortKey(k, b.key, 0)));
        return out;
    }

    private static <T> List<T> top(List<T> sorted, long top) {
        if (top <= 0 || sorted.size() <= top) return sorted;
        return sorted.subList((int) (sorted.size() - top), sorted.size());
    }

    private String plain(MapPlan plan, List<Entry> entries, long top, long div, boolean json) {
        Type vt = plan.value();
        List<Entry> sorted = sortByKey(plan, entries);
        boolean byValue = vt instanceof Type.Agg || vt instanceof Type.Int;
        if (byValue) {
            boolean signed = vt instanceof Type.Int i ? i.signed() : ((Type.Agg) vt).signed();
            sorted.sort((a, b) -> signed ? Long.compare(Values.le(a.value, 0, 8), Values.le(b.value, 0, 8))
                    : Long.compareUnsigned(Values.le(a.value, 0, 8), Values.le(b.value, 0, 8)));
        }
        sorted = top(sorted, top);
        Type shown = vt instanceof Type.Agg a ? (a.signed() ? Type.INT64 : Type.UINT64) : vt;
        if (json) {
            if (sorted.isEmpty()) return ""; // v0.26 prints no line for a map without entries
            List<String> parts = new ArrayList<>();
            for (Entry e : sorted) parts.add((plan.userKey() == null ? "" : keyJson(plan, e.key) + ": ") + jsonValue(shown, e.value, div));
            String data = plan.userKey() == null ? (parts.isEmpty() ? "{}" : parts.getFirst()) : "{" + String.join(", ", parts) + "}";
            return "{\"type\": \"map\", \"data\": {" + Values.quote(plan.decl().name()) + ": " + data + "}}\n";
        }
        if (sorted.isEmpty()) {
            if (plan.userKey() == null && vt instanceof Type.Agg a && a.kind() == Type.AggKind.COUNT) return plan.decl().name() + ": 0\n";
            return "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Entry e : sorted) sb.append(label(plan, e.key)).append(": ").append(textValue(shown, e.value, div)).append('\n');
        return sb.toString();
    }

    private String textValue(Type t, byte[] v, long div) {
        if (div > 0 && t instanceof Type.Int i) {
            long x = Values.integer(v, 0, i);
            return i.signed() ? Long.toString(x / div) : Long.toUnsignedString(Long.divideUnsigned(x, div));
        }
        return values.text(t, v, 0);
    }

    private String jsonValue(Type t, byte[] v, long div) {
        if (t instanceof Type.Int && div > 0) return textValue(t, v, div);
        return values.json(t, v, 0); // an enum's name is a JSON string
    }

    private String stats(MapPlan plan, Type.Agg agg, List<Entry> entries, long top, long div, boolean json) {
        List<Entry> sorted = sortByKey(plan, entries);
        sorted.sort(Comparator.comparingLong(e -> average(e.value, agg)));
        sorted = top(sorted, top);
        long d = div > 0 ? div : 1;
        List<String> lines = new ArrayList<>();
        for (Entry e : sorted) {
            long count = Values.le(e.value, 0, 8), total = Values.le(e.value, 8, 8);
            long avg = average(e.value, agg) / d;
            String body;
            String extremes = agg.kind() != Type.AggKind.STATISTIC ? "" : json
                    ? ", \"min\": " + Values.le(e.value, 16, 8) / d + ", \"max\": " + Values.le(e.value, 24, 8) / d
                    : ", .min = " + Values.le(e.value, 16, 8) / d + ", .max = " + Values.le(e.value, 24, 8) / d;
            if (json) {
                body = agg.kind() == Type.AggKind.AVG ? String.valueOf(avg)
                        : "{\"count\": " + count / d + ", \"average\": " + avg + ", \"total\": " + total / d + extremes + "}";
                lines.add(plan.userKey() == null ? body : keyJson(plan, e.key) + ": " + body);
            } else {
                // v0.26's record layout for stats(); SystemTap's statistic keeps v0.17's words
                body = agg.kind() == Type.AggKind.AVG ? String.valueOf(avg)
                        : agg.kind() == Type.AggKind.STATS ? "{ .count = " + count / d + ", .average = " + avg + ", .total = " + total / d + " }"
                        : "count " + count / d + ", average " + avg + ", total " + total / d + extremes;
                lines.add(label(plan, e.key) + ": " + body + "\n");
            }
        }
        if (json) {
            String data = plan.userKey() == null ? (lines.isEmpty() ? "{}" : lines.getFirst()) : "{" + String.join(", ", lines) + "}";
            return "{\"type\": \"stats\", \"data\": {" + Values.quote(plan.decl().name()) + ": " + data + "}}\n";
        }
        return (lines.isEmpty() ? "\n" : String.join("", lines)) + "\n";
    }

    /** A tseries() map: nothing when it has no entries (as v0.26), else a table or a JSON array per key. */
    private String tseries(MapPlan plan, Type.Agg agg, List<Entry> entries, boolean json) {
        List<TseriesPrinter.Series> all = TseriesPrinter.series(agg, plan.key().offset(1), sortByKey(plan, entries));
        if (all.isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        for (TseriesPrinter.Series s : all) {
            if (json) {
                String rows = TseriesPrinter.json(s.rows(), agg.signed());
                parts.add(plan.userKey() == null ? rows : keyJson(plan, s.key()) + ": " + rows);
            } else {
                parts.add(label(plan, s.key()) + ":\n" + TseriesPrinter.table(s.rows(), agg.signed(), java.time.ZoneId.systemDefault()) + "\n");
            }
        }
        if (!json) return String.join("", parts);
        String data = plan.userKey() == null ? parts.getFirst() : "{" + String.join(", ", parts) + "}";
        return "{\"type\": \"tseries\", \"data\": {" + Values.quote(plan.decl().name()) + ": " + data + "}}\n";
    }

    private static long average(byte[] v, Type.Agg agg) {
        long count = Values.le(v, 0, 8), total = Values.le(v, 8, 8);
        if (count == 0) return 0;
        return agg.signed() ? total / count : Long.divideUnsigned(total, count);
    }

    private String histograms(MapPlan plan, Type.Agg agg, List<Entry> entries, long top, boolean json) {
        int userSize = plan.key().offset(1);
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Map<String, TreeMap<Long, Long>> groups = new LinkedHashMap<>();
        for (Entry e : sortByKey(plan, entries)) {
            String id = Arrays.toString(Arrays.copyOf(e.key, userSize));
            keys.putIfAbsent(id, e.key);
            groups.computeIfAbsent(id, k -> new TreeMap<>()).merge(Values.le(e.key, userSize, 8), Values.le(e.value, 0, 8), Long::sum);
        }
        List<String> order = new ArrayList<>(groups.keySet());
        order.sort(Comparator.comparingLong(id -> groups.get(id).values().stream().mapToLong(Long::longValue).sum()));
        order = top(order, top);
        if (json) {
            List<String> parts = new ArrayList<>();
            for (String id : order) {
                String buckets = jsonBuckets(agg, groups.get(id));
                parts.add(plan.userKey() == null ? buckets : keyJson(plan, keys.get(id)) + ": " + buckets);
            }
            String data = plan.userKey() == null ? (parts.isEmpty() ? "[]" : parts.getFirst()) : "{" + String.join(", ", parts) + "}";
            return "{\"type\": \"hist\", \"data\": {" + Values.quote(plan.decl().name()) + ": " + data + "}}\n";
        }
        if (order.isEmpty()) return "\n";
        StringBuilder sb = new StringBuilder();
        for (String id : order) {
            sb.append(label(plan, keys.get(id))).append(":\n"); // v0.26: no space after the colon
            sb.append(bars(agg, groups.get(id))).append('\n');
        }
        return sb.toString();
    }

    /**
     * A hist() or lhist() map in SystemTap's histogram layout, as {@code print(@hist_log(s))} and
     * {@code print(@hist_linear(s, start, stop, interval))} print: a "value |---- count" header, the rows from two
     * empty buckets before the first value to two after the last (a run of empty rows further than two from any
     * value becomes one "~" row), bars of '@' scaled to 50 at most, under- and overflow rows marked '<' and '>'.
     * SystemTap's log buckets are bpftrace's for 0 and positive values; bpftrace's one bucket of negative values
     * shows as SystemTap's bucket of -1.
     */
    String stapHistogram(MapPlan plan, List<Entry> entries, boolean linear, long start, long interval) {
        int userSize = plan.key().offset(1);
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (Entry e : entries) counts.merge(Values.le(e.key, userSize, 8), Values.le(e.value, 0, 8), Long::sum);
        Type.Agg agg = plan.decl().agg();
        int n = linear ? (int) ((agg.max() - agg.min()) / interval) + 2 : 128, zero = 64;
        long[] h = new long[n];
        for (var c : counts.entrySet()) {
            int b = linear ? (int) (long) c.getKey() : zero - 1 + (int) (long) c.getKey(); // bpftrace's [0] is SystemTap's 64
            if (b >= 0 && b < n) h[b] += c.getValue();
        }
        int low = -1, high = 0;
        long max = 0;
        for (int i = 0; i < n; i++) {
            if (h[i] > 0 && low < 0) low = i;
            if (h[i] > 0) high = i;
            max = Math.max(max, h[i]);
        }
        if (low < 0) return "value |" + "-".repeat(STAP_WIDTH) + " count\n\n";
        for (int i = 0; i < 2; i++) { // two empty rows on either side; a log histogram goes negative only with values
            if (low > 0 && (linear || low != zero)) low--;
            if (high < n - 1) high++;
        }
        boolean under = false, over = false;
        if (linear) {
            if (low == 0 && h[0] == 0) low++;
            if (high == n - 1 && h[high] == 0) high--;
            under = low == 0;
            over = high == n - 1;
        }
        long scale = max <= STAP_WIDTH ? 1 : (max + STAP_WIDTH - 1) / STAP_WIDTH;
        int countWidth = digits(max);
        int valueWidth = linear ? Math.max(digits(start) + (under ? 1 : 0), digits(start + interval * high) + (over ? 1 : 0))
                : Math.max(digits(stapLogValue(high, zero)), digits(stapLogValue(low, zero)));
        valueWidth = Math.max(valueWidth, "value".length());
        StringBuilder sb = new StringBuilder();
        sb.append(" ".repeat(valueWidth - 5)).append("value |").append("-".repeat(STAP_WIDTH)).append(" count\n");
        boolean eliding = false;
        for (int i = low; i <= high; i++) {
            boolean empty = true;
            for (int k = Math.max(low, i - 2); k <= Math.min(high, i + 2); k++) if (h[k] != 0) empty = false;
            if (empty) {
                eliding = true;
                continue;
            }
            if (eliding) {
                sb.append(" ".repeat(valueWidth)).append(" ~\n");
                eliding = false;
            }
            String prefix = "";
            long value;
            if (!linear) value = stapLogValue(i, zero);
            else if (i == 0) { value = start; prefix = "<"; }
            else if (i == n - 1) { value = start + (i - 2) * interval; prefix = ">"; }
            else value = start + (i - 1) * interval;
            int bars = (int) (h[i] / scale);
            sb.append(" ".repeat(Math.max(0, valueWidth - digits(value) - prefix.length()))).append(prefix).append(value).append(" |")
                    .append("@".repeat(bars))
                    .append(String.format("%" + (STAP_WIDTH - bars + 1 + countWidth) + "d", h[i])).append('\n');
        }
        return sb.append('\n').toString();
    }

    private static final int STAP_WIDTH = 50;

    /** The value a SystemTap log bucket is labelled with: 0, then 1, 2, 4... up, -1, -2, -4... down. */
    private static long stapLogValue(int bucket, int zero) {
        if (bucket == zero) return 0;
        return bucket < zero ? Long.MIN_VALUE >> bucket : 1L << (bucket - zero - 1);
    }

    /** How many characters {@code v} takes in decimal, its sign included. */
    private static int digits(long v) {
        return Long.toString(v).length();
    }

    /** The bucket lines from the first to the last non-empty bucket. */
    static String bars(Type.Agg agg, TreeMap<Long, Long> buckets) {
        long first = -1, last = -1, max = 0;
        for (var e : buckets.entrySet()) {
            if (e.getValue() == 0) continue;
            if (first < 0) first = e.getKey();
            last = e.getKey();
            max = Math.max(max, e.getValue());
        }
        StringBuilder sb = new StringBuilder();
        if (first < 0) return "";
        for (long b = first; b <= last; b++) {
            long n = buckets.getOrDefault(b, 0L);
            int width = max == 0 ? 0 : (int) (n * BAR / max);
            sb.append(String.format("%-16s%8d |%-52s|%n", label(agg, b), n, "@".repeat(width)));
        }
        return sb.toString();
    }

    static String label(Type.Agg agg, long b) {
        if (agg.kind() == Type.AggKind.HIST) {
            int k = (int) agg.step();
            if (b == 0) return "(..., 0)";
            if (b <= 2L << k) return "[" + (b - 1) + "]"; // one value a bucket up to 2^(k+1)
            return "[" + bound(b - 1, k) + ", " + bound(b, k) + ")";
        }
        long n = (agg.max() - agg.min()) / agg.step();
        if (b == 0) return "(..., " + lnum(agg.min()) + ")";
        if (b > n) return "[" + lnum(agg.max()) + ", ...)";
        long lo = agg.min() + (b - 1) * agg.step();
        return "[" + lnum(lo) + ", " + lnum(lo + agg.step()) + ")";
    }

    /**
     * The value hist bucket {@code b} (of hist(n, k)) ends before, as bpftrace labels it: plain up to 2^(k+1), then
     * with K, M, G... for each power of 2^10.
     */
    private static String bound(long b, int k) {
        if (b <= 2L << k) return String.valueOf(b);
        long n = 1L << k, power = (b >> k) - 1, s = Math.min(power / 10, 6);
        return ((1L << (power - s * 10)) * (n + (b & (n - 1)))) + (s == 0 ? "" : String.valueOf("KMGTPE".charAt((int) s - 1)));
    }

    /** The first value of hist(n, k) bucket {@code b} (b >= 1). */
    private static long lowest(long b, int k) {
        long i = b - 1, n = 1L << k;
        if (i < n) return i;
        return (1L << ((i >> k) - 1)) * (n + (i & (n - 1)));
    }

    private static String lnum(long v) {
        if (v != 0 && v % (1024L * 1024) == 0) return v / (1024L * 1024) + "M";
        if (v != 0 && v % 1024 == 0) return v / 1024 + "K";
        return String.valueOf(v);
    }

    private static String jsonBuckets(Type.Agg agg, TreeMap<Long, Long> buckets) {
        long first = -1, last = -1;
        for (var e : buckets.entrySet()) {
            if (e.getValue() == 0) continue;
            if (first < 0) first = e.getKey();
            last = e.getKey();
        }
        List<String> out = new ArrayList<>();
        for (long b = first; first >= 0 && b <= last; b++) {
            long n = buckets.getOrDefault(b, 0L);
            long[] range = range(agg, b);
            String lo = range[0] == Long.MIN_VALUE ? "" : "\"min\": " + range[0] + ", ";
            String hi = range[1] == Long.MAX_VALUE ? "" : "\"max\": " + range[1] + ", ";
            out.add("{" + lo + hi + "\"count\": " + n + "}");
        }
        return "[" + String.join(", ", out) + "]";
    }

    /** The inclusive value range of bucket {@code b}; MIN/MAX_VALUE for open ends. */
    static long[] range(Type.Agg agg, long b) {
        if (agg.kind() == Type.AggKind.HIST) {
            int k = (int) agg.step();
            if (b == 0) return new long[] {Long.MIN_VALUE, -1};
            return new long[] {lowest(b, k), lowest(b + 1, k) - 1};
        }
        long n = (agg.max() - agg.min()) / agg.step();
        if (b == 0) return new long[] {Long.MIN_VALUE, agg.min() - 1};
        if (b > n) return new long[] {agg.max(), Long.MAX_VALUE};
        long lo = agg.min() + (b - 1) * agg.step();
        return new long[] {lo, lo + agg.step() - 1};
    }
}
