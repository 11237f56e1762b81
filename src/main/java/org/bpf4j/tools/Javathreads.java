package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javathreads}: BCC's javathreads (uthreads -l java) on HotSpot's thread__start and thread__stop
 * probes (no flag needed): each Java thread's start and end with its Java id, native id and name, the name read by
 * its length. BCC's pthread_start events (libc's probe, for threads outside the JVM's knowledge) are left out.
 */
public final class Javathreads implements CliTool {
    /** A thread started (start) or ended: its Java thread id, native (kernel) id, name and daemon flag. */
    public record ThreadEvent(long start, long javaId, long nativeId, String name, long daemon) {}

    @Override public String name() { return "javathreads"; }

    @Override public String description() { return "Trace thread creation/destruction events in Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j javathreads 185      # trace Java threads in process 185
                """)
                .requiredInteger("pid", "process id to attach to")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)");
    }

    static final String SCRIPT = """
            usdt:libjvm:hotspot:thread__start { print((1, arg2, arg3, str(arg0, arg1), arg4)); }
            usdt:libjvm:hotspot:thread__stop { print((0, arg2, arg3, str(arg0, arg1), arg4)); }
            """;

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        if (a.flag("verbose")) out.println(SCRIPT);
        long begin = System.nanoTime();
        try (Tool t = Tool.load(name(), SCRIPT, jvm.pid())) {
            t.on(ThreadEvent.class, e -> out.printf("%-8.3f %-16s %-8s %-30s%n", (System.nanoTime() - begin) / 1e9,
                    "R=" + e.javaId() + "/N=" + e.nativeId(), e.start() != 0 ? "start" : "stop", e.name()));
            t.start();
            out.printf("Tracing thread events in process %d (language: java)... Ctrl-C to quit.%n", jvm.pid());
            out.printf("%-8s %-16s %-8s %-30s%n", "TIME", "ID", "TYPE", "DESCRIPTION");
            Snoop.loop(t, out, jvm.until(stop), 0);
            JvmTarget.drain(t, out);
        }
        return 0;
    }
}
