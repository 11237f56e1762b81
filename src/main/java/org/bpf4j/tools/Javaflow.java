package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javaflow}: BCC's javaflow (uflow -l java): every Java method entry and return, indented by the
 * thread's depth, from HotSpot's method__entry and method__return probes (the JVM needs -XX:+DTraceMethodProbes,
 * checked first). -C and -M keep calls whose class or method starts with a prefix, compared in the kernel; names
 * are read by their length.
 */
public final class Javaflow implements CliTool {
    /** One entry (ret 0) or return: where, when, the thread's depth and the method. */
    public record Call(long cpu, long pid, long tid, long ts, long depth, long ret, String clazz, String method) {}

    @Override public String name() { return "javaflow"; }

    @Override public String description() { return "Trace method execution flow in Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j javaflow 185                    # trace Java method calls in process 185
                    bpf4j javaflow -M indexOf 185         # trace only 'indexOf'-prefixed methods
                    bpf4j javaflow -C java/lang/ 185      # trace only classes of java.lang
                """)
                .requiredInteger("pid", "process id to attach to")
                .string('M', "method", "METHOD", "trace only calls to methods starting with this prefix")
                .string('C', "class", "CLAZZ", "trace only calls to classes starting with this prefix")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)");
    }

    static String script(String classPrefix, String methodPrefix) {
        String filter = "1";
        if (classPrefix != null) filter = prefix("$c", classPrefix);
        if (methodPrefix != null) filter = (classPrefix != null ? filter + " && " : "") + prefix("$m", methodPrefix);
        return """
                usdt:libjvm:hotspot:method__entry {
                    $c = str(arg1, arg2);
                    $m = str(arg3, arg4);
                    if (%1$s) {
                        @depth[tid]++;
                        $d = @depth[tid];
                        print((cpu, pid, tid, nsecs, $d, 0, $c, $m));
                    }
                }
                usdt:libjvm:hotspot:method__return {
                    $c = str(arg1, arg2);
                    $m = str(arg3, arg4);
                    if (%1$s) {
                        $d = @depth[tid];
                        print((cpu, pid, tid, nsecs, $d, 1, $c, $m));
                        if ($d > 0) { @depth[tid] = $d - 1; }
                    }
                }
                """.formatted(filter);
    }

    /** {@code var} starts with {@code prefix}: strncmp over the prefix's bytes, the prefix quoted for the script. */
    private static String prefix(String var, String prefix) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : prefix.toCharArray()) {
            if (ch == '"' || ch == '\\') q.append('\\');
            q.append(ch);
        }
        return "strncmp(" + var + ", " + q + "\", " + prefix.getBytes(StandardCharsets.UTF_8).length + ") == 0";
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        jvm.require(JvmTarget.Flag.METHOD, System.err);
        String script = script(a.string("class"), a.string("method"));
        if (a.flag("verbose")) out.println(script);
        long begin = System.nanoTime();
        try (Tool t = Tool.load(name(), script, jvm.pid())) {
            t.on(Call.class, e -> out.printf("%-3d %-6d %-6d %-8.3f %-40s%n", e.cpu(), e.pid(), e.tid(),
                    (System.nanoTime() - begin) / 1e9,
                    "  ".repeat((int) Math.max(0, Math.min(e.depth() - 1, 200))) + (e.ret() != 0 ? "<- " : "-> ")
                            + e.clazz() + "." + e.method()));
            t.start();
            out.printf("Tracing method calls in java process %d... Ctrl-C to quit.%n", jvm.pid());
            out.printf("%-3s %-6s %-6s %-8s %s%n", "CPU", "PID", "TID", "TIME(us)", "METHOD");
            Snoop.loop(t, out, jvm.until(stop), 0);
            JvmTarget.drain(t, out);
        }
        return 0;
    }
}
