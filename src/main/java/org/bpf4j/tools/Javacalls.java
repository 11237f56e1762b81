package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javacalls}: BCC's javacalls (ucalls -l java): Java method calls counted in the kernel by class and
 * method from HotSpot's method__entry probe, with -L their time from method__return. The probes fire only in a JVM
 * started with -XX:+DTraceMethodProbes (checked first). Names are read by their length (BCC read 80 bytes from each
 * pointer, running past the name); -L pairs each return with its own entry through a per-thread depth, so recursive
 * calls are timed too (BCC keyed entries by thread and name and dropped them).
 */
public final class Javacalls implements CliTool {
    /** A class and method, the key of the kernel's counts. */
    public record Method(String clazz, String method) {}

    @Override public String name() { return "javacalls"; }

    @Override public String description() { return "Summarize method calls in Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j javacalls 185          # trace Java calls and print statistics on ^C
                    bpf4j javacalls 185 1        # print every second
                    bpf4j javacalls -T 10 185    # top 10 methods by number of calls
                    bpf4j javacalls -L 185       # trace calls with latency
                    bpf4j javacalls -mL 185      # trace calls with latency in ms
                """)
                .requiredInteger("pid", "process id to attach to")
                .positional("interval", "print every specified number of seconds")
                .integer('T', "top", "TOP", "number of most frequent/slow calls to print")
                .flag('L', "latency", "record method latency from enter to exit")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)")
                .flag('m', "milliseconds", "report times in milliseconds (default is microseconds)");
    }

    static String script(boolean latency) {
        if (!latency) return """
                usdt:libjvm:hotspot:method__entry { @calls[str(arg1, arg2), str(arg3, arg4)] = count(); }
                """;
        return """
                usdt:libjvm:hotspot:method__entry {
                    @depth[tid]++;
                    $d = @depth[tid];
                    @start[tid, $d] = nsecs;
                }
                usdt:libjvm:hotspot:method__return /@depth[tid] > 0/ {
                    $d = @depth[tid];
                    $t = @start[tid, $d];
                    $c = str(arg1, arg2);
                    $m = str(arg3, arg4);
                    @calls[$c, $m] = count();
                    @time[$c, $m] = sum(nsecs - $t);
                    delete(@start[tid, $d]);
                    @depth[tid] = $d - 1;
                }
                """;
    }

    /** One row: Class.method, calls and total ns. */
    record Row(String method, long calls, long ns) {}

    /** BCC's order: ascending by calls (by time with -L), the last {@code top}. */
    static List<Row> rows(Map<Method, Long> calls, Map<Method, Long> time, boolean latency, long top) {
        List<Row> rows = new ArrayList<>();
        calls.forEach((k, n) -> rows.add(new Row(k.clazz() + "." + k.method(), n, time.getOrDefault(k, 0L))));
        rows.sort(latency ? Comparator.comparingLong(Row::ns) : Comparator.comparingLong(Row::calls));
        return top > 0 && top < rows.size() ? rows.subList(rows.size() - (int) top, rows.size()) : rows;
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        jvm.require(JvmTarget.Flag.METHOD, System.err);
        boolean latency = a.flag("latency"), ms = a.flag("milliseconds");
        String script = script(latency);
        if (a.flag("verbose")) out.println(script);
        try (Tool t = Tool.load(name(), script, jvm.pid())) {
            t.start();
            out.printf("Tracing calls in process %d (language: java)... Ctrl-C to quit.%n", jvm.pid());
            Intervals.loop(t, out, jvm.until(stop), a.integer("interval", 0), 0, false, () -> {
                if (latency) out.printf("%-50s %8s %8s%n", "METHOD", "# CALLS", ms ? "TIME (ms)" : "TIME (us)");
                else out.printf("%-50s %8s%n", "METHOD", "# CALLS");
                Map<Method, Long> time = latency ? t.counts("@time", Method.class) : Map.of();
                for (Row r : rows(t.counts("@calls", Method.class), time, latency, a.integer("top", 0))) {
                    if (latency) out.printf("%-50s %8d %6.2f%n", r.method(), r.calls(), r.ns() / (ms ? 1e6 : 1e3));
                    else out.printf("%-50s %8d%n", r.method(), r.calls());
                }
                t.clear("@calls");
                if (latency) t.clear("@time");
            });
        }
        return 0;
    }
}
