package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.tool.Args;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j killsnoop}: BCC's killsnoop, with its options, columns and usage, on {@link Killsnoop}; on the
 * syscall's tracepoints, or BCC's own kprobes with {@code --kprobe}.
 */
public final class KillsnoopCommand implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "killsnoop"; }

    @Override public String description() { return "Trace signals issued by the kill() syscall"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j killsnoop           # trace all kill() signals
                    bpf4j killsnoop -x        # only show failed kills
                    bpf4j killsnoop -p 181    # only trace PID 181
                    bpf4j killsnoop -s 9      # only trace signal 9
                    bpf4j killsnoop --kprobe  # BCC's kprobes on the syscall's function
                """)
                .flag('x', "failed", "only show failed kill syscalls")
                .integer('p', "pid", "PID", "trace this PID only which is the sender of signal")
                .integer('s', "signal", "SIGNAL", "trace this signal only")
                .flag((char) 0, "kprobe", "attach BCC's kprobe and kretprobe (syscall__kill, do_ret_sys_kill) instead of the tracepoints");
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        long pid = a.integer("pid", 0), signal = a.integer("signal", -1);
        if (a.has("pid") && pid <= 0) throw new UserException("killsnoop: -p wants a positive PID, not " + pid);
        if (a.has("signal") && (signal < 0 || signal > 64)) throw new UserException("killsnoop: -s wants a signal from 0 to 64, not " + signal);
        var options = new Killsnoop.Options(a.flag("failed"), (int) pid, (int) signal, a.flag("kprobe"));
        try (Killsnoop k = Killsnoop.start(options, e -> out.printf("%-9s %-6d %-16s %-4d %-6d %d%n",
                LocalTime.now().format(TIME), e.pid(), e.comm(), e.sig(), e.tpid(), e.ret()), lost -> {
                    out.flush();
                    System.err.println("Possibly lost " + lost + " samples");
                })) {
            out.printf("%-9s %-6s %-16s %-4s %-6s %s%n", "TIME", "PID", "COMM", "SIG", "TPID", "RESULT");
            out.flush();
            while (!stop.getAsBoolean() && !out.checkError()) {
                k.poll(100);
                out.flush();
            }
        }
        return 0;
    }
}
