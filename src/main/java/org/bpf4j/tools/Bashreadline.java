package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/** {@code bpf4j bashreadline}: BCC's bashreadline, a uretprobe on bash's readline() (or a shared libreadline's, -s). */
public final class Bashreadline implements CliTool {
    /** One line bash read: the shell's pid and the line. */
    public record Line(long pid, String line) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "bashreadline"; }

    @Override public String description() { return "Print entered bash commands from all running shells"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j bashreadline                          # trace bash's own readline()
                    bpf4j bashreadline -s /lib/libreadline.so   # trace a shared libreadline
                """)
                .string('s', "shared", "SHARED", "specify the location of libreadline.so library. Default is use "
                        + "/bin/bash");
    }

    static String script(String binary) {
        return """
                uretprobe:%s:readline /retval != 0/ { print((pid, str(retval, 256))); }
                """.formatted(binary);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String binary = a.string("shared") != null ? a.string("shared") : "/bin/bash";
        try (Tool t = Tool.load(name(), script(binary))) {
            t.on(Line.class, e -> out.printf("%-9s %-7d %s%n", LocalTime.now().format(TIME), e.pid(), e.line()));
            t.start();
            out.printf("%-9s %-7s %s%n", "TIME", "PID", "COMMAND");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
