package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j biosnoop}: BCC's biosnoop. {@code block:block_io_start} (the submitter's pid and comm),
 * {@code block_rq_insert}, {@code block_rq_issue} and {@code block_rq_complete} stand in for BCC's kprobes on
 * blk_account_io_start, blk_mq_start_request and blk_account_io_done; requests are keyed by device and sector.
 */
public final class Biosnoop implements CliTool {
    /** One completed I/O: completion time, submitter, device, kind, place, size, queued and device time (ns). */
    public record Io(long ts, long pid, String comm, long dev, String rwbs, long sector, long bytes, long queued, long latency) {}

    @Override public String name() { return "biosnoop"; }

    @Override public String description() { return "Trace block I/O"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j biosnoop           # trace all block I/O
                    bpf4j biosnoop -Q        # include OS queued time
                """)
                .flag('Q', "queue", "include OS queued time");
    }

    static final String SCRIPT = """
            tracepoint:block:block_io_start {
                @who[args.dev, args.sector] = (pid, comm);
                @queued[args.dev, args.sector] = nsecs;
            }
            tracepoint:block:block_rq_issue { @issued[args.dev, args.sector] = nsecs; }
            tracepoint:block:block_rq_complete /@issued[args.dev, args.sector]/ {
                $w = @who[args.dev, args.sector];
                $q = @queued[args.dev, args.sector];
                $i = @issued[args.dev, args.sector];
                print((nsecs, (uint64)$w.0, $w.1, (uint64)args.dev, args.rwbs, args.sector, (uint64)args.nr_sector * 512,
                       $q > 0 ? $i - $q : 0, nsecs - $i));
                delete(@who[args.dev, args.sector]);
                delete(@queued[args.dev, args.sector]);
                delete(@issued[args.dev, args.sector]);
            }
            """;

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean queue = a.flag("queue");
        Disks disks = new Disks();
        long[] start = {0};
        try (Tool t = Tool.load(name(), SCRIPT)) {
            t.on(Io.class, e -> {
                if (start[0] == 0) start[0] = e.ts();
                out.printf("%-11.6f %-14.14s %-7s %-9s %-1s %-10s %-7s", (e.ts() - start[0]) / 1000 / 1e6,
                        e.comm().isEmpty() ? "?" : e.comm(), e.pid(), disks.name(e.dev()), e.rwbs().contains("W") ? "W" : "R",
                        e.sector(), e.bytes());
                if (queue) out.printf("%7.2f ", e.queued() / 1e6);
                out.printf("%7.2f%n", e.latency() / 1e6);
            });
            t.start();
            out.printf("%-11s %-14s %-7s %-9s %-1s %-10s %-7s", "TIME(s)", "COMM", "PID", "DISK", "T", "SECTOR", "BYTES");
            if (queue) out.printf("%7s ", "QUE(ms)");
            out.printf("%7s%n", "LAT(ms)");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
