package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Histogram;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** {@code bpf4j bitesize}: BCC's bitesize, I/O sizes per process name from {@code block:block_rq_issue}, as BCC. */
public final class Bitesize implements CliTool {
    @Override public String name() { return "bitesize"; }

    @Override public String description() { return "Summarize block device I/O size as a histogram"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j bitesize          # summarize block I/O size per process, until Ctrl-C
                """);
    }

    static final String SCRIPT = """
            tracepoint:block:block_rq_issue { @dist[args.comm] = hist(args.bytes / 1024); }
            """;

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        try (Tool t = Tool.load(name(), SCRIPT)) {
            t.start();
            out.println("Tracing block I/O... Hit Ctrl-C to end.");
            Intervals.loop(t, out, stop, 0, 1, false, () -> {
                for (var e : new TreeMap<>(t.histograms("@dist", String.class)).entrySet()) {
                    out.printf("%nProcess Name = %s%n", e.getKey());
                    out.print(e.getValue().render("Kbytes"));
                }
            });
        }
        return 0;
    }
}
