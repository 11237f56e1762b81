package org.bpf4j.lang.runtime;

import org.bpf4j.lang.sema.Type;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tseries() maps as v0.26 prints them (the per-CPU buckets merged, the window, the plot and JSON), hist(n, k)'s
 * buckets, and both for real in the kernel.
 */
class TseriesTest {
    private static final long MS = 1_000_000;

    private static Type.Agg series(long interval, int n, Type.SeriesFn fn, boolean signed) {
        return new Type.Agg(Type.AggKind.TSERIES, signed, 0, 0, 0, new Type.Series(interval, n, fn));
    }

    /** One bucket's value: a (value, meta, epoch) per CPU. */
    private static byte[] cpus(long... triples) {
        ByteBuffer b = ByteBuffer.allocate(triples.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long t : triples) b.putLong(t);
        return b.array();
    }

    private static byte[] key(long user, long bucket) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(user).putLong(bucket).array();
    }

    @Test
    void theCpusCopiesOfABucketMergeIntoItsNewestInterval() {
        // avg: two CPUs in interval 7 (sum 10 over 4 values, and 5 over 1) give 15 / 5; a CPU still on 2 is stale
        assertArrayEquals(new long[] {7, 3}, TseriesPrinter.reduce(cpus(10, 4, 7, 5, 1, 7, 100, 1, 2), series(MS, 5, Type.SeriesFn.AVG, true)));
        assertArrayEquals(new long[] {7, -4}, TseriesPrinter.reduce(cpus(3, 1, 7, -4, 1, 7), series(MS, 5, Type.SeriesFn.MIN, true)));
        // unsigned: -1 is the largest
        assertArrayEquals(new long[] {7, -1}, TseriesPrinter.reduce(cpus(3, 1, 7, -1, 1, 7), series(MS, 5, Type.SeriesFn.MAX, false)));
        assertArrayEquals(new long[] {7, 13}, TseriesPrinter.reduce(cpus(3, 0, 7, 10, 0, 7), series(MS, 5, Type.SeriesFn.SUM, true)));
        // no function: the value set last (meta is its time) wins
        assertArrayEquals(new long[] {7, 3}, TseriesPrinter.reduce(cpus(3, 900, 7, 10, 800, 7), series(MS, 5, Type.SeriesFn.NONE, true)));
        // never used (zeroed): interval 0 holding 0
        assertArrayEquals(new long[] {0, 0}, TseriesPrinter.reduce(cpus(0, 0, 0, 0, 0, 0), series(MS, 5, Type.SeriesFn.AVG, true)));
    }

    @Test
    void keysShareTheWindowOfTheLastIntervalsAndStartAtTheirFirstValue() {
        Type.Agg agg = series(100 * MS, 10, Type.SeriesFn.NONE, true);
        List<MapPrinter.Entry> entries = new ArrayList<>();
        for (int e = 1; e <= 4; e++) entries.add(new MapPrinter.Entry(key(1, e), cpus(5, e, e)));
        entries.add(new MapPrinter.Entry(key(1, 0), cpus(0, 0, 0))); // a bucket of interval 0: no CPU marks it used
        for (int e = 6; e <= 9; e++) entries.add(new MapPrinter.Entry(key(2, e), cpus(4, e, e)));
        entries.add(new MapPrinter.Entry(key(2, 3), cpus(4, 3, 3)));
        List<TseriesPrinter.Series> all = TseriesPrinter.series(agg, 8, entries);
        assertEquals(2, all.size());
        assertEquals(1, ByteBuffer.wrap(all.get(0).key()).order(ByteOrder.LITTLE_ENDIAN).getLong(), "least recently updated first");
        List<TseriesPrinter.Row> one = all.get(0).rows(), two = all.get(1).rows();
        assertEquals(10, one.size());
        assertEquals(new TseriesPrinter.Row(0, 0, 0L), one.get(0));
        assertEquals(new TseriesPrinter.Row(4, 400 * MS, 5L), one.get(4));
        assertNull(one.get(5).value(), "no value in interval 5");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), two.stream().map(TseriesPrinter.Row::epoch).toList());
        assertEquals("[{\"interval_start\": \"1970-01-01 00:00:00.300000000\", \"value\": 4}, "
                + "{\"interval_start\": \"1970-01-01 00:00:00.600000000\", \"value\": 4}, "
                + "{\"interval_start\": \"1970-01-01 00:00:00.700000000\", \"value\": 4}, "
                + "{\"interval_start\": \"1970-01-01 00:00:00.800000000\", \"value\": 4}, "
                + "{\"interval_start\": \"1970-01-01 00:00:00.900000000\", \"value\": 4}]", TseriesPrinter.json(two, true));
        // a window that would start before interval 0 wraps, as bpftrace's unsigned arithmetic: no rows
        assertEquals(List.of(), TseriesPrinter.series(series(MS, 20, Type.SeriesFn.NONE, true), 8, entries).getFirst().rows());
    }

    @Test
    void theTablePlotsBetweenTheExtremesWithZeroMarked() {
        List<TseriesPrinter.Row> rows = new ArrayList<>();
        long[] values = {-5, 0, 1, 5};
        for (int i = 0; i < values.length; i++) rows.add(new TseriesPrinter.Row(i + 1, (i + 1) * 100 * MS, values[i]));
        rows.add(new TseriesPrinter.Row(5, 500 * MS, null));
        assertEquals("""
                             -5                                                  5
                hh:mm:ss.ms  |___________________________________________________|
                00:00:00.100 *                         .                         | -5
                00:00:00.200 |                         *                         | 0
                00:00:00.300 |                         .    *                    | 1
                00:00:00.400 |                         .                         * 5
                00:00:00.500 |                         .                         | -
                             v___________________________________________________v
                             -5                                                  5
                """, TseriesPrinter.table(rows, true, ZoneOffset.UTC));
        // one value: room on both sides (an unsigned 0 cannot go lower); whole seconds need no fraction
        String t = TseriesPrinter.table(List.of(new TseriesPrinter.Row(3, 3_000_000_000L, 0L), new TseriesPrinter.Row(4, 4_000_000_000L, 0L)),
                false, ZoneOffset.UTC);
        assertEquals("""
                         0                                                   1
                hh:mm:ss |___________________________________________________|
                00:00:03 *                                                   | 0
                00:00:04 *                                                   | 0
                         v___________________________________________________v
                         0                                                   1
                """, t);
        assertEquals("<no data>", TseriesPrinter.table(List.of(), true, ZoneOffset.UTC));
    }

    @Test
    void fineHistogramBucketsTileTheValuesWithBpftracesLabels() {
        Type.Agg h3 = new Type.Agg(Type.AggKind.HIST, true, 0, 0, 3);
        long next = 0;
        for (long b = 1; b <= 64; b++) { // hist($i, 3) for $i in 0..1023: contiguous, one value a bucket up to 15
            long[] r = MapPrinter.range(h3, b);
            assertEquals(next, r[0], "bucket " + b);
            assertEquals(b <= 16 ? r[0] : r[0] + (1L << ((b - 1 >> 3) - 1)) - 1, r[1], "bucket " + b);
            next = r[1] + 1;
        }
        assertEquals(1024, next);
        assertEquals("[15]", MapPrinter.label(h3, 16));
        assertEquals("[16, 18)", MapPrinter.label(h3, 17));
        assertEquals("[960, 1024)", MapPrinter.label(h3, 64)); // K from 2^10 per sub-bucket step, as bpftrace
        assertEquals("[1024, 1152)", MapPrinter.label(h3, 65));
        assertEquals("[8K, 9K)", MapPrinter.label(h3, 89));
        Type.Agg h0 = new Type.Agg(Type.AggKind.HIST, true, 0, 0, 0); // hist(n): as before
        assertEquals("[1]", MapPrinter.label(h0, 2));
        assertEquals("[2, 4)", MapPrinter.label(h0, 3));
        assertEquals("[1K, 2K)", MapPrinter.label(h0, 12));
        assertArrayEquals(new long[] {1L << 62, Long.MAX_VALUE}, MapPrinter.range(h0, 64));
    }

    @Test
    @Tag("kernel")
    void aTimeSeriesAndAFineHistogramFromTheKernel() {
        Kernel.require();
        // values every 10 ms summed into 50 ms intervals, the last 4 kept; exit() from the other probe
        long before = System.currentTimeMillis();
        SessionTest.Run r = SessionTest.run("""
                i:ms:10 { @ = tseries(7, 50ms, 4, "sum"); @n = count(); }
                i:ms:400 { exit(); }
                """, true, null, o -> false);
        long after = System.currentTimeMillis();
        Matcher m = Pattern.compile("\\{\"interval_start\": \"([0-9-]+ [0-9:.]+)\", \"value\": (\\d+)}").matcher(r.out());
        List<Long> starts = new ArrayList<>();
        while (m.find()) {
            var t = java.time.LocalDateTime.parse(m.group(1).replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
            starts.add(t);
            long v = Long.parseLong(m.group(2));
            assertTrue(v > 0 && v % 7 == 0 && v <= 7 * 10, "a sum of 7s, about 5 a 50 ms interval: " + r.out());
            // CLOCK_TAI: the wall clock here, unless the machine set a TAI offset (37 s today)
            assertTrue(t >= before - 1000 && t <= after + 38_000, "an interval start in this run: " + m.group(1));
        }
        assertTrue(starts.size() >= 2 && starts.size() <= 4, r.out());
        for (int i = 1; i < starts.size(); i++) {
            long gap = starts.get(i) - starts.get(i - 1);
            assertTrue(gap > 0 && gap % 50 == 0 && gap < 200, "interval starts on 50 ms boundaries, in order, within the 4 kept: " + r.out());
        }
        assertTrue(r.out().contains("{\"type\": \"tseries\", \"data\": {\"@\": ["), r.out());

        SessionTest.Run h = SessionTest.run("BEGIN { @ = hist(5, 2); @ = hist(7, 2); @ = hist(12, 2); @ = hist(13, 2); exit(); }");
        assertEquals("""
                
                
                @:
                [5]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
                [6]                    0 |                                                    |
                [7]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
                [8, 10)                0 |                                                    |
                [10, 12)               0 |                                                    |
                [12, 14)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                
                """, h.out());
    }
}
