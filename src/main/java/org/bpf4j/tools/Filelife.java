package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j filelife}: BCC's filelife on syscall tracepoints: an open with O_CREAT (open, openat, creat) that
 * succeeds stands in for vfs_create, an unlink or unlinkat of the same path string for vfs_unlink. Files are matched
 * by the path as the program wrote it, so a file created by one name and removed by another is not shown, and an
 * O_CREAT open of a file that already existed restarts its age.
 */
public final class Filelife implements CliTool {
    /** One short-lived file: who removed it, its age (ns) and its path. */
    public record Life(long pid, String comm, long age, String path) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "filelife"; }

    @Override public String description() { return "Trace lifecycle of files"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j filelife           # trace all lifecycle of files
                    bpf4j filelife -p 181    # only trace PID 181
                """)
                .integer('p', "pid", "PID", "trace this PID only");
    }

    static String script(String filter) {
        return """
                tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open /(args.flags & 64) != 0/ {
                    @name[tid] = str(args.filename, 256);
                }
                tracepoint:syscalls:sys_enter_creat { @name[tid] = str(args.pathname, 256); }
                tracepoint:syscalls:sys_exit_openat, tracepoint:syscalls:sys_exit_open, tracepoint:syscalls:sys_exit_creat
                /args.ret >= 0 && @name[tid] != ""/ {
                    @born[@name[tid]] = nsecs;
                    delete(@name[tid]);
                }
                tracepoint:syscalls:sys_enter_unlink, tracepoint:syscalls:sys_enter_unlinkat %s{
                    $path = str(args.pathname, 256);
                    $b = @born[$path];
                    if ($b > 0) {
                        print((pid, comm, nsecs - $b, $path));
                        delete(@born[$path]);
                    }
                }
                """.formatted(filter);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        try (Tool t = Tool.load(name(), script(a.has("pid") ? "/pid == " + a.integer("pid", 0) + "/ " : ""))) {
            t.on(Life.class, e -> out.printf("%-8s %-7d %-16s %-7.2f %s%n", LocalTime.now().format(TIME), e.pid(), e.comm(),
                    e.age() / 1e9, e.path().substring(e.path().lastIndexOf('/') + 1)));
            t.start();
            out.printf("%-8s %-7s %-16s %-7s %s%n", "TIME", "PID", "COMM", "AGE(s)", "FILE");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
