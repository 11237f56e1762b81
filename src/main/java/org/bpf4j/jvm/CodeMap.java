package org.bpf4j.jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What code sits where in one JVM's code cache: JIT-compiled methods, the interpreter and stubs, by address range.
 * Filled from a perf map ({@code /tmp/perf-PID.map}: {@code START SIZE name} lines, hex, as HotSpot's
 * {@code Compiler.perfmap} and perf-map agents write them) and kept fresh by HotSpot's
 * {@code compiled__method__load}/{@code unload} probes: code loaded later replaces what overlapped it, so an
 * address reused by another method after the first was freed names the new one from then on.
 */
public final class CodeMap {
    /** One piece of code: {@code [start, end)} and its name ({@code Hot.delta}, {@code Interpreter}). */
    public record Code(long start, long end, String name) {}

    private final TreeMap<Long, Code> byStart = new TreeMap<>();
    private final Map<String, Deque<Code>> byMethod = new HashMap<>();
    private long generation;

    /** An empty map. */
    public CodeMap() {}

    /** The code containing {@code address}, if known. */
    public Optional<Code> find(long address) {
        Entry<Long, Code> e = byStart.floorEntry(address);
        return e != null && Long.compareUnsigned(address, e.getValue().end()) < 0 ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** How many times the map changed: a cache of names made from it is stale once this moves. */
    public long generation() { return generation; }

    /** How many pieces of code the map holds. */
    public int size() { return byStart.size(); }

    /** Code {@code name} now at {@code [start, start+size)}; whatever overlapped it before is gone. */
    public void load(long start, long size, String name) {
        if (size <= 0) return;
        long end = start + size;
        Entry<Long, Code> below = byStart.lowerEntry(start);
        if (below != null && Long.compareUnsigned(below.getValue().end(), start) > 0) remove(below.getValue());
        while (true) {
            Entry<Long, Code> e = byStart.ceilingEntry(start);
            if (e == null || Long.compareUnsigned(e.getKey(), end) >= 0) break;
            remove(e.getValue());
        }
        Code c = new Code(start, end, name);
        byStart.put(start, c);
        byMethod.computeIfAbsent(name, k -> new ArrayDeque<>()).addLast(c);
        generation++;
    }

    /**
     * Method {@code name} freed one of its compiled versions (HotSpot's unload probe names the method, not the
     * address): the oldest version still held goes, as the one replaced by a newer tier.
     */
    public void unload(String name) {
        Deque<Code> versions = byMethod.get(name);
        if (versions == null || versions.isEmpty()) return;
        Code oldest = versions.peekFirst();
        remove(oldest);
        generation++;
    }

    private void remove(Code c) {
        byStart.remove(c.start(), c);
        Deque<Code> versions = byMethod.get(c.name());
        if (versions != null) {
            versions.remove(c);
            if (versions.isEmpty()) byMethod.remove(c.name());
        }
    }

    /** Adds a perf map file's entries (lines that do not parse are skipped); false when the file cannot be read. */
    public boolean readPerfMap(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (String line; (line = r.readLine()) != null; ) {
                int s1 = line.indexOf(' '), s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
                if (s2 < 0) continue;
                try {
                    load(hex(line.substring(0, s1)), hex(line.substring(s1 + 1, s2)), methodName(line.substring(s2 + 1)));
                } catch (NumberFormatException e) {
                    // not a map line
                }
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    /**
     * A perf map's name as a frame shows it: HotSpot writes {@code long Hot.delta(long)}, agents often
     * {@code LHot;delta(J)J} or {@code Hot::delta}; the return type and the parameters go, {@code Class.method} stays.
     * Stubs ({@code Interpreter}, {@code StubRoutines (1)}) stay as they are.
     */
    public static String methodName(String raw) {
        String s = raw.strip();
        int paren = s.indexOf('(');
        if (paren <= 0) return s.indexOf(' ') < 0 ? s.replace("::", ".") : s;
        String head = s.substring(0, paren);
        int space = head.lastIndexOf(' ');
        if (space >= 0) head = head.substring(space + 1);
        if (head.isEmpty()) return s;
        return head.replace("::", ".");
    }

    /**
     * A method as HotSpot's probes name it: {@code java/lang/String} and {@code indexOf} give
     * {@code java.lang.String.indexOf}.
     */
    public static String probeName(String klass, String method) {
        return klass.replace('/', '.') + "." + method;
    }
}
