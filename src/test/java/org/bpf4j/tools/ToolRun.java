package org.bpf4j.tools;

import org.bpf4j.tool.Args;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs a tool in this JVM as {@code bpf4j NAME ARGS} would, on a thread: waits for its header, runs the workload,
 * waits until the output satisfies {@code until} (or 10 s), asks it to stop as Ctrl-C does, and returns what it
 * printed.
 */
final class ToolRun {
    /** Something a test does once the tool is attached. */
    interface Workload { void run() throws Exception; }

    private ToolRun() {}

    static String run(CliTool tool, List<String> argv, Workload workload, Predicate<String> until) throws Exception {
        Args.Parsed parsed = tool.args().parse(argv);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                tool.run(parsed, out, stop::get);
            } catch (Throwable e) {
                failure.set(e);
            }
            out.flush();
        });
        t.start();
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (text(bytes).indexOf('\n') < 0 && t.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            if (failure.get() != null) throw new AssertionError("the tool failed", failure.get());
            assertTrue(text(bytes).indexOf('\n') >= 0, "no header from " + tool.name());
            workload.run();
            deadline = System.nanoTime() + 10_000_000_000L;
            while (until != null && !until.test(text(bytes)) && t.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            if (until == null) Thread.sleep(300);
        } finally {
            stop.set(true);
            t.join(20_000);
        }
        assertFalse(t.isAlive(), tool.name() + " did not stop");
        if (failure.get() != null) throw new AssertionError("the tool failed", failure.get());
        return text(bytes);
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    /** The first line of {@code text} matching {@code regex}, or a failure showing the text. */
    static String line(String text, String regex) {
        for (String l : text.split("\n")) if (l.matches(regex)) return l;
        return fail("no line matching " + regex + " in:\n" + text);
    }

    /** Three threads spinning for half a second: on two CPUs they wait for each other in the run queue. */
    static void busyThreads() throws InterruptedException {
        Thread[] busy = new Thread[3];
        long end = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < busy.length; i++) {
            busy[i] = new Thread(() -> { long x = 0; while (System.nanoTime() < end) x++; });
            busy[i].start();
        }
        for (Thread b : busy) b.join();
    }

    /** The sum of the counts of a BCC log2 histogram's rows in {@code out}. */
    static long histogramTotal(String out) {
        long total = 0;
        for (String l : out.lines().toList())
            if (l.matches(" +\\d+ -> \\d+ +: \\d+ +\\|[* ]{40}\\|")) total += Long.parseLong(l.split(":")[1].trim().split(" ")[0]);
        return total;
    }
}
