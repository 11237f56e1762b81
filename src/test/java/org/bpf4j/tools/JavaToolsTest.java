package org.bpf4j.tools;

import org.bpf4j.cli.Main;
import org.bpf4j.jvm.JvmAttach;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tool.ToolException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Java tools on a JVM with a known answer ({@link JavaWorkload}): exact counts of calls, threads, collections
 * per pool, allocations and exceptions; the missing-flag message for a JVM started without the flag.
 */
@Tag("kernel")
class JavaToolsTest {
    private static final String KNOWN = "org/bpf4j/tools/JavaWorkload.known";

    @BeforeEach
    void kernel() { Kernel.require(); }

    private static long count(String text, String regex) {
        return text.lines().filter(l -> l.matches(regex)).count();
    }

    @Test
    void javacallsCountsEveryCallOfAMethodInterpretedAndCompiled() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+DTraceMethodProbes")) {
            String out = ToolRun.run(new Javacalls(), List.of(Integer.toString(jvm.pid())), () -> jvm.run('c'), null);
            assertTrue(out.startsWith("Tracing calls in process " + jvm.pid() + " (language: java)... Ctrl-C to quit.\n"), out);
            ToolRun.line(out, "METHOD +# CALLS");
            assertEquals(String.format("%-50s %8d", KNOWN, JavaWorkload.CALLS), ToolRun.line(out, KNOWN + " .*"));
        }
    }

    @Test
    void javacallsLatencyPairsEachReturnWithItsEntry() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+DTraceMethodProbes")) {
            String out = ToolRun.run(new Javacalls(), List.of("-L", Integer.toString(jvm.pid())), () -> jvm.run('c'), null);
            ToolRun.line(out, "METHOD +# CALLS TIME \\(us\\)");
            String row = ToolRun.line(out, KNOWN + " .*");
            String[] f = row.split(" +");
            assertEquals(JavaWorkload.CALLS, Long.parseLong(f[1]), row);
            assertTrue(Double.parseDouble(f[2]) > 0, row);
        }
    }

    @Test
    void javaflowShowsEachEntryAndReturnOfThePrefixedMethods() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+DTraceMethodProbes")) {
            String out = ToolRun.run(new Javaflow(), List.of("-C", "org/bpf4j/tools/JavaWork", "-M", "kno", Integer.toString(jvm.pid())),
                    () -> jvm.run('c'), text -> count(text, ".*<- " + KNOWN + " *") >= JavaWorkload.CALLS);
            assertEquals("CPU PID    TID    TIME(us) METHOD", ToolRun.line(out, "CPU .*"));
            assertEquals(JavaWorkload.CALLS, count(out, "\\d+ +" + jvm.pid() + " +\\d+ +\\d+\\.\\d{3} +-> " + KNOWN + " *"), out.length() + " chars");
            assertEquals(JavaWorkload.CALLS, count(out, "\\d+ +" + jvm.pid() + " +\\d+ +\\d+\\.\\d{3} +<- " + KNOWN + " *"));
            assertEquals(2L * JavaWorkload.CALLS, count(out, "\\d.*"), "nothing but the filtered method");
        }
    }

    @Test
    void javathreadsNamesEachThreadStartAndStop() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start()) {
            String out = ToolRun.run(new Javathreads(), List.of(Integer.toString(jvm.pid())), () -> jvm.run('t'),
                    text -> count(text, ".* stop +bpf4j-worker-\\d *") == JavaWorkload.THREADS);
            assertEquals("TIME     ID               TYPE     DESCRIPTION", ToolRun.line(out, "TIME .*").strip());
            for (int i = 0; i < JavaWorkload.THREADS; i++) {
                String start = ToolRun.line(out, ".* start +bpf4j-worker-" + i + " *");
                assertEquals(1, count(out, ".* start +bpf4j-worker-" + i + " *"));
                Matcher id = Pattern.compile("R=(\\d+)/N=(\\d+)").matcher(start);
                assertTrue(id.find(), start);
                // the stop names the same Java and native ids
                assertEquals(1, count(out, "\\d+\\.\\d{3} +R=" + id.group(1) + "/N=" + id.group(2) + " +stop +bpf4j-worker-" + i + " *"), out);
            }
            assertEquals(JavaWorkload.THREADS, count(out, ".* start +bpf4j-worker-\\d *"));
        }
    }

    @Test
    void javagcPairsEveryPoolOfEveryCollection() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+UseSerialGC")) {
            String out = ToolRun.run(new Javagc(), List.of(Integer.toString(jvm.pid())), () -> jvm.run('g'),
                    text -> count(text, ".* GC \\(full\\)") == JavaWorkload.GCS);
            assertEquals("START    TIME (us) DESCRIPTION", ToolRun.line(out, "START .*").strip());
            assertEquals(JavaWorkload.GCS, count(out, "\\d+\\.\\d{3} +\\d+\\.\\d{2} +GC \\(full\\)"));
            Map<String, Integer> pools = new HashMap<>();
            Pattern row = Pattern.compile("\\d+\\.\\d{3} +\\d+\\.\\d{2} +MarkSweepCompact (.+) used=\\d+->\\d+ max=-?\\d+->-?\\d+");
            for (String l : out.lines().toList()) {
                Matcher m = row.matcher(l);
                if (m.matches()) pools.merge(m.group(1), 1, Integer::sum);
                else assertFalse(l.contains("MarkSweepCompact"), "a pool line out of shape (names read past their length?): " + l);
            }
            assertTrue(pools.keySet().containsAll(List.of("Eden Space", "Survivor Space", "Tenured Gen", "Metaspace")), pools.toString());
            pools.forEach((pool, n) -> assertEquals(JavaWorkload.GCS, n, "pool " + pool + ": one line per collection"));
        }
    }

    @Test
    void javaobjnewCountsAndSizesTheAllocationsOfAClass() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+DTraceAllocProbes")) {
            String out = ToolRun.run(new Javaobjnew(), List.of(Integer.toString(jvm.pid())), () -> jvm.run('a'), null);
            ToolRun.line(out, "NAME/TYPE +# ALLOCS +# BYTES");
            String marker = "org/bpf4j/tools/JavaWorkload$Marker";
            assertEquals(String.format("%-30s %8d %12d", marker, JavaWorkload.ALLOCS, 16L * JavaWorkload.ALLOCS),
                    ToolRun.line(out, Pattern.quote(marker) + " .*"));
        }
    }

    @Test
    void javastatCountsThreadsCollectionsAndExceptionsPerJvm() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start()) {
            // javastat reads each JVM's flags through the attach API, which starts HotSpot's Attach Listener thread
            // once: start it before counting, so that THR/s counts the workload's threads only
            try (JvmAttach a = JvmAttach.attach(jvm.pid())) {
                assertFalse(a.flagOn("DTraceMethodProbes"));
            }
            String out = ToolRun.run(new Javastat(), List.of("-C", "1", "3"), () -> {
                jvm.run('t');
                jvm.run('g');
                jvm.run('e');
            }, text -> text.contains("Detaching..."));
            assertEquals(3, count(out, "PID +CMDLINE +METHOD/s +GC/s +OBJNEW/s +CLOAD/s +EXC/s +THR/s *"), out);
            long threads = 0, gcs = 0, exceptions = 0;
            for (String l : out.lines().toList()) {
                if (!l.startsWith(jvm.pid() + " ")) continue;
                String[] f = l.substring(28).strip().split(" +");
                assertEquals("-", f[0], "no DTraceMethodProbes: " + l);
                assertEquals("-", f[2], "no DTraceAllocProbes: " + l);
                gcs += Long.parseLong(f[1]);
                exceptions += Long.parseLong(f[4]);
                threads += Long.parseLong(f[5]);
            }
            assertEquals(JavaWorkload.THREADS, threads, out);
            assertEquals(JavaWorkload.GCS, gcs, out);
            assertEquals(JavaWorkload.EXCEPTIONS, exceptions, out);
        }
    }

    @Test
    void javaeventsShowsClassLoadingCompilationAndSafepoints() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+UseSerialGC")) {
            String out = ToolRun.run(new Javaevents(), List.of(Integer.toString(jvm.pid())), () -> {
                jvm.run('l');
                jvm.run('c');
                jvm.run('g');
            }, text -> text.contains("jit-load") && text.contains(KNOWN + "(I)I") && count(text, ".* safepoint .*") >= JavaWorkload.GCS);
            assertEquals(1, count(out, ".* class-load +- org/bpf4j/tools/JavaWorkload\\$Lazy loader=0x[0-9a-f]+"), out);
            ToolRun.line(out, "\\d+\\.\\d{3} +\\d+ +compile +\\d+\\.\\d{2} C[12] " + KNOWN + " *");
            ToolRun.line(out, "\\d+\\.\\d{3} +\\d+ +jit-load +- " + Pattern.quote(KNOWN + "(I)I") + " code=0x[0-9a-f]+ size=\\d+");
            ToolRun.line(out, "\\d+\\.\\d{3} +\\d+ +safepoint +\\d+\\.\\d{2} *");
            assertEquals(JavaWorkload.GCS, count(out, "\\d+\\.\\d{3} +\\d+ +vmop +\\d+\\.\\d{2} SerialGCCollect"), "System.gc()'s VM operation");
            assertTrue(out.startsWith("Tracing [class, jit, safepoint, vmop] events in java process " + jvm.pid()),
                    "no DTraceMonitorProbes: monitor events are left out (and stderr says why): " + out);
        }
    }

    @Test
    void javaeventsTimesAContendedMonitor() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start("-XX:+DTraceMonitorProbes")) {
            String out = ToolRun.run(new Javaevents(), List.of("-e", "monitor", Integer.toString(jvm.pid())), () -> jvm.run('m'),
                    text -> text.contains("monitor "));
            String row = ToolRun.line(out, "\\d+\\.\\d{3} +\\d+ +monitor +\\d+\\.\\d{2} java/lang/Object monitor=0x[0-9a-f]+ java-tid=\\d+");
            double us = Double.parseDouble(row.split(" +")[3]);
            assertTrue(us > 100_000, "waited for the holder's 200 ms: " + row);
        }
    }

    @Test
    void saysWhichFlagIsMissingAndWhatItCosts() throws Exception {
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start()) {
            String pid = Integer.toString(jvm.pid());
            StringWriter out = new StringWriter(), err = new StringWriter();
            assertEquals(1, Main.run(new PrintWriter(out), new PrintWriter(err), "javacalls", pid));
            assertEquals("bpf4j: javacalls: JVM " + pid + " runs without -XX:+DTraceMethodProbes, so its method__entry/method__return "
                    + "probes never fire: restart it with -XX:+DTraceMethodProbes (cost: every Java call goes through the VM: "
                    + "a call-heavy program runs several times slower)\n", err.toString());
            assertEquals("", out.toString());
            ToolException e = assertThrows(ToolException.NotSupported.class,
                    () -> new Javaobjnew().run(new Javaobjnew().args().parse(List.of(pid)), System.out, () -> true));
            assertTrue(e.getMessage().contains("without -XX:+DTraceAllocProbes"), e.getMessage());
            e = assertThrows(ToolException.NotSupported.class,
                    () -> new Javaevents().run(new Javaevents().args().parse(List.of("-e", "monitor", pid)), System.out, () -> true));
            assertTrue(e.getMessage().contains("without -XX:+DTraceMonitorProbes"), e.getMessage());
            assertThrows(ToolException.NotSupported.class,
                    () -> new Javaflow().run(new Javaflow().args().parse(List.of(pid)), System.out, () -> true));
        }
    }

    @Test
    void refusesAProcessThatIsNotAJvm() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            StringWriter err = new StringWriter();
            assertEquals(1, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "javagc", Long.toString(sleep.pid())));
            assertEquals("bpf4j: javagc: process " + sleep.pid() + " (sleep) is not a HotSpot JVM: it maps no libjvm.so\n", err.toString());
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "javagc"));
        assertTrue(err.toString().endsWith("javagc: error: the following arguments are required: pid\n"), err.toString());
    }
}
