package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j runqlat}: BCC's runqlat on the sched tracepoints BCC's own tracepoint mode uses: sched_wakeup and
 * sched_wakeup_new enqueue a task, sched_switch enqueues a preempted (still running) task and dequeues the next one.
 */
public final class Runqlat implements CliTool {
    @Override public String name() { return "runqlat"; }

    @Override public String description() { return "Summarize run queue (scheduler) latency as a histogram"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j runqlat            # summarize run queue latency as a histogram
                    bpf4j runqlat 1 10       # print 1 second summaries, 10 times
                    bpf4j runqlat -mT 1      # 1s summaries, milliseconds, and timestamps
                    bpf4j runqlat -p 185     # trace PID 185 only
                """)
                .flag('T', "timestamp", "include timestamp on output")
                .flag('m', "milliseconds", "millisecond histogram")
                .integer('p', "pid", "PID", "trace this PID only")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    static String script(boolean millis, long pid) {
        String only = pid > 0 ? " && args.pid == " + pid : "";
        String onlyPrev = pid > 0 ? " && args.prev_pid == " + pid : "";
        return """
                tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new /args.pid != 0%s/ { @qtime[args.pid] = nsecs; }
                tracepoint:sched:sched_switch {
                    if (args.prev_state == 0 && args.prev_pid != 0%s) { @qtime[args.prev_pid] = nsecs; }
                    $t = @qtime[args.next_pid];
                    if ($t > 0) {
                        @dist = hist((nsecs - $t) / %d);
                        delete(@qtime[args.next_pid]);
                    }
                }
                """.formatted(only, onlyPrev, millis ? 1_000_000 : 1000);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String label = a.flag("milliseconds") ? "msecs" : "usecs";
        try (Tool t = Tool.load(name(), script(a.flag("milliseconds"), a.integer("pid", 0)))) {
            t.start();
            out.println("Tracing run queue latency... Hit Ctrl-C to end.");
            Intervals.loop(t, out, stop, a.integer("interval", 0), a.integer("count", 0), a.flag("timestamp"), () -> {
                out.print(t.histogram("@dist").render(label));
                t.clear("@dist");
            });
        }
        return 0;
    }
}
