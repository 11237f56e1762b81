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
}
