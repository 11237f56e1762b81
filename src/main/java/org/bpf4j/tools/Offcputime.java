package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.stacks.FlameGraph;
import org.bpf4j.stacks.FramePointerCheck;
import org.bpf4j.stacks.JitProbes;
import org.bpf4j.stacks.StackCounts;
import org.bpf4j.stacks.StackSampler;
import org.bpf4j.stacks.StackSymbols;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j offcputime}: BCC's offcputime on the {@code sched:sched_switch} tracepoint (BCC: a kprobe on
 * finish_task_switch). At the switch the task leaving is the current one, so its stacks (where it blocks) and the
 * time are kept by thread; when it is switched back in, the time it was off CPU is summed in the kernel by process,
 * name and stacks. Mixed stacks: kernel, native and Java frames (named as {@code profile} names them), printed as
 * BCC's, folded, and with {@code --flamegraph FILE} as an HTML flame graph of microseconds.
 */
public final class Offcputime implements CliTool {
    private static final long PF_KTHREAD = 0x00200000;
    private final PrintStream diagnostics;

    /** Warnings and notes to standard error, as BCC's. */
    public Offcputime() { this(System.err); }

    /** Warnings and notes to {@code diagnostics}. */
    public Offcputime(PrintStream diagnostics) { this.diagnostics = diagnostics; }

    @Override public String name() { return "offcputime"; }

    @Override public String description() { return "Summarize off-CPU time by stack trace"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j offcputime             # trace off-CPU stack time until Ctrl-C
                    bpf4j offcputime 5           # trace for 5 seconds only
                    bpf4j offcputime -f 5        # 5 seconds, and output in folded format
                    bpf4j offcputime -m 1000     # trace only events that last more than 1000 usec
                    bpf4j offcputime -M 10000    # trace only events that last less than 10000 usec
                    bpf4j offcputime -p 185      # only trace threads for PID 185
                    bpf4j offcputime -t 188      # only trace thread 188
                    bpf4j offcputime -u          # only trace user threads (no kernel)
                    bpf4j offcputime -k          # only trace kernel threads (no user)
                    bpf4j offcputime -U          # only show user space stacks (no kernel)
                    bpf4j offcputime -K          # only show kernel space stacks (no user)
                    bpf4j offcputime -p 185 --flamegraph off.html 10   # an off-CPU flame graph, Java frames named
                """)
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('t', "tid", "TID", "trace this TID only")
                .flag('u', "user-threads-only", "user threads only (no kernel threads)")
                .flag('k', "kernel-threads-only", "kernel threads only (no user threads)")
                .flag('U', "user-stacks-only", "show stacks from user space only (no kernel space stacks)")
                .flag('K', "kernel-stacks-only", "show stacks from kernel space only (no user space stacks)")
                .flag('d', "delimited", "insert delimiter between kernel/user stacks")
                .flag('f', "folded", "output folded format")
                .integer('m', "min-block-time", "MIN_BLOCK_TIME", "the amount of time in microseconds over which we store traces (default 1)")
                .integer('M', "max-block-time", "MAX_BLOCK_TIME", "the amount of time in microseconds under which we store traces (default U64_MAX)")
                .string('\0', "flamegraph", "FILE", "also write an HTML flame graph to FILE")
                .positional("duration", "duration of trace, in seconds");
    }

    private record Key(long pid, String comm, long kstack, long ustack) {}

    /** The switch probe: stacks and time kept when a traced thread leaves, the time summed when it comes back. */
    static String script(Args.Parsed a) {
        List<String> filter = new ArrayList<>(List.of("args.prev_pid != 0"));
        if (a.has("pid")) filter.add("pid == " + a.integer("pid", 0));
        if (a.has("tid")) filter.add("args.prev_pid == " + a.integer("tid", 0));
        if (a.flag("user_threads_only")) filter.add("(curtask->flags & " + PF_KTHREAD + ") == 0");
        if (a.flag("kernel_threads_only")) filter.add("(curtask->flags & " + PF_KTHREAD + ") != 0");
        String k = a.flag("user_stacks_only") ? "-1" : "kstack", u = a.flag("kernel_stacks_only") ? "-1" : "ustack";
        String max = a.has("max_block_time") ? " && $d <= " + a.integer("max_block_time", 0) : "";
        return """
                tracepoint:sched:sched_switch {
                    if (%s) {
                        @start[args.prev_pid] = nsecs;
                        @tgid[args.prev_pid] = pid;
                        @ks[args.prev_pid] = %s;
                        @us[args.prev_pid] = %s;
                    }
                    $t = @start[args.next_pid];
                    if ($t > 0) {
                        $d = (nsecs - $t) / 1000;
                        if ($d >= %d%s) {
                            @off[@tgid[args.next_pid], args.next_comm, @ks[args.next_pid], @us[args.next_pid]] = sum($d);
                        }
                        delete(@start[args.next_pid]);
                        delete(@tgid[args.next_pid]);
                        delete(@ks[args.next_pid]);
                        delete(@us[args.next_pid]);
                    }
                }
                """.formatted(String.join(" && ", filter), k, u, a.integer("min_block_time", 1), max);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.flag("user_threads_only") && a.flag("kernel_threads_only"))
            throw new UserException("offcputime: -u and -k exclude each other");
        if (a.flag("user_stacks_only") && a.flag("kernel_stacks_only"))
            throw new UserException("offcputime: -U and -K exclude each other");
        if (a.has("pid") && a.has("tid")) throw new UserException("offcputime: -p and -t exclude each other");
        if (a.integer("duration", 1) <= 0 || a.integer("min_block_time", 1) < 0 || a.integer("max_block_time", 1) < 0)
            throw new UserException("offcputime: duration and block times must be positive");
        int pid = (int) a.integer("pid", 0);
        if (pid > 0 && !Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) throw new UserException("offcputime: no process " + pid);
        boolean folded = a.flag("folded");
        StackCounts.Format format = new StackCounts.Format(a.flag("user_stacks_only"), a.flag("kernel_stacks_only"),
                a.flag("delimited"), false);
        List<Path> libjvms = pid > 0 && !format.kernelOnly() ? JitProbes.libjvms(pid) : List.of();
        List<String> notes = new ArrayList<>();
        StackCounts counts = new StackCounts();
        try (Tool t = Tool.load(name(), script(a) + JitProbes.script(libjvms, pid)); StackSymbols symbols = new StackSymbols(notes::add)) {
            if (!libjvms.isEmpty()) JitProbes.bind(t, symbols);
            t.start();
            if (pid > 0 && !format.kernelOnly()) symbols.prepare(pid); // its code map now; the JIT's probes keep it fresh
            long duration = a.integer("duration", 0);
            if (!folded) {
                String who = pid > 0 ? "PID " + pid : a.has("tid") ? "TID " + a.integer("tid", 0)
                        : a.flag("user_threads_only") ? "user threads" : a.flag("kernel_threads_only") ? "kernel threads" : "all threads";
                String stacks = format.userOnly() ? "user" : format.kernelOnly() ? "kernel" : "user + kernel";
                out.println("Tracing off-CPU time (us) of " + who + " by " + stacks + " stack"
                        + (duration > 0 ? " for " + duration + " secs." : "... Hit Ctrl-C to end."));
            }
            out.flush();
            t.pollFor(duration > 0 ? duration * 1000 : Long.MAX_VALUE / 2_000_000, stop);
            while (t.poll(0) > 0) { }
            StackSampler sampler = new StackSampler(t, symbols, format, new FramePointerCheck());
            long missing = 0;
            for (Map.Entry<Key, Long> e : t.counts("@off", Key.class).entrySet()) {
                Key k = e.getKey();
                StackCounts.Stack s = sampler.stack((int) k.pid(), k.comm(), k.kstack(), k.ustack());
                if (s.user() == null || s.kernel() == null) missing++;
                counts.add(new StackCounts.Stack(s.comm(), s.pid(), s.user(), trimTracepoint(s.kernel())), e.getValue());
            }
            if (!folded) out.println();
            if (folded) counts.printFolded(out, format);
            else counts.printStacks(out, format);
            if (a.string("flamegraph") != null) FlameGraph.write(Path.of(a.string("flamegraph")), "Off-CPU time", "us", counts, format);
            out.flush();
            for (String n : notes) diagnostics.println("NOTE: " + n);
            if (missing > 0) diagnostics.println("WARNING: " + missing + " stack traces could not be displayed.");
        }
        return 0;
    }

    /** The tracepoint's own frame on top of the kernel stack, which BCC's kprobe does not show. */
    private static List<StackSymbols.Frame> trimTracepoint(List<StackSymbols.Frame> kernel) {
        if (kernel == null || kernel.isEmpty() || !kernel.getFirst().name().startsWith("__traceiter_")) return kernel;
        return kernel.subList(1, kernel.size());
    }
}
