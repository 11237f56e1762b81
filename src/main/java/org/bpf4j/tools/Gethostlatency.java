package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j gethostlatency}: BCC's gethostlatency, uprobes and uretprobes on libc's getaddrinfo, gethostbyname
 * and gethostbyname2, as BCC (uprobes work without kprobes).
 */
public final class Gethostlatency implements CliTool {
    /** One lookup: who, how long (ns) and the host asked for. */
    public record Lookup(long pid, String comm, long ns, String host) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "gethostlatency"; }

    @Override public String description() { return "Show latency for getaddrinfo/gethostbyname[2] calls"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j gethostlatency           # time getaddrinfo/gethostbyname[2] calls
                    bpf4j gethostlatency -p 1216   # only trace PID 1216
                """)
                .integer('p', "pid", "PID", "trace this PID only");
    }

    static String script(String filter) {
        return """
                uprobe:libc:getaddrinfo, uprobe:libc:gethostbyname, uprobe:libc:gethostbyname2 %s{
                    @start[tid] = nsecs;
                    @host[tid] = arg0;
                }
                uretprobe:libc:getaddrinfo, uretprobe:libc:gethostbyname, uretprobe:libc:gethostbyname2 /@start[tid]/ {
                    print((pid, comm, nsecs - @start[tid], str(@host[tid], 80)));
                    delete(@start[tid]);
                    delete(@host[tid]);
                }
                """.formatted(filter);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        try (Tool t = Tool.load(name(), script(a.has("pid") ? "/pid == " + a.integer("pid", 0) + "/ " : ""))) {
            t.on(Lookup.class, e -> out.printf("%-9s %-7d %-16s %10.2f %s%n", LocalTime.now().format(TIME), e.pid(), e.comm(),
                    e.ns() / 1e6, e.host()));
            t.start();
            out.printf("%-9s %-7s %-16s %10s %s%n", "TIME", "PID", "COMM", "LATms", "HOST");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
