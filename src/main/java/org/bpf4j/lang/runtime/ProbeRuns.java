package org.bpf4j.lang.runtime;

import org.bpf4j.BpfException;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Fd;
import org.bpf4j.prog.TestRun;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * v0.26's {@code --bench} and {@code --test}: the tool runs the script's {@code bench:NAME} or {@code test:NAME}
 * probes itself with BPF_PROG_TEST_RUN (after begin, before end; nothing is attached) and reports each in
 * bpftrace's layout, as text or as {@code benchmark_result} / {@code test_result} JSON records.
 * <p>
 * A benchmark is run 1, 1000, ... times until the runs take at least a millisecond, as bpftrace grows its repeat
 * count; its output is dropped. The kernel cannot repeat a raw-tracepoint program itself (nor time it), so each run
 * is one system call, and the time is the kernel's run-time statistics of the program (BPF_ENABLE_STATS). A benchmark that returns
 * non-zero is skipped; one that calls exit() or errorf() fails. A test runs once and passes when it returns 0
 * without exit() or errorf(); its output is shown only when it fails.
 */
public final class ProbeRuns {
    private static final long MILLISECOND = 1_000_000L;

    private ProbeRuns() {}

    /** Runs the benchmarks of {@code session}, printing to {@code out}; returns the exit status (1 when one failed). */
    public static int bench(Session session, Output out) {
        Map<String, KernelProgram> benches = session.runProbes("bench");
        List<String> names = new ArrayList<>(benches.keySet());
        int status = 0, printed = 0;
        for (int i = 0; i < names.size(); i++) {
            KernelProgram p = benches.get(names.get(i));
            long[] result = new long[2]; // average ns, iterations; iterations 0 when skipped
            boolean failed = session.capturing(new Output(OutputStream.nullOutputStream(), false, true), () -> measure(p, result));
            if (failed) {
                System.err.println("ERROR: Benchmark '" + names.get(i) + "' failed.");
                status = 1;
            } else if (result[1] > 0) {
                benchmarkResult(out, names, names.get(i), printed++ == 0, result[0], result[1]);
            }
            out.flush();
        }
        return status;
    }

    /**
     * Runs {@code p} more and more times until the runs take a millisecond: {average ns, iterations}. The time is
     * the kernel's own count of the program's run time (BPF_ENABLE_STATS) where it can be had, so that neither the
     * system call nor a busy machine's scheduling is in it; each round stops growing once it took 50 ms here.
     */
    private static void measure(KernelProgram p, long[] result) {
        byte[] ctx = new byte[8];
        Fd stats;
        try {
            stats = KernelProgram.enableRunTimeStats();
        } catch (BpfException e) {
            stats = null; // an older kernel: the time measured here, the system calls' included
        }
        try (Fd held = stats) {
            for (long iters = 1; ; ) {
                long[] before = held != null ? p.runStats() : null;
                long t0 = System.nanoTime();
                int retval = p.testRuns(ctx, iters);
                long wall = System.nanoTime() - t0;
                if (retval != 0) return; // bpftrace: a benchmark skips itself by returning non-zero
                long total = wall;
                if (held != null) {
                    long[] after = p.runStats();
                    if (after[1] - before[1] == iters) total = after[0] - before[0];
                }
                if (total >= MILLISECOND || wall >= 50 * MILLISECOND) {
                    result[0] = Math.max(1, total / iters);
                    result[1] = iters;
                    return;
                }
                iters *= total < 1_000 ? 1000 : total < 10_000 ? 100 : total < 100_000 ? 10 : 2;
            }
        }
    }

    private static void benchmarkResult(Output out, List<String> names, String name, boolean first, long average, long iters) {
        if (out.json()) {
            out.raw("{\"type\": \"benchmark_result\", \"data\": {" + Values.quote(name) + ": {\"average\": " + average
                    + ", \"iters\": " + iters + "}}}\n");
            return;
        }
        int width = Math.max(40, names.stream().mapToInt(String::length).max().orElse(0)) + 1;
        StringBuilder sb = new StringBuilder();
        if (first) {
            sb.append(pad("Benchmark", width)).append(pad("Time(ns)", 15)).append("Iterations\n");
            sb.append("-".repeat(width + 15 + "Iterations".length())).append('\n');
        }
        sb.append(pad(name, width)).append(pad(Long.toString(average), 15)).append(iters).append('\n');
        out.raw(sb.toString());
    }

    /** Runs the tests of {@code session}, printing to {@code out}; returns the exit status (1 when one failed). */
    public static int test(Session session, Output out) {
        Map<String, KernelProgram> tests = session.runProbes("test");
        List<String> names = new ArrayList<>(tests.keySet());
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            Output capture = new Output(captured, false, true);
            TestRun[] run = new TestRun[1];
            long[] took = new long[1];
            boolean bad = session.capturing(capture, () -> {
                long t0 = System.nanoTime();
                run[0] = tests.get(name).testRun(null, new byte[8], 0, 0);
                took[0] = System.nanoTime() - t0;
            });
            capture.flush();
            boolean passed = !bad && run[0].retval() == 0;
            long duration = took[0];
            if (!passed) failed.add(name);
            String text = captured.toString(StandardCharsets.UTF_8);
            if (out.json()) {
                out.raw("{\"type\": \"test_result\", \"data\": {" + Values.quote(name) + ": {\"duration\": " + duration
                        + ", \"passed\": " + passed + ", \"output\": " + Values.quote(text) + "}}}\n");
            } else {
                StringBuilder sb = new StringBuilder();
                if (i == 0) sb.append(GREEN).append("[==========]").append(RESET).append(" Running ").append(names.size()).append(" tests.\n");
                sb.append(GREEN).append("[ RUN      ]").append(RESET).append(' ').append(name).append('\n');
                if (!passed)
                    for (String line : text.split("\n")) if (!line.isEmpty()) sb.append(line).append('\n');
                sb.append(passed ? GREEN + "[       OK ]" : RED + "[  FAILED  ]").append(RESET).append(' ').append(name)
                        .append(" (").append(duration(duration)).append(")\n");
                if (i == names.size() - 1) {
                    int ok = names.size() - failed.size();
                    sb.append(GREEN).append("[==========]").append(RESET).append(' ').append(names.size()).append(' ').append(tests(names.size())).append(" ran.\n");
                    sb.append(GREEN).append("[  PASSED  ]").append(RESET).append(' ').append(ok).append(' ').append(tests(ok)).append(".\n");
                    if (!failed.isEmpty()) {
                        sb.append(RED).append("[  FAILED  ]").append(RESET).append(' ').append(failed.size()).append(' ')
                                .append(tests(failed.size())).append(", listed below:\n");
                        for (String f : failed) sb.append(RED).append("[  FAILED  ]").append(RESET).append(' ').append(f).append('\n');
                    }
                }
                out.raw(sb.toString());
            }
            out.flush();
        }
        return failed.isEmpty() ? 0 : 1;
    }

    private static final String GREEN = "\033[32m", RED = "\033[31m", RESET = "\033[0m";

    private static String tests(int n) { return n == 1 ? "test" : "tests"; }

    /** A duration in its largest whole unit, as bpftrace shows a test's: ns, us, ms or s. */
    static String duration(long ns) {
        if (ns >= 1_000_000_000L) return ns / 1_000_000_000L + " s";
        if (ns >= MILLISECOND) return ns / MILLISECOND + " ms";
        if (ns >= 1_000) return ns / 1_000 + " us";
        return ns + " ns";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
