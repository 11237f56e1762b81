package org.bpf4j.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/** The machine's CPU sets, read from sysfs (ranges such as {@code 0-3,6}). */
public final class Cpus {
    private Cpus() {}

    /** CPUs that are online now. */
    public static BitSet online() { return read("online"); }

    /** CPUs that could ever be online: per-CPU map values have one slot for each. */
    public static BitSet possible() { return read("possible"); }

    /** The number of possible CPUs (the highest possible CPU plus one). */
    public static int possibleCount() { return possible().length(); }

    private static BitSet read(String which) {
        try {
            return parse(Files.readString(Path.of("/sys/devices/system/cpu", which)).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a kernel CPU list such as {@code "0-3,6"}. */
    public static BitSet parse(String list) {
        BitSet set = new BitSet();
        if (list.isEmpty()) return set;
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
            set.set(from, to + 1);
        }
        return set;
    }
}
