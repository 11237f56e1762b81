package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j opensnoop}: BCC's opensnoop, the worked example of docs/tools.md. The syscall tracepoints of open,
 * openat and openat2 stand in for BCC's kprobes (or kretfuncs) on the same system calls: the entry keeps the
 * filename pointer under the thread id, the exit sends it with the result. {@code --kprobe} puts a kprobe and a
 * kretprobe on {@code do_sys_openat2} instead, where the kernel has kprobes.
 */
public final class Opensnoop implements CliTool {
    /** One open: when (ns), who, the result (fd or -errno) and the path as the caller gave it. */
    public record Open(long ts, long pid, long tid, long uid, String comm, long ret, String path) {}

    @Override public String name() { return "opensnoop"; }

    @Override public String description() { return "Trace open() syscalls"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j opensnoop                        # trace all open() syscalls
                    bpf4j opensnoop -T                     # include timestamps
                    bpf4j opensnoop -U                     # include UID
                    bpf4j opensnoop -x                     # only show failed opens
                    bpf4j opensnoop -p 181                 # only trace PID 181
                    bpf4j opensnoop -t 123                 # only trace TID 123
                    bpf4j opensnoop -u 1000                # only trace UID 1000
                    bpf4j opensnoop -d 10                  # trace for 10 seconds only
                    bpf4j opensnoop -n main                # only print process names containing "main"
                """)
                .flag('T', "timestamp", "include timestamp on output")
                .flag('U', "print-uid", "print UID column")
                .flag('x', "failed", "only show failed opens")
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('t', "tid", "TID", "trace this TID only")
                .integer('u', "uid", "UID", "trace this UID only")
                .integer('d', "duration", "DURATION", "total duration of trace in seconds")
                .string('n', "name", "NAME", "only print process names containing this name")
                .flag((char) 0, "kprobe", "attach a kprobe and kretprobe on do_sys_openat2 instead of the tracepoints");
    }

    /** The kernel side; {@code filter} is a predicate on the entry ("" for every call). */
    static String script(String filter) {
        return """
                tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_openat2 %s{
                    @fname[tid] = args.filename;
                }
                tracepoint:syscalls:sys_exit_open, tracepoint:syscalls:sys_exit_openat, tracepoint:syscalls:sys_exit_openat2 /@fname[tid]/ {
                    print((nsecs, pid, tid, uid, comm, args.ret, str(@fname[tid], 256)));
                    delete(@fname[tid]);
                }
                """.formatted(filter.isEmpty() ? "" : "/" + filter + "/ ");
    }

    /**
     * The kernel side on kprobes, where the kernel has them: {@code do_sys_openat2(dfd, filename, how)}, which open,
     * openat and openat2 all call (as BCC's opensnoop without kfuncs probes the syscalls' functions); the entry keeps
     * the user's filename pointer, the return sends it with the result.
     */
    static String kprobeScript(String filter) {
        return """
                kprobe:do_sys_openat2 %s{
                    @fname[tid] = arg1;
                }
                kretprobe:do_sys_openat2 /@fname[tid]/ {
                    print((nsecs, pid, tid, uid, comm, (int64)retval, str(uptr(@fname[tid]), 256)));
                    delete(@fname[tid]);
                }
                """.formatted(filter.isEmpty() ? "" : "/" + filter + "/ ");
    }

    /** The entry predicate for -p, -t and -u (TID trumps PID, as in BCC). */
    static String filter(Args.Parsed a) {
        StringBuilder f = new StringBuilder();
        if (a.has("tid")) f.append("tid == ").append(a.integer("tid", 0));
        else if (a.has("pid")) f.append("pid == ").append(a.integer("pid", 0));
        if (a.has("uid")) f.append(f.isEmpty() ? "" : " && ").append("uid == ").append(a.integer("uid", 0));
        return f.toString();
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean timestamp = a.flag("timestamp"), printUid = a.flag("print_uid"), failed = a.flag("failed"), byTid = a.has("tid");
        String name = a.string("name");
        long[] first = {0};
        if (a.flag("kprobe")) Snoop.requireKprobes(name());
        try (Tool t = Tool.load(name(), a.flag("kprobe") ? kprobeScript(filter(a)) : script(filter(a)))) {
            t.on(Open.class, e -> {
                if (first[0] == 0) first[0] = e.ts();
                if (failed && e.ret() >= 0) return;
                if (name != null && !e.comm().contains(name)) return;
                if (timestamp) out.printf("%-14.9f", (e.ts() - first[0]) / 1000 / 1e6);
                if (printUid) out.printf("%-6d", e.uid());
                long fd = e.ret() >= 0 ? e.ret() : -1, err = e.ret() >= 0 ? 0 : -e.ret();
                out.printf("%-6d %-16s %4d %3d %s%n", byTid ? e.tid() : e.pid(), e.comm(), fd, err, e.path());
            });
            t.start();
            if (timestamp) out.printf("%-14s", "TIME(s)");
            if (printUid) out.printf("%-6s", "UID");
            out.printf("%-6s %-16s %4s %3s PATH%n", byTid ? "TID" : "PID", "COMM", "FD", "ERR");
            Snoop.loop(t, out, stop, a.integer("duration", 0));
        }
        return 0;
    }
}
