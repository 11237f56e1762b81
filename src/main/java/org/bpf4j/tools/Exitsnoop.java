package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j exitsnoop}: BCC's exitsnoop on {@code sched:sched_process_exit}, as BCC does, reading the exit code,
 * the start time and the parent from the exiting task through BTF ({@code curtask}).
 */
public final class Exitsnoop implements CliTool {
    /** One exit: the task, its parent, its age (ns) and the kernel's exit code (code << 8 | core | signal). */
    public record Exit(long pid, long tid, long ppid, String comm, long age, long exitCode) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final String[] SIGNALS = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    @Override public String name() { return "exitsnoop"; }

    @Override public String description() { return "Trace all process termination (exit, fatal signal)"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j exitsnoop                # trace all process termination
                    bpf4j exitsnoop -x             # trace only fails, exclude exit(0)
                    bpf4j exitsnoop -t             # include timestamps (local time)
                    bpf4j exitsnoop -p 181         # only trace PID 181
                    bpf4j exitsnoop --per-thread   # trace per thread termination
                """)
                .flag('t', "timestamp", "include timestamp (local time default)")
                .flag('x', "failed", "trace only fails, exclude exit(0)")
                .integer('p', "pid", "PID", "trace this PID only")
                .flag((char) 0, "per-thread", "trace per thread termination");
    }

    static String script(String filter) {
        return """
                tracepoint:sched:sched_process_exit %s{
                    print((pid, tid, (uint64)curtask->real_parent->tgid, comm, nsecs - curtask->start_time,
                           (uint64)curtask->exit_code));
                }
                """.formatted(filter);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        StringBuilder f = new StringBuilder(a.flag("per_thread") ? "" : "pid == tid");
        if (a.has("pid")) f.append(f.isEmpty() ? "" : " && ").append("pid == ").append(a.integer("pid", 0));
        boolean failed = a.flag("failed"), ts = a.flag("timestamp");
        try (Tool t = Tool.load(name(), script(f.isEmpty() ? "" : "/" + f + "/ "))) {
            t.on(Exit.class, e -> {
                if (failed && e.exitCode() == 0) return;
                if (ts) out.printf("%-13s", LocalTime.now().format(TIME));
                out.printf("%-16s %-6d %-6d %-6d %-7.2f ", e.comm(), e.pid(), e.ppid(), e.tid(), e.age() / 1e9);
                out.println(status(e.exitCode()));
            });
            t.start();
            if (ts) out.printf("%-13s", "TIME-" + java.time.format.DateTimeFormatter.ofPattern("zzz").format(java.time.ZonedDateTime.now()));
            out.printf("%-16s %-6s %-6s %-6s %-7s %-10s%n", "PCOMM", "PID", "PPID", "TID", "AGE(s)", "EXIT_CODE");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }

    /** BCC's EXIT_CODE column: 0, "code N", or "signal N (NAME)" with ", core dumped". */
    static String status(long exitCode) {
        long code = exitCode >> 8, sigInfo = exitCode & 0xff;
        if (sigInfo == 0) return code == 0 ? "0" : "code " + code;
        int sig = (int) (sigInfo & 0x7f);
        String s = sig != 0 ? "signal " + sig + " (" + (sig < SIGNALS.length ? SIGNALS[sig] : "SIGRT" + sig) + ")" : "";
        if ((sigInfo & 0x80) != 0) s += ", core dumped ";
        return s;
    }
}
