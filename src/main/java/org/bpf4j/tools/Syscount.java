package org.bpf4j.tools;

import org.bpf4j.symbols.SyscallNames;
import org.bpf4j.sys.Errno;
import org.bpf4j.lang.runtime.Child;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j syscount}: BCC's syscount on the tracepoints BCC itself uses, {@code raw_syscalls:sys_enter} and
 * {@code sys_exit}: counts (and with -L the summed latency) of system calls by number or, with -P, by process. The
 * numbers are named from x86-64's table ({@link org.bpf4j.symbols.SyscallNames}).
 */
public final class Syscount implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "syscount"; }

    @Override public String description() { return "Summarize syscall counts and latencies."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j syscount                 # count syscalls, top 10, until Ctrl-C
                    bpf4j syscount -L              # with their total latency
                    bpf4j syscount -P              # count by process
                    bpf4j syscount -x -i 1         # failed syscalls, every second
                    bpf4j syscount -e ENOENT       # syscalls that return ENOENT
                    bpf4j syscount -p 181 -d 5     # PID 181 for five seconds
                    bpf4j syscount --syscall write # the write syscall only
                    bpf4j syscount --exec ls -l /tmp  # the syscalls of this command
                """)
                .integer('p', "pid", "PID", "trace only this pid")
                .integer('t', "tid", "TID", "trace only this tid")
                .integer('c', "ppid", "PPID", "trace only child of this pid")
                .integer('i', "interval", "INTERVAL", "print summary at this interval (seconds)")
                .integer('d', "duration", "DURATION", "total duration of trace, in seconds")
                .integer('T', "top", "TOP", "print only the top syscalls by count or latency")
                .flag('x', "failures", "trace only failed syscalls (return < 0)")
                .string('e', "errno", "ERRNO", "trace only syscalls that return this error (numeric or EPERM, etc.)")
                .flag('L', "latency", "collect syscall latency")
                .flag('m', "milliseconds", "display latency in milliseconds (default: microseconds)")
                .flag('P', "process", "count by process and not by syscall")
                .flag('l', "list", "print list of recognized syscalls and exit")
                .string((char) 0, "syscall", "SYSCALL", "trace this syscall only (use option -l to get all recognized syscalls)")
                .remainder("exec", "execute command (as the last parameter, supports multiple parameters, for example: --exec ls -l /tmp");
    }

    /** The kernel side: {@code filter} is the predicate both probes share, {@code exitFilter} the result's. */
    static String script(String filter, String exitFilter, boolean latency, boolean byProcess) {
        String key = byProcess ? "pid" : "args.id";
        String both = filter.isEmpty() ? "" : "/" + filter + "/ ";
        String exit = String.join(" && ", java.util.stream.Stream.of(filter, exitFilter).filter(s -> !s.isEmpty()).toList());
        String exitPred = exit.isEmpty() ? "" : "/" + exit + "/ ";
        if (!latency) return "tracepoint:raw_syscalls:sys_exit " + exitPred + "{ @count[" + key + "] = count(); }\n";
        return """
                tracepoint:raw_syscalls:sys_enter %s{ @start[tid] = nsecs; }
                tracepoint:raw_syscalls:sys_exit %s{
                    $s = @start[tid];
                    if ($s > 0) {
                        @count[%s] = count();
                        @ns[%s] = sum(nsecs - $s);
                    }
                }
                tracepoint:raw_syscalls:sys_exit { delete(@start[tid]); }
                """.formatted(both, exitPred, key, key);
    }

    /** -e's value, as BCC reads it: a number (its sign dropped) or an errno name; -1 when it is neither. */
    static int errno(String s) {
        try {
            return Math.abs(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            for (int i = 1; i < 200; i++) if (Errno.name(i).equals(s)) return i;
            return -1;
        }
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.flag("list")) {
            List<String> all = SyscallNames.names();
            for (int i = 0; i < all.size(); i += 4) {
                List<String> row = new ArrayList<>();
                for (String s : all.subList(i, Math.min(i + 4, all.size()))) row.add(String.format("%-22s", s));
                out.println(String.join("   ", row));
            }
            return 0;
        }
        String syscall = a.string("syscall");
        int nr = syscall == null ? -1 : SyscallNames.number(syscall);
        if (syscall != null && nr < 0) {
            out.println("Error: syscall '" + syscall + "' not found. Exiting.");
            return 1;
        }
        int errno = a.has("errno") ? errno(a.string("errno")) : 0;
        if (errno < 0) {
            System.err.print(args().error("argument -e/--errno: couldn't map " + a.string("errno") + " to an errno").err());
            return 2;
        }
        List<String> exec = a.rest("exec");
        if (exec != null && a.has("pid")) {
            out.println("ERROR: can only use -p or --exec. Exiting.");
            return 1;
        }
        if (exec != null && exec.isEmpty()) {
            out.println("ERROR: --exec without command. Exiting.");
            return 1;
        }
        // --exec: the command starts stopped, is counted by its pid, runs once attached, and its exit ends the trace
        try (Child child = exec == null ? null : Child.start(exec)) {
            return run(a, out, child == null ? stop : () -> stop.getAsBoolean() || child.exited(), syscall, nr, errno, child);
        }
    }

    private int run(Args.Parsed a, PrintStream out, BooleanSupplier stop, String syscall, int nr, int errno, Child child) {
        List<String> f = new ArrayList<>();
        if (child != null) f.add("pid == " + child.pid());
        else if (a.has("pid")) f.add("pid == " + a.integer("pid", 0));
        else if (a.has("tid")) f.add("tid == " + a.integer("tid", 0));
        else if (a.has("ppid")) f.add("curtask->real_parent->tgid == " + a.integer("ppid", 0));
        if (nr >= 0) f.add("args.id == " + nr);
        List<String> ef = new ArrayList<>();
        if (a.flag("failures")) ef.add("args.ret < 0");
        if (errno > 0) ef.add("args.ret == -" + errno);
        boolean latency = a.flag("latency"), byProcess = a.flag("process"), millis = a.flag("milliseconds");
        int top = (int) a.integer("top", 10);
        long duration = a.integer("duration", 0), interval = a.integer("interval", duration > 0 ? duration : 99_999_999);
        try (Tool t = Tool.load(name(), script(String.join(" && ", f), String.join(" && ", ef), latency, byProcess))) {
            t.start();
            String failed = a.flag("failures") ? "failed " : "";
            if (syscall != null) out.println("Tracing " + failed + "syscall '" + syscall + "'... Ctrl+C to quit.");
            else out.println("Tracing " + failed + "syscalls, printing top " + top + "... Ctrl+C to quit.");
            out.flush();
            if (child != null) child.resume();
            long seconds = 0;
            boolean exiting = false;
            while (!exiting) {
                exiting = !t.pollFor(interval * 1000, stop);
                seconds += interval;
                if (duration > 0 && seconds >= duration) exiting = true;
                print(t, out, latency, byProcess, millis, top);
                out.flush();
            }
            out.println("Detaching...");
        }
        return 0;
    }

    private static void print(Tool t, PrintStream out, boolean latency, boolean byProcess, boolean millis, int top) {
        Map<Long, Long> counts = t.counts("@count", Long.class);
        Map<Long, Long> ns = latency ? t.counts("@ns", Long.class) : Map.of();
        t.clear("@count");
        if (latency) t.clear("@ns");
        String column = byProcess ? "PID    COMM" : "SYSCALL";
        out.println("[" + LocalTime.now().format(TIME) + "]");
        if (latency) out.printf("%-22s %8s %16s%n", column, "COUNT", millis ? "TIME (ms)" : "TIME (us)");
        else out.printf("%-22s %8s%n", column, "COUNT");
        Comparator<Long> order = Comparator.comparingLong(k -> -(latency ? ns.getOrDefault(k, 0L) : counts.get(k)));
        List<Long> keys = counts.keySet().stream().sorted(order).limit(Math.max(top, 0)).toList();
        for (long k : keys) {
            if (k == 0xFFFFFFFFL || k == -1) continue; // raw_syscalls' id is -1 for a few exits BCC skips too
            String what = byProcess ? String.format("%-6d %-15s", k, comm(k)) : SyscallNames.name(k);
            if (latency) out.printf("%-22s %8d " + (millis ? "%16.6f" : "%16.3f") + "%n", what, counts.get(k),
                    ns.getOrDefault(k, 0L) / (millis ? 1e6 : 1e3));
            else out.printf("%-22s %8d%n", what, counts.get(k));
        }
        out.println();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "[unknown]";
        }
    }
}
