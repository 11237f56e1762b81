package org.bpf4j.exporter;

import org.bpf4j.UserException;
import org.bpf4j.lang.syntax.Source;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How maps become families, from compiled scripts (nothing loaded): shapes, names, labels, directives, sums. */
class PlannerTest {
    private static Map<String, Family> families(String text) {
        var c = ScriptMetrics.compile("t.bt", new Source("t.bt", text));
        return c.plan().families().stream().collect(Collectors.toMap(f -> f.map().decl().name(), f -> f));
    }

    private static List<String> labels(Family f) { return f.labels().stream().map(Family.Label::name).toList(); }

    @Test
    void shapesFollowTheAggregationAndWhetherTheScriptClearsTheMap() {
        var f = families("""
                BEGIN { @calls[comm, pid] = count(); @bytes = sum((uint64)5); @delta = sum(-5); @lo = min(3); @hi = max(3);
                        @mean[cpu] = avg(4); @st = stats(4); @h = hist(7); @l = lhist(7, 0, 100, 10); @v = 42; @name = "x";
                        @cleared = count(); @ch = hist(1); }
                interval:s:1 { clear(@cleared); zero(@ch); }
                """);
        assertEquals(Family.Shape.COUNTER, f.get("@calls").shape());
        assertEquals(List.of("comm", "pid"), labels(f.get("@calls")));
        assertEquals("t_calls", f.get("@calls").name());
        assertEquals(Family.Shape.COUNTER, f.get("@bytes").shape(), "an unsigned sum only grows");
        assertEquals(Family.Shape.GAUGE, f.get("@delta").shape(), "a signed sum can go down");
        assertEquals(Family.Shape.GAUGE, f.get("@lo").shape());
        assertEquals(Family.Shape.GAUGE, f.get("@hi").shape());
        assertEquals(Family.Shape.SUMMARY, f.get("@mean").shape());
        assertEquals(List.of("cpu"), labels(f.get("@mean")));
        assertEquals(Family.Shape.SUMMARY, f.get("@st").shape());
        assertEquals(Family.Shape.HISTOGRAM, f.get("@h").shape());
        assertNotNull(f.get("@h").sum(), "hist gets its sum map");
        assertNotNull(f.get("@l").sum());
        assertEquals(Family.Shape.GAUGE, f.get("@v").shape());
        assertNull(f.get("@name"), "a string value is not a number");
        assertEquals(Family.Shape.GAUGE, f.get("@cleared").shape(), "a cleared count goes back: a gauge");
        assertEquals(Family.Shape.GAUGE_HISTOGRAM, f.get("@ch").shape());
        assertNull(f.get("@" + HistogramSums.PREFIX + "h"), "the added sum maps are not families of their own");
    }

    @Test
    void labelsComeFromKeyExpressionsAndDirectives() {
        var f = families("""
                // exporter: @b name=my_bytes_total unit=bytes labels=process,id help="Bytes"
                // exporter: @scratch skip
                BEGIN { $k = 3; @a[ksym(0), $k, cpu, probe] = count(); @b[comm, pid] = sum(1);
                        @c[1, 2] = count(); @ = count(); @scratch[tid] = nsecs; }
                """);
        assertEquals(List.of("ksym", "k", "cpu", "probe"), labels(f.get("@a")));
        assertEquals(List.of("process", "id"), labels(f.get("@b")));
        assertEquals("my_bytes", f.get("@b").name(), "no _total in a family name; the unit is already its suffix");
        assertEquals("bytes", f.get("@b").unit());
        assertEquals("Bytes", f.get("@b").help());
        assertEquals(List.of("key0", "key1"), labels(f.get("@c")));
        assertEquals("t", f.get("@").name(), "the unnamed map takes the script's name");
        assertNull(f.get("@scratch"));
    }

    @Test
    void directivesThatDoNotFitAreOneLineErrors() {
        var e = assertThrows(UserException.class, () -> families("// exporter: @a labels=x,y\nBEGIN { @a[pid] = count(); }\n"));
        assertEquals("t.bt: exporter directive for @a names 2 labels, but its key has 1 parts", e.getMessage());
        e = assertThrows(UserException.class, () -> families("// exporter: @nope skip\nBEGIN { @a = count(); }\n"));
        assertEquals("t.bt: exporter directive for @nope, a map the script does not have", e.getMessage());
        e = assertThrows(UserException.class, () -> families("BEGIN { @a = count(); }\n// exporter: @a colour=red\n"));
        assertEquals("t.bt:2: exporter directive: unknown key 'colour' (name, help, unit, scale, labels, type, skip)", e.getMessage());
        e = assertThrows(UserException.class, () -> families("// exporter: @a scale=lots\nBEGIN { @a = count(); }\n"));
        assertEquals("t.bt:1: exporter directive: scale 'lots' is not a number", e.getMessage());
        e = assertThrows(UserException.class, () -> families("// exporter: @a name=9x\nBEGIN { @a = count(); }\n"));
        assertEquals("t.bt:1: exporter directive: '9x' is not a metric name", e.getMessage());
    }

    @Test
    void histogramBoundsAreBpftracesBucketsScaledOnce() {
        var f = families("// exporter: @h scale=1e-9\nBEGIN { @h = hist(7); @l = lhist(7, 10, 50, 20); }\n");
        FamilyReader h = new FamilyReader(f.get("@h"), 10);
        double[] b = h.bounds(f.get("@h").agg());
        // before any value: the negative and zero buckets; the log2 buckets are added as values reach them, never removed
        assertEquals(List.of(-1e-9, 0.0, Double.POSITIVE_INFINITY), java.util.Arrays.stream(b).boxed().toList());
        FamilyReader l = new FamilyReader(f.get("@l"), 10);
        // below 10, [10,29], [30,49], 50 and over
        assertEquals(List.of(9.0, 29.0, 49.0, Double.POSITIVE_INFINITY), java.util.Arrays.stream(l.bounds(f.get("@l").agg())).boxed().toList());
        assertEquals(3e-9, FamilyReader.scaled(3, 1e-9));
        assertEquals(18446744073709551615.0, FamilyReader.unsigned(-1));
    }
}
