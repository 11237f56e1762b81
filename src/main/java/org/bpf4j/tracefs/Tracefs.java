package org.bpf4j.tracefs;

import org.bpf4j.UserException;
import org.bpf4j.sys.Mounts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The kernel's tracing file system: event ids and record formats. Found through /proc/mounts; when it is
 * not mounted and we are root, it is mounted at /sys/kernel/tracing (it is not mounted at boot on some machines).
 */
public final class Tracefs {
    /** Where tracefs is mounted when bpf4j mounts it. */
    public static final Path DEFAULT = Path.of("/sys/kernel/tracing");
    private static volatile Tracefs instance;

    private final Path root;
    private final Map<String, EventFormat> formats = new ConcurrentHashMap<>();

    private Tracefs(Path root) { this.root = root; }

    /** The machine's tracefs, mounting it first when needed and allowed. */
    public static Tracefs get() {
        Tracefs t = instance;
        if (t == null) {
            synchronized (Tracefs.class) {
                if (instance == null) instance = new Tracefs(locate());
                t = instance;
            }
        }
        return t;
    }

    /** A tracefs at an explicit path (tests; a copied events tree). */
    public static Tracefs at(Path root) { return new Tracefs(root); }

    private static Path locate() {
        for (Path p : Mounts.of("tracefs")) if (Files.isDirectory(p.resolve("events"))) return p;
        Path legacy = Path.of("/sys/kernel/debug/tracing");
        if (Files.isDirectory(legacy.resolve("events"))) return legacy;
        Mounts.mount("nodev", DEFAULT, "tracefs", "tracefs");
        return DEFAULT;
    }

    /** The mount point. */
    public Path root() { return root; }

    /** The record format of {@code category:name}; a {@link UserException} naming it when there is no such tracepoint. */
    public EventFormat format(String category, String name) {
        return formats.computeIfAbsent(category + ":" + name, key -> {
            if (category.isEmpty() || name.isEmpty() || (category + name).contains("/") || (category + name).indexOf('\0') >= 0)
                throw new UserException("tracepoint " + key.replace("\0", "\\0") + " not found");
            Path file = root.resolve("events").resolve(category).resolve(name).resolve("format");
            if (!Files.isRegularFile(file)) throw new UserException("tracepoint " + key + " not found (no " + file + ")");
            try {
                return EventFormat.parse(category, name, Files.readString(file));
            } catch (NoSuchFileException e) {
                throw new UserException("tracepoint " + key + " not found (no " + file + ")");
            } catch (IOException e) {
                throw new UserException("tracepoint " + key + ": cannot read " + file + ": " + e.getMessage(), e);
            }
        });
    }

    /** The event id of {@code category:name} (what perf_event_open takes as config). */
    public int eventId(String category, String name) { return format(category, name).id(); }

    /**
     * Every tracepoint as {@code category:name}, sorted: those with an {@code enable} file, as available_events
     * lists them (ftrace's own events, such as ftrace:function, have a format but cannot be enabled or attached).
     */
    public List<String> tracepoints() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> cats = Files.list(root.resolve("events"))) {
            for (Path cat : cats.filter(Files::isDirectory).toList()) {
                try (Stream<Path> evs = Files.list(cat)) {
                    evs.filter(e -> Files.isRegularFile(e.resolve("format")) && Files.exists(e.resolve("enable")))
                       .forEach(e -> out.add(cat.getFileName() + ":" + e.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }
    /**
     * The kernel functions ftrace can trace ({@code available_filter_functions}: what kprobe wildcards and
     * {@code -l 'kprobe:*'} offer), distinct and sorted, module names dropped; empty when the file is missing
     * (a kernel without dynamic ftrace).
     */
    public List<String> kernelFunctions() {
        Path f = root.resolve("available_filter_functions");
        if (!Files.isReadable(f)) return List.of();
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        try (Stream<String> lines = Files.lines(f)) {
            lines.forEach(l -> {
                int sp = l.indexOf(' ');
                String name = sp < 0 ? l : l.substring(0, sp);
                if (!name.isEmpty() && !name.startsWith("__ftrace_invalid_address__")) out.add(name);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }
}
