package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j funccount}: BCC's funccount with BCC's patterns: {@code t:cat:event} tracepoints, {@code lib:func}
 * or {@code p:lib:func} uprobes, {@code u:lib:probe} USDT probes, each with {@code *} wildcards (expanded by the
 * tracing language, one program per match); a kernel function ({@code func}, {@code p::func}) is a kprobe, which
 * this kernel refuses with its own message.
 */
public final class Funccount implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "funccount"; }

    @Override public String description() { return "Count functions, tracepoints, and USDT probes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j funccount 'vfs_*'             # count kernel fns starting with "vfs"
                    bpf4j funccount -Ti 5 'vfs_*'       # output every 5 seconds, with timestamps
                    bpf4j funccount -r '^vfs.*'         # same as above, using regular expressions
                    bpf4j funccount -d 10 'vfs_*'       # trace for 10 seconds only
                    bpf4j funccount -p 185 'vfs_*'      # count vfs calls for PID 181 only
                    bpf4j funccount t:sched:sched_fork  # count calls to the sched_fork tracepoint
                    bpf4j funccount -p 185 u:node:gc*   # count all GC USDT probes in node, PID 185
                    bpf4j funccount c:malloc            # count all malloc() calls in libc
                    bpf4j funccount go:os.*             # count all "os.*" calls in libgo
                    bpf4j funccount -p 185 go:os.*      # count all "os.*" calls in libgo, PID 185
                    bpf4j funccount ./test:read*        # count "read*" calls in the ./test binary
                    bpf4j funccount -c 1 'vfs_*'        # count vfs calls on CPU 1 only
                """)
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('i', "interval", "INTERVAL", "summary interval, seconds")
                .integer('d', "duration", "DURATION", "total duration of trace, seconds")
                .flag('T', "timestamp", "include timestamp on output")
                .flag('r', "regexp", "use regular expressions. Default is \"*\" wildcards only.")
                .integer('c', "cpu", "CPU", "trace this CPU only")
                .required("pattern", "search expression for events");
    }

    /** A bad pattern, with BCC's message. */
    static final class BadPattern extends IllegalArgumentException {
        BadPattern(String message) { super(message); }
    }

    /** BCC's pattern in its parts: the type (p, t, u), the library ("" for the kernel) and the function or event. */
    record Parts(String type, String lib, String func) {
        /** BCC's reading of {@code pattern}: {@code func}, {@code lib:func}, {@code type:lib:func}, {@code t:cat:event}. */
        static Parts of(String pattern) {
            String[] p = pattern.split(":", -1);
            if (p.length == 1) return new Parts("p", "", p[0]);
            if (p.length == 2) return new Parts("p", p[0], p[1]);
            if (p.length != 3) throw new BadPattern("Too many ':'-separated components in pattern " + pattern);
            if (!List.of("p", "t", "u").contains(p[0])) throw new BadPattern("Type must be 'p', 't', or 'u', but got " + p[0]);
            return p[0].equals("t") ? new Parts("t", "", p[1] + ":" + p[2]) : new Parts(p[0], p[1], p[2]);
        }
    }

    /** The attach point of the tracing language for BCC's {@code pattern} ({@link ProbeSpec}, with funccount's messages). */
    static String attachPoint(String pattern) {
        String[] p = pattern.split(":", -1);
        if (p.length > 3) throw new BadPattern("Too many ':'-separated components in pattern " + pattern);
        if (p.length == 3 && !List.of("p", "t", "u").contains(p[0])) throw new BadPattern("Type must be 'p', 't', or 'u', but got " + p[0]);
        try {
            return ProbeSpec.parse(pattern, "ptu").attachPoint();
        } catch (ProbeSpec.BadSpec e) {
            throw new BadPattern(e.getMessage());
        }
    }

    /** The kernel side: a count per attach point, for the predicate {@code filter} ("" for every call). */
    static String script(String attachPoint, String filter) {
        return attachPoint + (filter.isEmpty() ? "" : " /" + filter + "/") + " { @counts[probe] = count(); }\n";
    }

    /** What BCC names a probe in its FUNC column: cat:event for a tracepoint, the function or probe name otherwise. */
    static String func(String probe) {
        if (probe.startsWith("tracepoint:")) return probe.substring("tracepoint:".length());
        return probe.substring(probe.lastIndexOf(':') + 1);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String pattern = a.string("pattern");
        String at;
        try {
            at = a.flag("regexp") ? FuncRegex.attachPoints(pattern) : attachPoint(pattern);
        } catch (BadPattern e) {
            out.println(e.getMessage());
            return 1;
        }
        if (at.isEmpty()) {
            out.println("No functions matched by pattern " + pattern);
            return 1;
        }
        List<String> f = new ArrayList<>();
        if (a.has("pid")) f.add("pid == " + a.integer("pid", 0));
        if (a.has("cpu")) f.add("cpu == " + a.integer("cpu", 0));
        long duration = a.integer("duration", 0), interval = a.integer("interval", duration > 0 ? duration : 99_999_999);
        try (Tool t = Tool.load(name(), script(at, String.join(" && ", f)))) {
            if (t.probes().isEmpty()) {
                out.println("No functions matched by pattern " + pattern);
                return 1;
            }
            t.start();
            out.println("Tracing " + t.probes().size() + " functions for \"" + pattern + "\"... Hit Ctrl-C to end.");
            out.flush();
            long seconds = 0;
            boolean exiting = false;
            while (!exiting) {
                exiting = !t.pollFor(interval * 1000, stop);
                seconds += interval;
                if (duration > 0 && seconds >= duration) exiting = true;
                out.println();
                if (a.flag("timestamp")) out.printf("%-8s%n", LocalTime.now().format(TIME));
                out.printf("%-36s %8s%n", "FUNC", "COUNT");
                Map<String, Long> counts = t.counts("@counts", String.class);
                counts.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByValue())
                        .forEach(e -> out.printf("%-36s %8d%n", func(e.getKey()), e.getValue()));
                if (exiting) out.println("Detaching...");
                else t.clear("@counts");
                out.flush();
            }
        }
        return 0;
    }
}
