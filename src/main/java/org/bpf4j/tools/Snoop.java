package org.bpf4j.tools;

import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/** The loop of BCC's per-event tools: print events as they come until a signal or the end of -d's seconds. */
final class Snoop {
    private Snoop() {}

    /** Polls {@code t}, flushing {@code out} when the waiting events are printed, reporting losses as BCC does. */
    static void loop(Tool t, PrintStream out, BooleanSupplier stop, long durationSeconds) {
        out.flush();
        long end = durationSeconds > 0 ? System.nanoTime() + durationSeconds * 1_000_000_000L : Long.MAX_VALUE;
        long lostReported = 0;
        while (!stop.getAsBoolean() && !out.checkError() && System.nanoTime() - end < 0) {
            t.poll(100);
            out.flush();
            long lost = t.lost();
            if (lost > lostReported) {
                System.err.println("Possibly lost " + (lost - lostReported) + " samples");
                lostReported = lost;
            }
        }
    }

    /**
     * Refuses {@code --kprobe} on a kernel without kprobes, in one line naming the tool and the reason, before
     * anything is loaded: the tool's default path (tracepoints) works there.
     */
    static void requireKprobes(String tool) {
        var kprobes = org.bpf4j.link.AttachSupport.kprobes();
        if (!kprobes.supported())
            throw new org.bpf4j.UserException(tool + " --kprobe: this kernel has no kprobes (" + kprobes.reason()
                    + "); without --kprobe " + tool + " traces the system calls' tracepoints");
    }
}
