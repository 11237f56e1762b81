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
 * {@code bpf4j javaobjnew}: BCC's javaobjnew (uobjnew -l java): allocations by class, counted and summed in the
 * kernel from HotSpot's object__alloc probe, which fires only in a JVM started with -XX:+DTraceAllocProbes (checked
 * first, with what the flag costs). Class names are read by their length (BCC read 50 bytes past the name).
 */
public final class Javaobjnew implements CliTool {
    @Override public String name() { return "javaobjnew"; }

    @Override public String description() { return "Summarize object allocations in Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j javaobjnew 145         # summarize Java allocations in process 145
                    bpf4j javaobjnew 145 1       # print every second
                    bpf4j javaobjnew -C 10 145   # top 10 classes by number of allocations
                    bpf4j javaobjnew -S 10 145   # top 10 classes by total size
                """)
                .requiredInteger("pid", "process id to attach to")
                .positional("interval", "print every specified number of seconds")
                .integer('C', "top-count", "TOP_COUNT", "number of most frequently allocated types to print")
                .integer('S', "top-size", "TOP_SIZE", "number of largest types by allocated bytes to print")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)");
    }

    static final String SCRIPT = """
            usdt:libjvm:hotspot:object__alloc {
                $class = str(arg1, arg2);
                @allocs[$class] = count();
                @bytes[$class] = sum(arg3);
            }
            """;

    /** One row: a class, its allocations and bytes. */
    record Row(String type, long allocs, long bytes) {}

    /** The rows as BCC orders them: by bytes (or count with -C), ascending, the last {@code top} only. */
    static List<Row> rows(Map<String, Long> allocs, Map<String, Long> bytes, long topCount, long topSize) {
        List<Row> rows = new ArrayList<>();
        allocs.forEach((k, n) -> rows.add(new Row(k, n, bytes.getOrDefault(k, 0L))));
        rows.sort(topCount > 0 ? Comparator.comparingLong(Row::allocs) : Comparator.comparingLong(Row::bytes));
        long top = topCount > 0 ? topCount : topSize;
        return top > 0 && top < rows.size() ? rows.subList(rows.size() - (int) top, rows.size()) : rows;
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        jvm.require(JvmTarget.Flag.ALLOC, System.err);
        if (a.flag("verbose")) out.println(SCRIPT);
        long interval = a.integer("interval", 0);
        try (Tool t = Tool.load(name(), SCRIPT, jvm.pid())) {
            t.start();
            out.printf("Tracing allocations in process %d (language: java)... Ctrl-C to quit.%n", jvm.pid());
            Intervals.loop(t, out, jvm.until(stop), interval, 0, false, () -> {
                out.printf("%-30s %8s %12s%n", "NAME/TYPE", "# ALLOCS", "# BYTES");
                for (Row r : rows(t.counts("@allocs", String.class), t.counts("@bytes", String.class),
                        a.integer("top_count", 0), a.integer("top_size", 0)))
                    out.printf("%-30s %8d %12d%n", r.type(), r.allocs(), r.bytes());
                t.clear("@allocs");
                t.clear("@bytes");
            });
        }
        return 0;
    }
}
