package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j statsnoop}: BCC's statsnoop on the syscall tracepoints of statfs, newstat, newlstat, newfstatat and
 * statx (BCC: kprobes on the same system calls), paired by thread id.
 */
public final class Statsnoop implements CliTool {
    /** One stat call: when (ns), who, the result (0 or -errno) and the path. */
    public record Stat(long ts, long pid, String comm, long ret, String path) {}

    @Override public String name() { return "statsnoop"; }

    @Override public String description() { return "Trace stat() syscalls"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j statsnoop           # trace all stat() syscalls
                    bpf4j statsnoop -t        # include timestamps
                    bpf4j statsnoop -x        # only show failed stats
                    bpf4j statsnoop -p 181    # only trace PID 181
                """)
                .flag('t', "timestamp", "include timestamp on output")
                .flag('x', "failed", "only show failed stats")
                .integer('p', "pid", "PID", "trace this PID only");
    }

    private static final String[] CALLS = {"statfs", "newstat", "newlstat", "newfstatat", "statx"};
    private static final String FILENAME = """
            tracepoint:syscalls:sys_enter_newstat, tracepoint:syscalls:sys_enter_newlstat, tracepoint:syscalls:sys_enter_newfstatat,
            tracepoint:syscalls:sys_enter_statx""";

    static String script(String filter) {
        StringBuilder exit = new StringBuilder();
        for (String c : CALLS) exit.append(exit.isEmpty() ? "" : ", ").append("tracepoint:syscalls:sys_exit_").append(c);
        return """
                tracepoint:syscalls:sys_enter_statfs %s{ @fname[tid] = args.pathname; }
                %s %s{ @fname[tid] = args.filename; }
                %s /@fname[tid]/ {
                    print((nsecs, pid, comm, args.ret, str(@fname[tid], 256)));
                    delete(@fname[tid]);
                }
                """.formatted(filter, FILENAME, filter, exit);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean ts = a.flag("timestamp"), failed = a.flag("failed");
        long[] first = {0};
        try (Tool t = Tool.load(name(), script(a.has("pid") ? "/pid == " + a.integer("pid", 0) + "/ " : ""))) {
            t.on(Stat.class, e -> {
                if (first[0] == 0) first[0] = e.ts();
                if (failed && e.ret() >= 0) return;
                if (ts) out.printf("%-14.9f", (e.ts() - first[0]) / 1e9);
                out.printf("%-6d %-16s %4d %3d %s%n", e.pid(), e.comm(), e.ret() >= 0 ? e.ret() : -1, e.ret() >= 0 ? 0 : -e.ret(), e.path());
            });
            t.start();
            if (ts) out.printf("%-14s", "TIME(s)");
            out.printf("%-6s %-16s %4s %3s %s%n", "PID", "COMM", "FD", "ERR", "PATH");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
