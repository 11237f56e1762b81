package org.bpf4j.tools;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Histogram;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j runqlen}: BCC's runqlen, as BCC does it: a 99 Hz cpu-clock perf event on every CPU reads the queue
 * length of the current task's CFS run queue ({@code curtask->se.cfs_rq}, from BTF; the field is {@code nr_queued}
 * since Linux 6.14, {@code nr_running} before), less the running task.
 */
public final class Runqlen implements CliTool {
    @Override public String name() { return "runqlen"; }

    @Override public String description() { return "Summarize scheduler run queue length as a histogram"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j runqlen            # summarize run queue length as a histogram
                    bpf4j runqlen 1 10       # print 1 second summaries, 10 times
                    bpf4j runqlen -T 1       # 1s summaries and timestamps
                    bpf4j runqlen -O         # report run queue occupancy
                    bpf4j runqlen -C         # show each CPU separately
                """)
                .flag('T', "timestamp", "include timestamp on output")
                .flag('O', "runqocc", "report run queue occupancy")
                .flag('C', "cpus", "print output for each CPU separately")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    /** The kernel side; {@code field} is the run queue's length member in this kernel's struct cfs_rq. */
    static String script(String field) {
        return """
                profile:hz:99 {
                    $len = curtask->se.cfs_rq->%s;
                    @dist[cpu] = lhist($len > 0 ? $len - 1 : 0, 0, 1000, 1);
                }
                """.formatted(field);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean cpus = a.flag("cpus"), occupancy = a.flag("runqocc");
        // the kernel's BTF is read by the compiler anyway; Linux 6.14 renamed nr_running to nr_queued
        boolean queued = Btf.vmlinux().find(BtfType.Struct.class, "cfs_rq").flatMap(s -> s.member("nr_queued")).isPresent();
        String field = queued ? "nr_queued" : "nr_running";
        try (Tool t = Tool.load(name(), script(field))) {
            t.start();
            out.println("Sampling run queue length... Hit Ctrl-C to end.");
            Intervals.loop(t, out, stop, a.integer("interval", 0), a.integer("count", 0), a.flag("timestamp"), () -> {
                Map<Long, Histogram> byCpu = new TreeMap<>(t.histograms("@dist", Long.class));
                t.clear("@dist");
                if (occupancy) printOccupancy(out, byCpu, cpus);
                else if (cpus) byCpu.forEach((cpu, h) -> out.printf("%ncpu = %d%n%s", cpu, h.render("runqlen")));
                else out.print(sum(byCpu).render("runqlen"));
            });
        }
        return 0;
    }

    private static Histogram sum(Map<Long, Histogram> byCpu) {
        long[] total = new long[0];
        for (Histogram h : byCpu.values()) {
            long[] c = h.counts();
            if (c.length > total.length) total = java.util.Arrays.copyOf(total, c.length);
            for (int i = 0; i < c.length; i++) total[i] += c[i];
        }
        return new Histogram(true, total);
    }

    /** BCC's -O: the share of samples with a task waiting, for the system or each CPU. */
    private static void printOccupancy(PrintStream out, Map<Long, Histogram> byCpu, boolean cpus) {
        if (!cpus) {
            out.printf("runqocc: %.2f%%%n", 100 * occupancy(sum(byCpu)));
            return;
        }
        long max = byCpu.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        for (long c = 0; c <= max; c++) {
            Histogram h = byCpu.get(c);
            out.printf("runqocc, CPU %-3d %6.2f%%%n", c, 100 * (h == null ? 0 : occupancy(h)));
        }
    }

    private static double occupancy(Histogram h) {
        long total = h.total();
        long[] c = h.counts();
        long idle = c.length > 0 ? c[0] : 0;
        return total == 0 ? 0 : (double) (total - idle) / total;
    }
}
