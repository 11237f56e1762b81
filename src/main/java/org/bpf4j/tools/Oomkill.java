package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j oomkill}: BCC's oomkill on {@code oom:mark_victim} instead of a kprobe on oom_kill_process. The
 * tracepoint fires in the task whose allocation triggered the kill and names the victim; it has the victim's
 * total_vm where BCC prints oom_control's totalpages, so the pages column is the victim's size in pages.
 */
public final class Oomkill implements CliTool {
    /** One OOM kill: the triggering task, the victim, and its size in pages. */
    public record Kill(long fpid, String fcomm, long tpid, String tcomm, long pages) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "oomkill"; }

    @Override public String description() { return "Trace oom_kill_process(). Ctrl-C to end."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j oomkill          # trace OOM kills until Ctrl-C
                """);
    }

    static final String SCRIPT = """
            tracepoint:oom:mark_victim {
                print((pid, comm, (uint64)args.pid, str(args.comm), args.total_vm));
            }
            """;

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        try (Tool t = Tool.load(name(), SCRIPT)) {
            t.on(Kill.class, e -> out.printf("%s Triggered by PID %d (\"%s\"), OOM kill of PID %d (\"%s\"), %d pages, loadavg: %s%n",
                    LocalTime.now().format(TIME), e.fpid(), e.fcomm(), e.tpid(), e.tcomm(), e.pages(), loadavg()));
            t.start();
            out.println("Tracing OOM kills... Ctrl-C to stop.");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
