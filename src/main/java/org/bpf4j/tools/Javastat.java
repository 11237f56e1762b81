package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j javastat}: BCC's javastat (ustat -l java): per JVM, method calls, GCs, allocations, class loads,
 * exceptions and thread starts per second. Every process that maps a libjvm.so is found at start; the probes go on
 * each distinct libjvm.so for every process (so a JVM started later from the same JDK is counted too). Two of BCC's
 * counts are fixed: GC/s counts collections (gc__begin; BCC added every pool's mem__pool__gc__begin), and EXC/s
 * counts Throwables filled in (libjvm's JVM_FillInStackTrace; BCC counted JNI ExceptionOccurred calls, which Java
 * code does not make). METHOD/s and OBJNEW/s show "-" for a JVM without the flag their probe needs.
 */
public final class Javastat implements CliTool {
    /** A process and a column, the key of the kernel's counts. */
    public record Key(long pid, long column) {}

    /** The columns, in BCC's order, with the probe that counts each. */
    enum Column {
        METHOD("usdt:%s:hotspot:method__entry"), GC("usdt:%s:hotspot:gc__begin"), OBJNEW("usdt:%s:hotspot:object__alloc"),
        CLOAD("usdt:%s:hotspot:class__loaded"), EXCP("uprobe:%s:JVM_FillInStackTrace"), THREAD("usdt:%s:hotspot:thread__start");

        final String probe;

        Column(String probe) { this.probe = probe; }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "javastat"; }

    @Override public String description() { return "Activity stats from Java processes"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                  bpf4j javastat              # stats for all JVMs, 1 second refresh
                  bpf4j javastat -C           # don't clear the screen
                  bpf4j javastat 5            # 5 second summaries
                  bpf4j javastat 5 10         # 5 second summaries, 10 times only
                """)
                .flag('C', "noclear", "don't clear the screen")
                .string('S', "sort", "{cload,excp,gc,method,objnew,thread}", "sort by this field (descending order)")
                .integer('r', "maxrows", "MAXROWS", "maximum rows to print, default 20")
                .flag('d', "debug", "Print the resulting BPF program (for debugging purposes)")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    /** The running JVMs: pid to the libjvm.so each maps (through /proc/PID/root). */
    static Map<Integer, Path> jvms() {
        Map<Integer, Path> out = new TreeMap<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                int pid = Integer.parseInt(n);
                if (pid == ProcessHandle.current().pid()) continue;
                try {
                    ProcMaps.of(pid).library("libjvm.so").ifPresent(lib -> out.put(pid, Path.of("/proc/" + pid + "/root" + lib)));
                } catch (RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new UserException("javastat: cannot list /proc: " + e.getMessage());
        }
        return out;
    }

    /**
     * One program counting every column for every process of each distinct libjvm.so but {@code self} (bpf4j's own
     * JVM, which maps the same library when it runs on the same JDK).
     */
    static String script(Iterable<Path> libs, long self) {
        StringBuilder sb = new StringBuilder();
        for (Path lib : libs)
            for (Column c : Column.values())
                sb.append(c.probe.formatted(lib)).append(" /pid != ").append(self).append("/ { @n[pid, ").append(c.ordinal()).append("] = count(); }\n");
        return sb.toString();
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String sort = a.string("sort");
        Column sortBy = null;
        if (sort != null) {
            try {
                sortBy = Column.valueOf(sort.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserException("javastat: argument -S/--sort: invalid choice: '" + sort
                        + "' (choose from 'cload', 'excp', 'gc', 'method', 'objnew', 'thread')");
            }
        }
        Map<Integer, Path> jvms = jvms();
        if (jvms.isEmpty()) throw new UserException("javastat: no JVM is running (no process maps a libjvm.so)");
        TreeSet<Path> libs = new TreeSet<>();
        Map<Object, Path> inodes = new HashMap<>();
        for (Path lib : jvms.values()) {
            try {
                if (inodes.putIfAbsent(Files.readAttributes(lib, java.nio.file.attribute.BasicFileAttributes.class).fileKey(), lib) == null) libs.add(lib);
            } catch (IOException e) {
                // the JVM exited meanwhile
            }
        }
        String script = script(libs, ProcessHandle.current().pid());
        if (a.flag("debug")) out.println(script);
        long interval = Math.max(1, a.integer("interval", 1)), maxRows = a.integer("maxrows", 20);
        Map<Integer, boolean[]> flags = new HashMap<>();
        Column by = sortBy;
        try (Tool t = Tool.load(name(), script)) {
            t.start();
            out.printf("Tracing... Output every %d secs. Hit Ctrl-C to end%n", interval);
            Intervals.loop(t, out, stop, interval, a.integer("count", 0), false, () -> {
                Map<Key, Long> counts = t.counts("@n", Key.class);
                t.clear("@n");
                TreeSet<Integer> pids = new TreeSet<>();
                for (int pid : jvms.keySet()) if (Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) pids.add(pid);
                for (Key k : counts.keySet()) pids.add((int) k.pid());
                if (!a.flag("noclear")) out.print("\033[H\033[2J");
                out.printf("%-8s loadavg: %s%n", LocalTime.now().format(TIME), loadavg());
                out.printf("%-6s %-20s %-10s %-6s %-10s %-8s %-6s %-6s%n", "PID", "CMDLINE", "METHOD/s", "GC/s", "OBJNEW/s", "CLOAD/s", "EXC/s", "THR/s");
                List<Integer> order = new ArrayList<>(pids);
                if (by != null) order.sort(Comparator.comparingLong((Integer p) -> -counts.getOrDefault(new Key(p, by.ordinal()), 0L)));
                int rows = 0;
                for (int pid : order) {
                    if (rows++ >= maxRows) break;
                    boolean[] on = flags.computeIfAbsent(pid, p -> probeFlags(p));
                    String cmd = JvmTarget.cmdline(pid);
                    out.printf("%-6d %-20s %-10s %-6d %-10s %-8d %-6d %-6d%n", pid, cmd.substring(0, Math.min(20, cmd.length())),
                            on[0] ? Long.toString(rate(counts, pid, Column.METHOD, interval)) : "-",
                            rate(counts, pid, Column.GC, interval),
                            on[1] ? Long.toString(rate(counts, pid, Column.OBJNEW, interval)) : "-",
                            rate(counts, pid, Column.CLOAD, interval), rate(counts, pid, Column.EXCP, interval),
                            rate(counts, pid, Column.THREAD, interval));
                }
            });
            out.println("Detaching...");
        }
        return 0;
    }

    private static long rate(Map<Key, Long> counts, int pid, Column c, long interval) {
        return counts.getOrDefault(new Key(pid, c.ordinal()), 0L) / interval;
    }

    /** Whether the method and allocation probes can fire in {@code pid} (true when its flags cannot be read). */
    private static boolean[] probeFlags(int pid) {
        try {
            JvmTarget t = JvmTarget.of("javastat", pid);
            PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
            return new boolean[] {t.has(JvmTarget.Flag.METHOD, quiet), t.has(JvmTarget.Flag.ALLOC, quiet)};
        } catch (RuntimeException e) {
            return new boolean[] {true, true};
        }
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
