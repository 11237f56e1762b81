package org.bpf4j.stacks;

import org.bpf4j.stacks.StackSymbols.Frame;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks counted as BCC's profile and offcputime count them: by process name, pid, user stack and kernel stack
 * (frames leaf first, as the kernel records them), each possibly missed. Printed in BCC's multi-line layout or
 * folded (root first, {@code ;}-separated, count last: flamegraph.pl's input and {@link FlameGraph}'s).
 */
public final class StackCounts {
    /** One distinct stack: {@code user} and {@code kernel} leaf first; a missed stack is null (BCC prints a placeholder). */
    public record Stack(String comm, int pid, List<Frame> user, List<Frame> kernel) {}

    /** How a stack is printed: which halves, the {@code -d} delimiter, the {@code -a} annotations. */
    public record Format(boolean userOnly, boolean kernelOnly, boolean delimited, boolean annotated) {}

    private final Map<Stack, Long> counts = new LinkedHashMap<>();
    private long total;

    /** Adds {@code n} (samples, or microseconds off CPU) to {@code stack}. */
    public void add(Stack stack, long n) {
        counts.merge(stack, n, Long::sum);
        total += n;
    }

    /** Every stack and its count, in the order first seen. */
    public Map<Stack, Long> counts() { return counts; }

    /** The sum of every count. */
    public long total() { return total; }

    private List<Map.Entry<Stack, Long>> ascending() {
        List<Map.Entry<Stack, Long>> l = new ArrayList<>(counts.entrySet());
        l.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        return l;
    }

    /** The folded line of {@code s}: process name, user frames root first, kernel frames root first. */
    public static List<String> folded(Stack s, Format f) {
        List<String> line = new ArrayList<>();
        line.add(s.comm());
        if (!f.kernelOnly()) {
            if (s.user() == null) line.add("[Missed User Stack]");
            else for (int i = s.user().size() - 1; i >= 0; i--) line.add(name(s.user().get(i), f));
        }
        if (!f.userOnly()) {
            if (f.delimited() && !f.kernelOnly() && s.user() != null && s.kernel() != null) line.add("-");
            if (s.kernel() == null) line.add("[Missed Kernel Stack]");
            else for (int i = s.kernel().size() - 1; i >= 0; i--) line.add(name(s.kernel().get(i), f));
        }
        return line;
    }

    private static String name(Frame fr, Format f) {
        return f.annotated() ? fr.annotated() : fr.name();
    }

    /** Folded lines ({@code a;b;c N}), fewest first as BCC prints them. */
    public void printFolded(PrintStream out, Format f) {
        for (Map.Entry<Stack, Long> e : ascending())
            out.println(String.join(";", folded(e.getKey(), f).stream().map(s -> s.replace(';', ':')).toList()) + " " + e.getValue());
    }

    /** BCC's multi-line layout: kernel frames, {@code --}, user frames, {@code -  comm (pid)}, the count. */
    public void printStacks(PrintStream out, Format f) {
        for (Map.Entry<Stack, Long> e : ascending()) {
            Stack s = e.getKey();
            if (!f.userOnly()) {
                if (s.kernel() == null) out.println("    [Missed Kernel Stack]");
                else for (Frame fr : s.kernel()) out.println("    " + name(fr, f));
            }
            if (!f.kernelOnly()) {
                if (f.delimited() && !f.userOnly() && s.user() != null && s.kernel() != null) out.println("    --");
                if (s.user() == null) out.println("    [Missed User Stack]");
                else for (Frame fr : s.user()) out.println("    " + name(fr, f));
            }
            out.printf("    %-16s %s (%d)%n", "-", s.comm(), s.pid());
            out.println("        " + e.getValue());
            out.println();
        }
    }
}
