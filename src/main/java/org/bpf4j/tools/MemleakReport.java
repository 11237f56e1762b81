package org.bpf4j.tools;

import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;
import org.bpf4j.UserException;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * memleak's reports, read from its maps as BCC reads them: outstanding allocations older than {@code -o} summed by
 * stack ({@code @asize}, {@code @ats}, {@code @astack}: size, time and stack by address), or {@code --combined-only}'s
 * running sums by stack ({@code @csize}, {@code @ccount}); the top stacks printed fewest first, each frame as BCC's
 * {@code 0x%016x\tname+0xoff [module]}.
 */
final class MemleakReport {
    /** A sum map's key: a stack. */
    record StackKey(long id) {}

    private final Tool tool;
    private final int pid;
    private final int top;
    private final boolean byCount;
    private final boolean showAllocs;
    private final long minAgeNs;

    /** For the tool's maps; {@code pid} -1 for kernel stacks. */
    MemleakReport(Tool tool, int pid, int top, boolean byCount, boolean showAllocs, long minAgeNs) {
        this.tool = tool;
        this.pid = pid;
        this.top = top;
        this.byCount = byCount;
        this.showAllocs = showAllocs;
        this.minAgeNs = minAgeNs;
    }

    private record Site(long stack, long[] sizeCount) {}

    /** BCC's print_outstanding: allocations by size, the old enough ones summed by stack (after -a's lines). */
    void printOutstanding(PrintStream out) {
        Map<Long, Long> sizes = tool.counts("@asize", Long.class), times = tool.counts("@ats", Long.class),
                stacks = tool.counts("@astack", Long.class);
        long now = System.nanoTime(); // CLOCK_MONOTONIC, as nsecs
        List<Map.Entry<Long, Long>> bySize = new ArrayList<>(sizes.entrySet());
        bySize.sort(Map.Entry.comparingByValue(Long::compareUnsigned));
        Map<Long, long[]> sites = new LinkedHashMap<>();
        for (Map.Entry<Long, Long> e : bySize) {
            Long ts = times.get(e.getKey()), stack = stacks.get(e.getKey());
            if (ts == null || stack == null || now - minAgeNs < ts || stack < 0) continue;
            long[] sc = sites.computeIfAbsent(stack, s -> new long[2]);
            sc[0] += e.getValue();
            sc[1]++;
            if (showAllocs) out.printf("\taddr = %x size = %d%n", e.getKey(), e.getValue());
        }
        List<Site> shown = new ArrayList<>();
        sites.forEach((s, sc) -> shown.add(new Site(s, sc)));
        shown.sort(Comparator.comparingLong(s -> byCount ? s.sizeCount()[1] : s.sizeCount()[0]));
        try (Frames frames = new Frames(pid)) {
            for (Site s : shown.subList(Math.max(0, shown.size() - top), shown.size()))
                out.printf("\t%d bytes in %d allocations from stack\n\t\t%s%n", s.sizeCount()[0], s.sizeCount()[1], frames.stack(s.stack()));
        }
    }

    /** BCC's print_outstanding_combined: the running sums by stack, the top ones, fewest first. */
    void printCombined(PrintStream out) {
        Map<StackKey, Long> sizes = tool.counts("@csize", StackKey.class), counts = tool.counts("@ccount", StackKey.class);
        List<Site> sites = new ArrayList<>();
        sizes.forEach((k, v) -> {
            long n = counts.getOrDefault(k, 0L);
            if (n > 0) sites.add(new Site(k.id(), new long[] {v, n}));
        });
        sites.sort(Comparator.comparingLong((Site s) -> byCount ? s.sizeCount()[1] : s.sizeCount()[0]).reversed());
        List<String> entries = new ArrayList<>();
        try (Frames frames = new Frames(pid)) {
            for (Site s : sites.subList(0, Math.min(top, sites.size())))
                entries.add(String.format("\t%d bytes in %d allocations from stack\n\t\t%s", s.sizeCount()[0], s.sizeCount()[1],
                        frames.stack(s.stack())));
        }
        for (int i = entries.size() - 1; i >= 0; i--) out.println(entries.get(i));
    }

    /** Names the frames of one report's stacks: the process's ELF symbols read once, kallsyms for the kernel. */
    private final class Frames implements AutoCloseable {
        private final UserSymbols user;
        private final Map<Long, String> names = new HashMap<>();

        Frames(int pid) {
            UserSymbols u = null;
            if (pid > 0) {
                try {
                    u = UserSymbols.of(pid);
                } catch (UserException e) {
                    u = null; // exited: its frames are unknown
                }
            }
            user = u;
        }

        /** The frames joined as BCC joins them; a stack the map no longer holds is BCC's "stack information lost". */
        String stack(long id) {
            List<String> lines = new ArrayList<>();
            if (id < 0 || tool.stack(id).length == 0) return "stack information lost";
            for (long addr : tool.stack(id)) lines.add(String.format("0x%016x\t", addr) + names.computeIfAbsent(addr, this::name));
            return String.join("\n\t\t", lines);
        }

        private String name(long addr) {
            if (pid <= 0) {
                Optional<Kallsyms.Symbol> s = Kallsyms.get().symbolAt(addr);
                return s.map(k -> k.name() + "+0x" + Long.toHexString(addr - k.address()) + " [kernel]").orElse("[unknown]");
            }
            Optional<UserSymbols.Resolved> r = user == null ? Optional.empty() : user.resolve(addr);
            return r.map(x -> x.function() + "+0x" + Long.toHexString(x.offset()) + " [" + x.file().getFileName() + "]").orElse("[unknown]");
        }

        @Override
        public void close() {
            if (user != null) user.close();
        }
    }
}
