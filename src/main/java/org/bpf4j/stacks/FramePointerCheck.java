package org.bpf4j.stacks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Notices JVMs run without {@code -XX:+PreserveFramePointer}: HotSpot's JIT code then uses the frame pointer as an
 * ordinary register, so the kernel's frame-pointer walk stops at the first Java frame, and the user stack is one
 * or two frames ending in the code cache. When most of a JVM's samples that are in Java code end there, the walk
 * could not pass it, and {@link #warnings} says which flag to add and what it costs.
 */
public final class FramePointerCheck {
    private static final int MIN_SAMPLES = 10;

    private final Map<Integer, long[]> byPid = new TreeMap<>(); // {samples in Java code, of them ending in it}

    /** Records one user stack (leaf first) of JVM {@code pid}. */
    public void sample(int pid, List<StackSymbols.Frame> user) {
        if (user == null || user.isEmpty() || !java(user.getFirst())) return;
        long[] c = byPid.computeIfAbsent(pid, k -> new long[2]);
        c[0]++;
        StackSymbols.Frame last = user.getLast();
        if (user.size() <= 2 && (java(last) || last.kind() == StackSymbols.Kind.UNKNOWN)) c[1]++;
    }

    private static boolean java(StackSymbols.Frame f) {
        return f.kind() == StackSymbols.Kind.JIT || f.kind() == StackSymbols.Kind.INTERPRETED;
    }

    /** One line per JVM whose stacks were cut short, naming the flag and its cost; empty when none was. */
    public List<String> warnings() {
        return byPid.entrySet().stream().filter(e -> e.getValue()[0] >= MIN_SAMPLES && e.getValue()[1] * 2 > e.getValue()[0])
                .map(e -> "WARNING: JVM " + e.getKey() + ": " + e.getValue()[1] + " of its " + e.getValue()[0]
                        + " samples in Java code end there at depth 1-2: without a frame pointer in JIT code the stack walk"
                        + " stops at the first Java frame. Run the JVM with -XX:+PreserveFramePointer to see whole Java stacks"
                        + " (it costs a few percent of throughput: one register less for compiled code).")
                .toList();
    }
}
