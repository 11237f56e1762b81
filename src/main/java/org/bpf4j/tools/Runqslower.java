package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j runqslower}: BCC's runqslower on the raw tracepoints BCC itself prefers, sched_wakeup,
 * sched_wakeup_new and sched_switch, whose task pointers give the thread group for -p (the plain tracepoints carry
 * only the thread id; the raw tracepoint's arguments are read from its context, {@code ((uint64 *)ctx)[i]}): a task
 * enqueued (woken, or preempted while runnable) and then switched in after more than
 * {@code min_us} is one row.
 */
public final class Runqslower implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** One slow wait: the task switched in, its wait (us), and the task it replaced. */
    public record Slow(long tid, String comm, long deltaUs, long prevTid, String prevComm) {}

    @Override public String name() { return "runqslower"; }

    @Override public String description() { return "Trace high run queue latency"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j runqslower         # trace run queue latency higher than 10000 us (default)
                    bpf4j runqslower 1000    # trace run queue latency higher than 1000 us
                    bpf4j runqslower -p 123  # trace pid 123
                    bpf4j runqslower -t 123  # trace tid 123 (use for threads only)
                    bpf4j runqslower -P      # also show previous task comm and TID
                """)
                .flag('P', "previous", "also show previous task name and TID")
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('t', "tid", "TID", "trace this TID only")
                .positional("min_us", "minimum run queue latency to trace, in us (default 10000)");
    }

    /** The kernel side; {@code only} filters the enqueued task {@code $p} ("" for every task). */
    static String script(long minUs, String only) {
        String cond = only.isEmpty() ? "" : " && " + only;
        return """
                rawtracepoint:sched_wakeup, rawtracepoint:sched_wakeup_new {
                    $p = (struct task_struct *)((uint64 *)ctx)[0];
                    if ($p->pid != 0%1$s) { @start[$p->pid] = nsecs; }
                }
                rawtracepoint:sched_switch {
                    $p = (struct task_struct *)((uint64 *)ctx)[1];
                    $next = (struct task_struct *)((uint64 *)ctx)[2];
                    if ($p->__state == 0 && $p->pid != 0%1$s) { @start[$p->pid] = nsecs; }
                    $t = @start[$next->pid];
                    if ($t > 0) {
                        $us = (nsecs - $t) / 1000;
                        if ($us > %2$d) {
                            print(((uint64)$next->pid, str($next->comm), $us, (uint64)$p->pid, str($p->comm)));
                        }
                        delete(@start[$next->pid]);
                    }
                }
                """.formatted(cond, minUs);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        long minUs = a.integer("min_us", 10000);
        boolean previous = a.flag("previous");
        String only = a.has("tid") ? "$p->pid == " + a.integer("tid", 0) : a.has("pid") ? "$p->tgid == " + a.integer("pid", 0) : "";
        try (Tool t = Tool.load(name(), script(minUs, only))) {
            t.on(Slow.class, e -> {
                String time = LocalTime.now().format(TIME);
                if (previous) out.printf("%-8s %-16s %-6s %14s %-16s %-6s%n", time, e.comm(), e.tid(), e.deltaUs(), e.prevComm(), e.prevTid());
                else out.printf("%-8s %-16s %-6s %14s%n", time, e.comm(), e.tid(), e.deltaUs());
            });
            t.start();
            out.println("Tracing run queue latency higher than " + minUs + " us");
            if (previous) out.printf("%-8s %-16s %-6s %14s %-16s %-6s%n", "TIME", "COMM", "TID", "LAT(us)", "PREV COMM", "PREV TID");
            else out.printf("%-8s %-16s %-6s %14s%n", "TIME", "COMM", "TID", "LAT(us)");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
