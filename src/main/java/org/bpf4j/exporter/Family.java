package org.bpf4j.exporter;

import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.sema.Type;

import java.util.List;

/**
 * How one map of a script is exported: the metric family's name, help, unit and shape, the labels read from
 * its key, and the scale its values are multiplied by. A description only: {@link FamilyReader} reads it.
 *
 * @param script the script's name (its file name)
 * @param map    the map's plan
 * @param sum    for a histogram, the plan of the sum map added beside it ({@link HistogramSums}), or null
 * @param name   the family's base name (no {@code _total}, {@code _bucket}...)
 * @param help   HELP text
 * @param unit   the unit, or null
 * @param scale  what values and bucket bounds are multiplied by
 * @param shape  the kind of family
 * @param labels the label of each key part, in key order
 */
record Family(String script, MapPlan map, MapPlan sum, String name, String help, String unit, double scale, Shape shape,
              List<Label> labels) {
    /** Copies the labels. */
    Family { labels = List.copyOf(labels); }

    /** What kind of family a map becomes. */
    enum Shape {
        /** count(), sum() of unsigned values, or a map said to be a counter: {@code _total}. */
        COUNTER,
        /** min(), max(), plain values, signed sums, and counts of a map the script clears. */
        GAUGE,
        /** hist() and lhist(): buckets with bpftrace's exact bounds, {@code _sum} and {@code _count}. */
        HISTOGRAM,
        /** hist() and lhist() of a map the script clears: OpenMetrics' gaugehistogram. */
        GAUGE_HISTOGRAM,
        /** avg(), stats(), SystemTap's statistics: {@code _sum} and {@code _count} (and min/max gauges for statistics). */
        SUMMARY,
        /** avg() or stats() of a map the script clears: the average now, as a gauge. */
        AVERAGE
    }

    /**
     * One label: its name and the key part it shows.
     *
     * @param name   the label name
     * @param type   the key part's type
     * @param offset the key part's offset in the map key
     */
    record Label(String name, Type type, int offset) {}

    /** The aggregation of the map's value, or null for a plain value. */
    Type.Agg agg() { return map.decl().agg(); }
}
