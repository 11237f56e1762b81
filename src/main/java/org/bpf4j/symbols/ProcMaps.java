package org.bpf4j.symbols;

import org.bpf4j.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A process's memory mappings from {@code /proc/PID/maps}: which file is mapped where. Finds the shared library a
 * uprobe names by its short name ({@code libc}, {@code libc.so.6}) and turns a user address into a file offset.
 */
public final class ProcMaps {
    private final int pid;
    private final List<Mapping> mappings;

    /** One line: addresses {@code [start, end)}, permissions such as {@code r-xp}, file offset, inode and path. */
    public record Mapping(long start, long end, String perms, long offset, long inode, String path) {
        /** True for an executable mapping. */
        public boolean executable() { return perms.length() > 2 && perms.charAt(2) == 'x'; }

        /** True when the mapping is of a file (not the heap, the stack, an anonymous region...). */
        public boolean isFile() { return path.startsWith("/"); }
    }

    private ProcMaps(int pid, List<Mapping> mappings) {
        this.pid = pid;
        this.mappings = mappings;
    }

    /** Reads the mappings of process {@code pid}; a {@link UserException} when there is no such process. */
    public static ProcMaps of(int pid) {
        Path file = Path.of("/proc", Integer.toString(pid), "maps");
        try {
            return new ProcMaps(pid, parse(Files.readAllLines(file)));
        } catch (NoSuchFileException e) {
            throw new UserException("no process " + pid + " (no " + file + ")");
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses lines in the {@code /proc/PID/maps} format. */
    public static List<Mapping> parse(List<String> lines) {
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5) continue;
            int dash = f[0].indexOf('-');
            if (dash < 0) continue;
            out.add(new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseUnsignedLong(f[2], 16),
                    Long.parseLong(f[4]), f.length > 5 ? f[5] : ""));
        }
        return List.copyOf(out);
    }

    /** The process these mappings belong to. */
    public int pid() { return pid; }

    /** Every mapping, in address order. */
    public List<Mapping> mappings() { return mappings; }

    /** The mapping containing {@code address}, if any. */
    public Optional<Mapping> containing(long address) {
        for (Mapping m : mappings) if (address >= m.start && address < m.end) return Optional.of(m);
        return Optional.empty();
    }

    /**
     * The file of a mapped library called {@code name}: its path, or its file name, or a file name that starts
     * with {@code name} followed by {@code .so} or {@code -} (so {@code libc} finds {@code libc.so.6}, and
     * {@code c} also finds it, as {@code lib} + name).
     */
    public Optional<Path> library(String name) {
        for (Mapping m : mappings) {
            if (!m.isFile()) continue;
            String path = m.path.endsWith(" (deleted)") ? m.path.substring(0, m.path.length() - 10) : m.path;
            String file = path.substring(path.lastIndexOf('/') + 1);
            if (path.equals(name) || file.equals(name) || matchesShort(file, name) || matchesShort(file, "lib" + name))
                return Optional.of(Path.of(path));
        }
        return Optional.empty();
    }

    private static boolean matchesShort(String file, String name) {
        return file.startsWith(name) && file.length() > name.length()
                && (file.startsWith(".so", name.length()) || file.charAt(name.length()) == '-');
    }
}
