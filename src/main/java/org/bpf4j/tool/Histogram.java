package org.bpf4j.tool;

import java.util.Arrays;

/**
 * A histogram read from a script's {@code hist()} or {@code lhist()} map, printed in BCC's layout
 * ({@code print_log2_hist} and {@code print_linear_hist}): a {@code "     usecs               : count     distribution"}
 * header and one row per bucket up to the last non-empty one, with a bar of up to 40 stars.
 *
 * <p>Log2 buckets are BCC's: bucket {@code i} holds values from {@code 2^(i-1)} to {@code 2^i - 1}, bucket 1 also 0
 * (BCC's {@code bpf_log2l}); linear buckets are the values themselves, from 0.
 */
public final class Histogram {
    private static final int STARS = 40;
    private final boolean linear;
    private final long[] counts;

    /** A histogram of {@code counts} per bucket (log2 or linear, as above). */
    public Histogram(boolean linear, long[] counts) {
        this.linear = linear;
        this.counts = counts.clone();
    }

    /** True for a linear histogram (one bucket per value). */
    public boolean linear() { return linear; }

    /** The count of each bucket. */
    public long[] counts() { return counts.clone(); }

    /** The sum of all buckets. */
    public long total() { return Arrays.stream(counts).sum(); }

    /** BCC's text for this histogram, the column named {@code valType} ("usecs"); empty when every bucket is. */
    public String render(String valType) {
        return linear ? linearText(valType) : log2Text(valType);
    }

    private String log2Text(String valType) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) idxMax = i;
            valMax = Math.max(valMax, counts[i]);
        }
        StringBuilder sb = new StringBuilder();
        boolean wide = idxMax > 32;
        int stars = wide ? STARS / 2 : STARS;
        if (idxMax > 0) sb.append(String.format(wide ? "               %-29s : count     distribution%n" : "     %-19s : count     distribution%n", valType));
        for (int i = 1; i <= idxMax; i++) {
            long low = (1L << i) >>> 1, high = (1L << i) - 1;
            if (i == 64) high = -1; // BCC's (1 << 64) - 1 in Python; unsigned here
            if (low == high) low -= 1;
            sb.append(String.format(wide ? "%20s -> %-20s : %-8d |%-" + stars + "s|%n" : "%10s -> %-10s : %-8d |%-" + stars + "s|%n",
                    Long.toUnsignedString(low), Long.toUnsignedString(high), counts[i], stars(counts[i], valMax, stars)));
        }
        return sb.toString();
    }

    private String linearText(String valType) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) idxMax = i;
            valMax = Math.max(valMax, counts[i]);
        }
        StringBuilder sb = new StringBuilder();
        if (idxMax >= 0) sb.append(String.format("     %-13s : count     distribution%n", valType));
        for (int i = 0; i <= idxMax; i++)
            sb.append(String.format("        %-10d : %-8d |%-" + STARS + "s|%n", i, counts[i], stars(counts[i], valMax, STARS)));
        return sb.toString();
    }

    /** BCC's bar: a star for each whole {@code width / max} step of {@code val}, at most {@code width}. */
    static String stars(long val, long max, int width) {
        if (max == 0) return "";
        double limit = (double) width * val / max - 1;
        int n = 0;
        while (n <= limit && n <= width - 1) n++;
        return "*".repeat(n);
    }
}
