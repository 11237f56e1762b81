package org.bpf4j.tools;

import org.bpf4j.stacks.FlameGraph;
import org.bpf4j.stacks.FramePointerCheck;
import org.bpf4j.stacks.JitProbes;
import org.bpf4j.stacks.StackSampler;
import org.bpf4j.stacks.StackCounts;
import org.bpf4j.stacks.StackSymbols;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j profile}: BCC's profile (stack traces sampled on the cpu-clock software event, counted per process
 * name, pid, user and kernel stack) with Java frames named: JIT code from bpf4j's map of each JVM's code cache
 * ({@link StackSymbols}, {@link JitProbes}), and a warning when a JVM's stacks stop at the first Java frame.
 * Samples are sent to user space as they are taken and counted there, so each is named with the code that was at
 * its addresses then; {@code --flamegraph FILE} also writes an HTML flame graph.
 */
public final class Profile implements CliTool {
    private final PrintStream diagnostics;

    /** Warnings and notes to standard error, as BCC's. */
    public Profile() { this(System.err); }

    /** Warnings (a JVM without frame pointers, missed stacks) and notes to {@code diagnostics}. */
    public Profile(PrintStream diagnostics) { this.diagnostics = diagnostics; }

    @Override public String name() { return "profile"; }

    @Override public String description() { return "Profile CPU stack traces at a timed interval"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j profile             # profile stack traces at 49 Hertz until Ctrl-C
                    bpf4j profile -F 99       # profile stack traces at 99 Hertz
                    bpf4j profile -c 1000000  # profile stack traces every 1 in a million events
                    bpf4j profile 5           # profile at 49 Hertz for 5 seconds only
                    bpf4j profile -f 5        # output in folded format for flame graphs
                    bpf4j profile -p 185      # only profile process with PID 185
                    bpf4j profile -L 185      # only profile thread with TID 185
                    bpf4j profile -U          # only show user space stacks (no kernel)
                    bpf4j profile -K          # only show kernel space stacks (no user)
                    bpf4j profile -p 185 --flamegraph out.html 10   # a flame graph of a JVM, Java frames named
                """)
                .integer('p', "pid", "PID", "profile process with this PID only")
                .integer('L', "tid", "TID", "profile thread with this TID only")
                .flag('U', "user-stacks-only", "show stacks from user space only (no kernel space stacks)")
                .flag('K', "kernel-stacks-only", "show stacks from kernel space only (no user space stacks)")
                .integer('F', "frequency", "FREQUENCY", "sample frequency, Hertz")
                .integer('c', "count", "COUNT", "sample period, number of events")
                .flag('d', "delimited", "insert delimiter between kernel/user stacks")
                .flag('a', "annotations", "add _[k] annotations to kernel frames (and _[j] to JIT, _[i] to interpreted Java frames)")
                .flag('I', "include-idle", "include CPU idle stacks")
                .flag('f', "folded", "output folded format, one line per stack (for flame graphs)")
                .integer('C', "cpu", "CPU", "cpu number to run profile on")
                .string('\0', "flamegraph", "FILE", "also write an HTML flame graph to FILE")
                .positional("duration", "duration of trace, in seconds");
    }

    private record Sample(long pid, long tid, String comm, long kstack, long ustack) {}

    /** The sampling probe and, unless only kernel stacks are wanted, the JIT's probes. */
    static String script(Args.Parsed a, List<Path> libjvms) {
        List<String> filter = new ArrayList<>();
        long pid = a.integer("pid", -1), tid = a.integer("tid", -1), cpu = a.integer("cpu", -1);
        if (pid >= 0) filter.add("pid == " + pid);
        if (tid >= 0) filter.add("tid == " + tid);
        if (cpu >= 0) filter.add("cpu == " + cpu);
        if (!a.flag("include_idle")) filter.add("pid != 0");
        String probe = a.has("count") ? "software:cpu-clock:" + a.integer("count", 0) : "profile:hz:" + a.integer("frequency", 49);
        String k = a.flag("user_stacks_only") ? "-1" : "kstack", u = a.flag("kernel_stacks_only") ? "-1" : "ustack";
        String sample = "%s /%s/ { print((pid, tid, comm, %s, %s)); }\n".formatted(probe,
                filter.isEmpty() ? "1" : String.join(" && ", filter), k, u);
        return sample + (a.flag("kernel_stacks_only") ? "" : JitProbes.script(libjvms, (int) Math.max(pid, 0)));
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.has("frequency") && a.has("count")) throw new org.bpf4j.UserException("profile: -F and -c exclude each other");
        if (a.flag("user_stacks_only") && a.flag("kernel_stacks_only"))
            throw new org.bpf4j.UserException("profile: -U and -K exclude each other");
        if (a.integer("frequency", 1) <= 0 || a.integer("count", 1) <= 0 || a.integer("duration", 1) <= 0)
            throw new org.bpf4j.UserException("profile: frequency, count and duration must be positive");
        int pid = (int) a.integer("pid", 0);
        if (pid > 0 && !java.nio.file.Files.isDirectory(Path.of("/proc", Integer.toString(pid))))
            throw new org.bpf4j.UserException("profile: no process " + pid);
        boolean folded = a.flag("folded");
        StackCounts.Format format = new StackCounts.Format(a.flag("user_stacks_only"), a.flag("kernel_stacks_only"),
                a.flag("delimited"), a.flag("annotations"));
        List<Path> libjvms = format.kernelOnly() ? List.of() : JitProbes.libjvms(pid);
        StackCounts counts = new StackCounts();
        FramePointerCheck fp = new FramePointerCheck();
        List<String> notes = new ArrayList<>();
        try (Tool t = Tool.load(name(), script(a, libjvms)); StackSymbols symbols = new StackSymbols(notes::add)) {
            StackSampler sampler = new StackSampler(t, symbols, format, fp);
            t.on(Sample.class, s -> counts.add(sampler.stack((int) s.pid(), s.comm(), s.kstack(), s.ustack()), 1));
            if (!libjvms.isEmpty()) JitProbes.bind(t, symbols);
            t.start();
            if (pid > 0 && !format.kernelOnly()) symbols.prepare(pid); // its code map now, before its first sample
            long duration = a.integer("duration", 0);
            if (!folded) {
                String rate = a.has("count") ? "every " + a.integer("count", 0) + " events" : a.integer("frequency", 49) + " Hertz";
                String who = pid > 0 ? "PID " + pid : a.has("tid") ? "TID " + a.integer("tid", 0) : "all threads";
                String stacks = format.userOnly() ? "user" : format.kernelOnly() ? "kernel" : "user + kernel";
                out.print("Sampling at " + rate + " of " + who + " by " + stacks + " stack");
                if (a.has("cpu")) out.print(" on CPU#" + a.integer("cpu", 0));
                out.println(duration > 0 ? " for " + duration + " secs." : "... Hit Ctrl-C to end.");
            }
            out.flush();
            t.pollFor(duration > 0 ? duration * 1000 : Long.MAX_VALUE / 2_000_000, stop);
            while (t.poll(0) > 0) { } // what is already in the buffer
            if (!folded) out.println();
            if (folded) counts.printFolded(out, format);
            else counts.printStacks(out, format);
            if (a.string("flamegraph") != null) FlameGraph.write(Path.of(a.string("flamegraph")), "CPU profile", "samples", counts, format);
            out.flush();
            for (String n : notes) diagnostics.println("NOTE: " + n);
            for (String w : fp.warnings()) diagnostics.println(w);
            long missing = counts.counts().keySet().stream().filter(st -> st.user() == null || st.kernel() == null).count();
            if (missing > 0) diagnostics.println("WARNING: " + missing + " stack traces could not be displayed.");
            if (t.lost() > 0) diagnostics.println("WARNING: " + t.lost() + " samples lost (the reader fell behind).");
        }
        return 0;
    }
}
