package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Histogram;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j biolatency}: BCC's biolatency. {@code block:block_rq_issue} (or {@code block_rq_insert} with -Q) and
 * {@code block_rq_complete} stand in for BCC's kprobes on blk_start_request/blk_account_io_done, paired by device and
 * sector rather than by the request's address.
 */
public final class Biolatency implements CliTool {
    @Override public String name() { return "biolatency"; }

    @Override public String description() { return "Summarize block device I/O latency as a histogram"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j biolatency                    # summarize block I/O latency as a histogram
                    bpf4j biolatency 1 10               # print 1 second summaries, 10 times
                    bpf4j biolatency -mT 1              # 1s summaries, milliseconds, and timestamps
                    bpf4j biolatency -Q                 # include OS queued time in I/O time
                    bpf4j biolatency -D                 # show each disk device separately
                """)
                .flag('T', "timestamp", "include timestamp on output")
                .flag('Q', "queued", "include OS queued time in I/O time")
                .flag('m', "milliseconds", "millisecond histogram")
                .flag('D', "disks", "print a histogram per disk device")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    static String script(boolean queued, boolean millis, boolean disks) {
        return """
                tracepoint:block:%s { @start[args.dev, args.sector] = nsecs; }
                tracepoint:block:block_rq_complete /@start[args.dev, args.sector]/ {
                    @dist[%s] = hist((nsecs - @start[args.dev, args.sector]) / %d);
                    delete(@start[args.dev, args.sector]);
                }
                """.formatted(queued ? "block_rq_insert" : "block_rq_issue", disks ? "(uint64)args.dev" : "0", millis ? 1_000_000 : 1000);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean disks = a.flag("disks");
        String label = a.flag("milliseconds") ? "msecs" : "usecs";
        Disks names = new Disks();
        try (Tool t = Tool.load(name(), script(a.flag("queued"), a.flag("milliseconds"), disks))) {
            t.start();
            out.println("Tracing block device I/O... Hit Ctrl-C to end.");
            Intervals.loop(t, out, stop, a.integer("interval", 0), a.integer("count", 0), a.flag("timestamp"), () -> {
                Map<Long, Histogram> h = t.histograms("@dist", Long.class);
                for (var e : new java.util.TreeMap<>(h).entrySet()) {
                    if (disks) out.printf("%ndisk = %s%n", names.name(e.getKey()));
                    out.print(e.getValue().render(label));
                }
                t.clear("@dist");
            });
        }
        return 0;
    }
}
