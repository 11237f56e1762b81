package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javaevents}: what BCC's Java tools do not show, from HotSpot's probes: class loading and unloading,
 * JIT compilations with their time (method__compile__begin/end) and compiled code loaded and freed
 * (compiled__method__load/unload), safepoints with their time (hs_private:safepoint__begin/end), VM operations
 * (vmops__begin/end) and contended monitors with the time a thread waited to enter (monitor__contended__enter/
 * entered, which need -XX:+DTraceMonitorProbes). One line per event; begin/end pairs are matched per thread.
 */
public final class Javaevents implements CliTool {
    /** One event: when, which thread, its kind (a {@link Kind} ordinal), its time (ns, -1 when none), its text. */
    public record Event(long ts, long tid, long kind, long duration, String s1, String s2, String s3, long n1, long n2) {}

    /** The kinds of events, by the -e group that selects them. */
    enum Kind {
        CLASS_LOAD("class"), CLASS_UNLOAD("class"), COMPILE("jit"), JIT_LOAD("jit"), JIT_UNLOAD("jit"),
        SAFEPOINT("safepoint"), VMOP("vmop"), MONITOR("monitor");

        final String group;

        Kind(String group) { this.group = group; }

        String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    /** The -e groups. */
    enum Group { CLASS, JIT, SAFEPOINT, VMOP, MONITOR }

    @Override public String name() { return "javaevents"; }

    @Override public String description() { return "Trace class loads, JIT, safepoints and monitors in a JVM"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                groups (-e, comma-separated; default: all, monitor only when the JVM has -XX:+DTraceMonitorProbes):
                    class      class__loaded, class__unloaded
                    jit        method__compile__begin/end, compiled__method__load/unload
                    safepoint  hs_private:safepoint__begin/end
                    vmop       vmops__begin/end (the VM operations safepoints run)
                    monitor    monitor__contended__enter/entered (needs -XX:+DTraceMonitorProbes)

                examples:
                    bpf4j javaevents 185                  # every group in process 185
                    bpf4j javaevents -e jit,safepoint 185 # compilations and safepoints only
                    bpf4j javaevents -m -e monitor 185    # contended monitors, times in ms
                """)
                .requiredInteger("pid", "process id to attach to")
                .string('e', "events", "GROUPS", "event groups to trace: class,jit,safepoint,vmop,monitor")
                .flag('m', "milliseconds", "report times in milliseconds (default is microseconds)")
                .integer('d', "duration", "DURATION", "total duration of trace in seconds")
                .flag('v', "verbose", "verbose mode: print the BPF program (for debugging purposes)");
    }

    /** The groups -e names; a typo is an error naming the choices. */
    static Set<Group> groups(String spec) {
        if (spec == null) return EnumSet.allOf(Group.class);
        Set<Group> out = EnumSet.noneOf(Group.class);
        for (String g : spec.split(",")) {
            try {
                out.add(Group.valueOf(g.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UserException("javaevents: -e: no event group '" + g.strip() + "' (choose from class, jit, safepoint, vmop, monitor)");
            }
        }
        return out;
    }

    static String script(Set<Group> groups) {
        StringBuilder sb = new StringBuilder();
        if (groups.contains(Group.CLASS)) sb.append("""
                usdt:libjvm:hotspot:class__loaded { print((nsecs, tid, 0, -1, str(arg0, arg1), "", "", arg2, arg3)); }
                usdt:libjvm:hotspot:class__unloaded { print((nsecs, tid, 1, -1, str(arg0, arg1), "", "", arg2, arg3)); }
                """);
        if (groups.contains(Group.JIT)) sb.append("""
                usdt:libjvm:hotspot:method__compile__begin { @compile[tid] = nsecs; }
                usdt:libjvm:hotspot:method__compile__end /@compile[tid]/ {
                    print((nsecs, tid, 2, nsecs - @compile[tid], str(arg0, arg1), str(arg2, arg3), str(arg4, arg5), arg8, 0));
                    delete(@compile[tid]);
                }
                usdt:libjvm:hotspot:compiled__method__load {
                    print((nsecs, tid, 3, -1, str(arg0, arg1), str(arg2, arg3), str(arg4, arg5), arg6, arg7));
                }
                usdt:libjvm:hotspot:compiled__method__unload {
                    print((nsecs, tid, 4, -1, str(arg0, arg1), str(arg2, arg3), str(arg4, arg5), 0, 0));
                }
                """);
        if (groups.contains(Group.SAFEPOINT)) sb.append("""
                usdt:libjvm:hs_private:safepoint__begin { @safepoint[tid] = nsecs; }
                usdt:libjvm:hs_private:safepoint__end /@safepoint[tid]/ {
                    print((nsecs, tid, 5, nsecs - @safepoint[tid], "", "", "", 0, 0));
                    delete(@safepoint[tid]);
                }
                """);
        if (groups.contains(Group.VMOP)) sb.append("""
                usdt:libjvm:hotspot:vmops__begin { @vmop[tid] = nsecs; }
                usdt:libjvm:hotspot:vmops__end /@vmop[tid]/ {
                    print((nsecs, tid, 6, nsecs - @vmop[tid], str(arg0, arg1), "", "", arg2, 0));
                    delete(@vmop[tid]);
                }
                """);
        if (groups.contains(Group.MONITOR)) sb.append("""
                usdt:libjvm:hotspot:monitor__contended__enter { @enter[tid] = nsecs; }
                usdt:libjvm:hotspot:monitor__contended__entered /@enter[tid]/ {
                    print((nsecs, tid, 7, nsecs - @enter[tid], str(arg2, arg3), "", "", arg1, arg0));
                    delete(@enter[tid]);
                }
                """);
        return sb.toString();
    }

    /** The DETAIL column. */
    static String detail(Event e) {
        return switch (Kind.values()[(int) e.kind()]) {
            case CLASS_LOAD, CLASS_UNLOAD -> e.s1() + " loader=0x" + Long.toHexString(e.n1()) + (e.n2() != 0 ? " shared" : "");
            case COMPILE -> e.s1() + " " + e.s2() + "." + e.s3() + (e.n1() != 0 ? "" : " FAILED");
            case JIT_LOAD -> e.s1() + "." + e.s2() + e.s3() + " code=0x" + Long.toHexString(e.n1()) + " size=" + e.n2();
            case JIT_UNLOAD -> e.s1() + "." + e.s2() + e.s3();
            case SAFEPOINT -> "";
            case VMOP -> e.s1();
            case MONITOR -> e.s1() + " monitor=0x" + Long.toHexString(e.n1()) + " java-tid=" + e.n2();
        };
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        JvmTarget jvm = JvmTarget.of(name(), a.integer("pid", 0));
        Set<Group> groups = groups(a.string("events"));
        if (groups.contains(Group.MONITOR) && !jvm.has(JvmTarget.Flag.MONITOR, System.err)) {
            if (a.string("events") != null) throw JvmTarget.missing(name(), jvm.pid(), JvmTarget.Flag.MONITOR);
            groups.remove(Group.MONITOR);
            System.err.println(name() + ": leaving contended monitors out: " + JvmTarget.missing(name(), jvm.pid(), JvmTarget.Flag.MONITOR)
                    .getMessage().substring(name().length() + 2));
        }
        boolean ms = a.flag("milliseconds");
        String script = script(groups);
        if (a.flag("verbose")) out.println(script);
        long begin = System.nanoTime();
        try (Tool t = Tool.load(name(), script, jvm.pid())) {
            t.on(Event.class, e -> out.printf("%-9.3f %-7d %-13s %10s %s%n", (System.nanoTime() - begin) / 1e9, e.tid(),
                    Kind.values()[(int) e.kind()].label(), e.duration() < 0 ? "-" : String.format("%.2f", e.duration() / (ms ? 1e6 : 1e3)), detail(e)));
            t.start();
            out.printf("Tracing %s events in java process %d... Ctrl-C to quit.%n", groups.toString().toLowerCase(Locale.ROOT), jvm.pid());
            out.printf("%-9s %-7s %-13s %10s %s%n", "TIME(s)", "TID", "EVENT", ms ? "TIME(ms)" : "TIME(us)", "DETAIL");
            Snoop.loop(t, out, jvm.until(stop), a.integer("duration", 0));
            JvmTarget.drain(t, out);
        }
        return 0;
    }
}
