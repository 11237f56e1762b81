package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javagc}: BCC's javagc (ugc -l java) on HotSpot's gc__begin/gc__end and mem__pool__gc__begin/end
 * probes, which need no flag. Unlike BCC's, a pool's begin is paired with its own end by thread and pool name
 * (HotSpot fires every pool's begin, then every pool's end, on one thread: BCC kept only the last begin per
 * thread), names are read by their length, and the description is printed (BCC's formatter returned nothing).
 */
public final class Javagc implements CliTool {
    /** One collection of one pool (pool != "") or one whole collection: elapsed ns and the pool's bytes. */
    public record Gc(long ts, long elapsed, String manager, String pool, long usedBefore, long usedAfter,
                     long maxBefore, long maxAfter, long full) {}

    @Override public String name() { return "javagc"; }

    @Override public String description() { return "Summarize garbage collection events in Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j javagc 185             # trace Java GCs in process 185
                    bpf4j javagc -m 185          # report times in milliseconds
                    bpf4j javagc -M 10 185       # trace only GCs longer than 10ms
                    bpf4j javagc -F Eden 185     # only GCs whose description contains "Eden"
                """)
                .requiredInteger("pid", "process id to attach to")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)")
                .flag('m', "milliseconds", "report times in milliseconds (default is microseconds)")
                .integer('M', "minimum", "MINIMUM", "display only GCs longer than this many milliseconds")
                .string('F', "filter", "FILTER", "display only GCs whose description contains this text");
    }

    static String script(long minimumNs) {
        return """
                usdt:libjvm:hotspot:mem__pool__gc__begin {
                    $pool = str(arg2, arg3);
                    @start[tid, $pool] = nsecs;
                    @used[tid, $pool] = arg5;
                    @max[tid, $pool] = arg7;
                }
                usdt:libjvm:hotspot:mem__pool__gc__end {
                    $pool = str(arg2, arg3);
                    $t = @start[tid, $pool];
                    if ($t > 0 && nsecs - $t >= %1$d) {
                        print((nsecs, nsecs - $t, str(arg0, arg1), $pool, @used[tid, $pool], arg5, @max[tid, $pool], arg7, 0));
                    }
                    delete(@start[tid, $pool]);
                    delete(@used[tid, $pool]);
                    delete(@max[tid, $pool]);
                }
                usdt:libjvm:hotspot:gc__begin { @gc[tid] = nsecs; @full[tid] = arg0; }
                usdt:libjvm:hotspot:gc__end {
                    $t = @gc[tid];
                    if ($t > 0 && nsecs - $t >= %1$d) { print((nsecs, nsecs - $t, "", "", 0, 0, 0, 0, @full[tid])); }
                    delete(@gc[tid]);
                    delete(@full[tid]);
                }
                """.formatted(minimumNs);
    }

    /** The description column: the pool's collector, name and bytes used and max before and after. */
    static String describe(Gc e) {
        if (e.pool().isEmpty()) return e.full() != 0 ? "GC (full)" : "GC";
        return "%s %s used=%d->%d max=%d->%d".formatted(e.manager(), e.pool(), e.usedBefore(), e.usedAfter(), e.maxBefore(), e.maxAfter());
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        boolean ms = a.flag("milliseconds");
        String filter = a.string("filter");
        String script = script(a.integer("minimum", 0) * 1_000_000L);
        if (a.flag("verbose")) out.println(script);
        long start = System.nanoTime();
        try (Tool t = Tool.load(name(), script, jvm.pid())) {
            t.on(Gc.class, e -> {
                String d = describe(e);
                if (filter != null && !d.contains(filter)) return;
                out.printf("%-8.3f %-8.2f %s%n", (System.nanoTime() - start) / 1e9, e.elapsed() / (ms ? 1e6 : 1e3), d);
            });
            t.start();
            out.printf("Tracing garbage collections in java process %d... Ctrl-C to quit.%n", jvm.pid());
            out.printf("%-8s %-8s %-40s%n", "START", ms ? "TIME (ms)" : "TIME (us)", "DESCRIPTION");
            Snoop.loop(t, out, jvm.until(stop), 0);
            JvmTarget.drain(t, out);
        }
        return 0;
    }
}
