package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/** {@code bpf4j cpudist}: BCC's cpudist on {@code sched:sched_switch} (BCC: a kprobe on finish_task_switch). */
public final class Cpudist implements CliTool {
    @Override public String name() { return "cpudist"; }

    @Override public String description() { return "Summarize on- and off-CPU time per task as a histogram."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j cpudist              # summarize on-CPU time as a histogram
                    bpf4j cpudist -O           # summarize off-CPU time as a histogram
                    bpf4j cpudist 1 10         # print 1 second summaries, 10 times
                    bpf4j cpudist -mT 1        # 1s summaries, milliseconds, and timestamps
                    bpf4j cpudist -p 185       # trace PID 185 only
                """)
                .flag('O', "offcpu", "measure off-CPU time")
                .flag('T', "timestamp", "include timestamp on output")
                .flag('m', "milliseconds", "millisecond histogram")
                .integer('p', "pid", "PID", "trace this PID only")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    /**
     * On-CPU: from switching in to switching out; off-CPU: the reverse. At sched_switch the current task is the one
     * leaving, so -p (a process id, not a thread's) is tested there; pid 0 (idle) is never counted.
     */
    static String script(boolean offcpu, boolean millis, long pid) {
        String only = pid > 0 ? " && pid == " + pid : "";
        long unit = millis ? 1_000_000 : 1000;
        if (offcpu) return """
                tracepoint:sched:sched_switch {
                    if (args.prev_pid != 0%s) { @start[args.prev_pid] = nsecs; }
                    $t = @start[args.next_pid];
                    if ($t > 0) {
                        @dist = hist((nsecs - $t) / %d);
                        delete(@start[args.next_pid]);
                    }
                }
                """.formatted(only, unit);
        return """
                tracepoint:sched:sched_switch {
                    if (args.next_pid != 0) { @start[args.next_pid] = nsecs; }
                    $t = @start[args.prev_pid];
                    if ($t > 0%s) { @dist = hist((nsecs - $t) / %d); }
                    delete(@start[args.prev_pid]);
                }
                """.formatted(only, unit);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean offcpu = a.flag("offcpu");
        String label = a.flag("milliseconds") ? "msecs" : "usecs";
        try (Tool t = Tool.load(name(), script(offcpu, a.flag("milliseconds"), a.integer("pid", 0)))) {
            t.start();
            out.println("Tracing " + (offcpu ? "off" : "on") + "-CPU time... Hit Ctrl-C to end.");
            Intervals.loop(t, out, stop, a.integer("interval", 0), a.integer("count", 0), a.flag("timestamp"), () -> {
                out.print(t.histogram("@dist").render(label));
                t.clear("@dist");
            });
        }
        return 0;
    }
}
