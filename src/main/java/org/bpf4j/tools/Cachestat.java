package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j cachestat}: BCC's cachestat with the filemap and writeback tracepoints standing in for its kprobes.
 * Accesses are the pages page-cache lookups cover ({@code mm_filemap_get_pages}'s range for read(2),
 * {@code mm_filemap_fault} and {@code mm_filemap_map_pages} for mappings; BCC: folio_mark_accessed calls), misses
 * the pages added to the cache ({@code mm_filemap_add_to_page_cache}, 1 &lt;&lt; order; BCC: filemap_add_folio)
 * less the folios dirtied ({@code writeback_dirty_folio}, as BCC's fallback), which are also the DIRTIES column
 * (BCC: mark_buffer_dirty calls). Hits are accesses less misses, and BCC's arithmetic is kept from there.
 */
public final class Cachestat implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String filter;

    /** The tool as {@code bpf4j cachestat} runs it: every process. */
    public Cachestat() { this(""); }

    /** Counting only where {@code filter} (a predicate of the tracing language) holds; for tests. */
    Cachestat(String filter) { this.filter = filter; }

    @Override public String name() { return "cachestat"; }

    @Override public String description() { return "Count cache kernel function calls"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), "")
                .flag('T', "timestamp", "include timestamp on output")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
    }

    /** The kernel side: pages accessed, pages added, folios dirtied. */
    static String script(String filter) {
        String f = filter.isEmpty() ? "" : "/" + filter + "/ ";
        return """
                tracepoint:filemap:mm_filemap_get_pages, tracepoint:filemap:mm_filemap_map_pages %1$s{ @access = sum(args.last_index - args.index + 1); }
                tracepoint:filemap:mm_filemap_fault %1$s{ @access = sum(1); }
                tracepoint:filemap:mm_filemap_add_to_page_cache %1$s{ @added = sum(1 << args.order); }
                tracepoint:writeback:writeback_dirty_folio %1$s{ @dirtied = sum(1); }
                """.formatted(f);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean timestamp = a.flag("timestamp");
        long interval = a.integer("interval", 1), count = a.integer("count", -1);
        try (Tool t = Tool.load(name(), script(filter))) {
            t.start();
            if (timestamp) out.printf("%-8s ", "TIME");
            out.printf("%8s %8s %8s %8s %12s %10s%n", "HITS", "MISSES", "DIRTIES", "HITRATIO", "BUFFERS_MB", "CACHED_MB");
            out.flush();
            for (long loop = 1; count <= 0 || loop <= count; loop++) {
                boolean exiting = !t.pollFor(interval * 1000, stop);
                long access = total(t, "@access"), added = total(t, "@added"), dirtied = total(t, "@dirtied");
                long total = Math.max(0, access), misses = Math.max(0, added - dirtied), hits = total - misses;
                if (hits < 0) { // readahead added more than was read: all of it a miss, as BCC decides
                    misses = total;
                    hits = 0;
                }
                double ratio = total > 0 ? (double) hits / total : 0;
                Map<String, Long> mem = meminfo();
                if (timestamp) out.printf("%-8s ", LocalTime.now().format(TIME));
                out.printf("%8d %8d %8d %7.2f%% %12.0f %10.0f%n", hits, misses, dirtied, 100 * ratio,
                        mem.getOrDefault("Buffers", 0L) / 1024.0, mem.getOrDefault("Cached", 0L) / 1024.0);
                out.flush();
                if (exiting) {
                    out.println("Detaching...");
                    break;
                }
            }
        }
        return 0;
    }

    /** A sum() map's value, cleared for the next interval. */
    private static long total(Tool t, String map) {
        long v = t.counts(map, String.class).values().stream().mapToLong(Long::longValue).sum();
        t.clear(map);
        return v;
    }

    /** /proc/meminfo's values, in kB. */
    static Map<String, Long> meminfo() {
        Map<String, Long> m = new java.util.HashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                String[] p = l.split(":\\s+|\\s+");
                if (p.length >= 2) m.put(p[0], Long.parseLong(p[1]));
            }
        } catch (IOException | NumberFormatException e) {
            // the cache sizes print as 0
        }
        return m;
    }
}
