package org.bpf4j.tools;

import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * The loop of BCC's summarizing tools: wait {@code interval} seconds (or until Ctrl-C), print an empty line, the time
 * with -T, the summary, clear the maps; {@code count} times, or until Ctrl-C.
 */
final class Intervals {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Intervals() {}

    /** Runs the loop; {@code print} prints one summary and clears what it printed. */
    static void loop(Tool t, PrintStream out, BooleanSupplier stop, long interval, long count, boolean timestamp, Runnable print) {
        out.flush();
        long left = count > 0 ? count : Long.MAX_VALUE;
        boolean exiting = false;
        while (!exiting) {
            exiting = !t.pollFor(interval > 0 ? interval * 1000 : 99_999_999_000L, stop);
            out.println();
            if (timestamp) out.println(LocalTime.now().format(TIME));
            print.run();
            out.flush();
            if (--left == 0) exiting = true;
        }
    }
}
