package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.link.UprobeLink;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j memleak}: BCC's memleak. With {@code -p} (or {@code -c}), uprobes and uretprobes on the allocator
 * functions the target's libc (or {@code -O}'s object) has: each allocation's size, time and user stack kept by
 * address until it is freed. Without, the kernel's allocators through the {@code kmem} tracepoints, as BCC, with
 * kernel stacks. Every interval the outstanding allocations older than {@code -o} are summed by stack and the top
 * stacks printed, symbolized ({@link MemleakReport}).
 */
public final class Memleak implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final long PAGE_SIZE = 4096;
    /** Outstanding allocations kept (BCC: 1,000,000): the size of the maps by address. */
    static final int MAX_ALLOCS = 100_000;

    /** One {@code -t} line: what happened (1 alloc entered, 2 alloc exited, 3 free entered), who, size, address. */
    public record Trace(long kind, String comm, long pid, long size, long address) {}

    /**
     * A libc allocator: its name, BCC's type number (the entry's size is kept per thread and type), the size
     * expression from its arguments, and how the block is given: returned, or stored through the pointer in arg0
     * (posix_memalign). realloc also frees the block in arg0 when it is entered, as BCC's.
     */
    private record Allocator(String name, int type, String size, boolean throughArg0) {}

    private static final List<Allocator> ALLOCATORS = List.of(
            new Allocator("malloc", 1, "arg0", false),
            new Allocator("calloc", 2, "arg0 * arg1", false),
            new Allocator("realloc", 3, "arg1", false),
            new Allocator("mmap", 4, "arg1", false),
            new Allocator("posix_memalign", 5, "arg2", true),
            new Allocator("valloc", 6, "arg0", false),
            new Allocator("memalign", 7, "arg1", false),
            new Allocator("pvalloc", 8, "arg0", false),
            new Allocator("aligned_alloc", 9, "arg1", false));

    /** The frees: free, and munmap for the mmap above. */
    private static final List<String> FREES = List.of("free", "munmap");

    @Override public String name() { return "memleak"; }

    @Override public String description() { return "Trace outstanding memory allocations that weren't freed."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                Supports both user-mode allocations made with libc functions and kernel-mode
                allocations made with kmalloc/kmem_cache_alloc/get_free_pages and corresponding
                memory release functions (here through the kmem tracepoints, as BCC).

                EXAMPLES:

                bpf4j memleak -p $(pidof allocs)
                        Trace allocations and display a summary of "leaked" (outstanding)
                        allocations every 5 seconds
                bpf4j memleak -p $(pidof allocs) -t
                        Trace allocations and display each individual allocator function call
                bpf4j memleak -ap $(pidof allocs) 10
                        Trace allocations and display allocated addresses, sizes, and stacks
                        every 10 seconds for outstanding allocations
                bpf4j memleak -c "./allocs"
                        Run the specified command and trace its allocations
                bpf4j memleak
                        Trace allocations in kernel mode and display a summary of outstanding
                        allocations every 5 seconds
                bpf4j memleak -o 60000
                        Trace allocations in kernel mode and display a summary of outstanding
                        allocations that are at least one minute (60 seconds) old
                bpf4j memleak -s 5
                        Trace roughly every 5th allocation, to reduce overhead
                bpf4j memleak --sort count
                        Trace allocations in kernel mode and display a summary of outstanding
                        allocations that are sorted in count order

                At most 100,000 outstanding allocations (BCC: 1,000,000) and 16,384 distinct stacks
                (BCC: 10,240) are kept: past that, new ones are not counted. Kernel mode uses the
                kmem tracepoints (--percpu: the percpu ones), as BCC. -t prints each call as
                "COMM-PID message" with BCC's messages.
                """)
                .integer('p', "pid", "PID", "the PID to trace; if not specified, trace kernel allocs")
                .flag('t', "trace", "print trace messages for each alloc/free call")
                .positional("interval", "interval in seconds to print outstanding allocations")
                .positional("count", "number of times to print the report before exiting")
                .flag('a', "show-allocs", "show allocation addresses and sizes as well as call stacks")
                .integer('o', "older", "OLDER", "prune allocations younger than this age in milliseconds")
                .string('c', "command", "COMMAND", "execute and trace the specified command")
                .flag('\0', "combined-only", "show combined allocation statistics only")
                .flag('\0', "wa-missing-free", "Workaround to alleviate misjudgments when free is missing")
                .integer('s', "sample-rate", "SAMPLE_RATE", "sample every N-th allocation to decrease the overhead")
                .integer('T', "top", "TOP", "display only this many top allocating stacks (by size)")
                .integer('z', "min-size", "MIN_SIZE", "capture only allocations larger than or equal to this size")
                .integer('Z', "max-size", "MAX_SIZE", "capture only allocations smaller than or equal to this size")
                .string('O', "obj", "OBJ", "attach to allocator functions in the specified object")
                .flag('\0', "percpu", "trace percpu allocations")
                .string('\0', "sort", "SORT", "report sorted in given key; available key list: size, count")
                .string('\0', "symbols-prefix", "SYMBOLS_PREFIX", "memory allocator symbols prefix");
    }

    /** What the kernel side is asked for: filters and the output of {@code -t}. */
    record Options(Long minSize, Long maxSize, long sampleRate, boolean trace, boolean missingFree) {}

    /** The entry filter of an allocation of size {@code $s}: -z, -Z and -s. */
    private static String filter(Options o) {
        List<String> f = new ArrayList<>();
        if (o.minSize() != null) f.add("$s >= " + o.minSize());
        if (o.maxSize() != null) f.add("$s <= " + o.maxSize());
        if (o.sampleRate() > 1) f.add("nsecs % " + o.sampleRate() + " == 0");
        return f.isEmpty() ? "1" : String.join(" && ", f);
    }

    /** An allocation of {@code $s} bytes at address {@code ADDR} kept with its time and stack, and summed by stack. */
    private static String alloc(String addr, String stack, Options o) {
        return """
                $st = %2$s;
                @asize[%1$s] = $s;
                @ats[%1$s] = nsecs;
                @astack[%1$s] = $st;
                @csize[$st] = sum($s);
                @ccount[$st] = sum(1);
                %3$s""".formatted(addr, stack, o.trace() ? "print(((uint64)2, comm, (uint64)pid, $s, (uint64)(" + addr + ")));\n" : "");
    }

    /** The block at {@code ADDR} freed: forgotten, and taken off its stack's sums. */
    private static String free(String addr, Options o) {
        return """
                $fa = (uint64)(%1$s);
                if (@ats[$fa] != 0) {
                    $fs = @asize[$fa];
                    $fst = @astack[$fa];
                    @csize[$fst] = sum(0 - $fs);
                    @ccount[$fst] = sum(0 - 1);
                    delete(@asize[$fa]);
                    delete(@ats[$fa]);
                    delete(@astack[$fa]);
                    %2$s
                }""".formatted(addr, o.trace() ? "print(((uint64)3, comm, (uint64)pid, $fs, $fa));" : "");
    }

    /** The user-space side: entry and return probes on each allocator {@code have} names in {@code lib}. */
    static String userScript(String lib, List<String> have, String prefix, Options o) {
        StringBuilder s = new StringBuilder();
        for (Allocator a : ALLOCATORS) {
            if (!have.contains(a.name())) continue;
            String target = lib + ":" + prefix + a.name();
            s.append("uprobe:").append(target).append(" {\n")
                    .append(a.name().equals("realloc") ? free("arg0", o).indent(4) : "")
                    .append(a.throughArg0() ? "    @memptr[tid] = arg0;\n" : "")
                    .append("    $s = (uint64)(").append(a.size()).append(");\n")
                    .append("    if (").append(filter(o)).append(") {\n")
                    .append("        @size[tid, ").append(a.type()).append("] = $s + 1;\n")
                    .append(o.trace() ? "        print(((uint64)1, comm, (uint64)pid, $s, (uint64)0));\n" : "")
                    .append("    }\n}\n");
            String address = a.throughArg0() ? "$addr" : "(uint64)retval";
            s.append("uretprobe:").append(target).append(" {\n")
                    .append("    $s = @size[tid, ").append(a.type()).append("];\n")
                    .append("    if ($s != 0) {\n")
                    .append("        delete(@size[tid, ").append(a.type()).append("]);\n")
                    .append("        $s = $s - 1;\n");
            if (a.throughArg0()) {
                s.append("        $p = @memptr[tid];\n        delete(@memptr[tid]);\n")
                        .append("        $addr = (uint64)0;\n")
                        .append("        if (retval == 0 && $p != 0) { $addr = *(uint64 *)$p; }\n");
            }
            s.append("        if (").append(address).append(" != 0) {\n")
                    .append(alloc(address, "ustack", o).indent(12))
                    .append("        }\n    }\n}\n");
        }
        for (String f : FREES) {
            if (!have.contains(f)) continue;
            s.append("uprobe:").append(lib).append(":").append(prefix).append(f).append(" {\n")
                    .append(free("arg0", o).indent(4)).append("}\n");
        }
        return s.toString();
    }

    /** The kernel side: BCC's kmem tracepoints, page allocations by page frame number. */
    static String kernelScript(Options o, boolean node, boolean percpu) {
        StringBuilder s = new StringBuilder();
        if (percpu) { // BCC's --percpu: the per-CPU allocator instead of the others
            s.append("tracepoint:percpu:percpu_alloc_percpu {\n")
                    .append("    $s = (uint64)args.size;\n")
                    .append("    if (").append(filter(o)).append(") {\n")
                    .append(alloc("(uint64)args.ptr", "kstack", o).indent(8))
                    .append("    }\n}\n")
                    .append("tracepoint:percpu:percpu_free_percpu {\n").append(free("args.ptr", o).indent(4)).append("}\n");
            return s.toString();
        }
        List<String> slab = new ArrayList<>(List.of("kmalloc", "kmem_cache_alloc"));
        if (node) slab.addAll(List.of("kmalloc_node", "kmem_cache_alloc_node"));
        for (String ev : slab) {
            s.append("tracepoint:kmem:").append(ev).append(" {\n")
                    .append(o.missingFree() ? free("args.ptr", o).indent(4) : "")
                    .append("    $s = (uint64)args.bytes_alloc;\n")
                    .append("    if (").append(filter(o)).append(" && (uint64)args.ptr != 0) {\n")
                    .append(alloc("(uint64)args.ptr", "kstack", o).indent(8))
                    .append("    }\n}\n");
        }
        s.append("tracepoint:kmem:mm_page_alloc {\n")
                .append("    $s = (uint64)").append(PAGE_SIZE).append(" << args.order;\n")
                .append("    if (").append(filter(o)).append(") {\n")
                .append(alloc("args.pfn", "kstack", o).indent(8))
                .append("    }\n}\n");
        for (String[] ev : new String[][] {{"kfree", "args.ptr"}, {"kmem_cache_free", "args.ptr"}, {"mm_page_free", "args.pfn"}})
            s.append("tracepoint:kmem:").append(ev[0]).append(" {\n").append(free(ev[1], o).indent(4)).append("}\n");
        return s.toString();
    }

    /** The user-space script for process {@code pid}: the allocators of {@code -O}'s object (libc by default). */
    private static String userScript(Args.Parsed a, Options o, int pid) {
        String obj = a.string("obj") == null || a.string("obj").equals("c") ? "libc" : a.string("obj");
        Path lib = UprobeLink.resolveBinary(obj, pid);
        String prefix = a.string("symbols_prefix") == null ? "" : a.string("symbols_prefix");
        List<String> have = new ArrayList<>();
        try (ElfFile elf = ElfFile.open(lib)) {
            for (Allocator al : ALLOCATORS) if (elf.symbol(prefix + al.name()).isPresent()) have.add(al.name());
            for (String f : FREES) if (elf.symbol(prefix + f).isPresent()) have.add(f);
        }
        if (!have.contains("malloc") || !have.contains("free"))
            throw new UserException("memleak: " + lib + " has no " + prefix + "malloc or " + prefix + "free to attach to");
        return userScript(lib.toString(), have, prefix, o);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String sort = a.string("sort") == null ? "size" : a.string("sort");
        if (!sort.equals("size") && !sort.equals("count")) {
            out.println("Given sort_key: " + sort);
            out.println("Supporting sort key list: ['size', 'count']");
            return 1;
        }
        Long min = a.has("min_size") ? a.integer("min_size", 0) : null, max = a.has("max_size") ? a.integer("max_size", 0) : null;
        if (min != null && max != null && min > max) {
            out.println("min_size (-z) can't be greater than max_size (-Z)");
            return 1;
        }
        long interval = a.integer("interval", 5), count = a.integer("count", 0), older = a.integer("older", 500);
        if (interval <= 0) throw new UserException("memleak: interval must be positive");
        if (a.has("pid") && a.has("command")) throw new UserException("memleak: -p and -c exclude each other");
        Options o = new Options(min, max, Math.max(1, a.integer("sample_rate", 1)), a.flag("trace"), a.flag("wa_missing_free"));
        int pid = (int) a.integer("pid", -1);
        Process child = null;
        if (a.string("command") != null) {
            out.println("Executing '" + a.string("command") + "' and tracing the resulting process.");
            out.flush();
            child = MemleakCommand.startStopped(a.string("command"));
            pid = (int) child.pid();
        }
        boolean kernel = pid <= 0;
        boolean resumed = false;
        try {
            if (!kernel && !Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) throw new UserException("memleak: no process " + pid);
            String script = "config = { max_map_keys = " + MAX_ALLOCS + " }\n" + (kernel
                    ? kernelScript(o, Files.isDirectory(Path.of("/sys/kernel/tracing/events/kmem/kmalloc_node")), a.flag("percpu"))
                    : userScript(a, o, pid));
            try (Tool t = kernel ? Tool.load(name(), script) : Tool.load(name(), script, pid)) {
                if (o.trace()) t.on(Trace.class, e -> out.println(traceLine(e)));
                t.start();
                if (child != null) MemleakCommand.resume(child);
                resumed = true;
                out.println(kernel ? "Attaching to kernel allocators, Ctrl+C to quit." : "Attaching to pid " + pid + ", Ctrl+C to quit.");
                out.flush();
                if (o.trace()) {
                    Snoop.loop(t, out, stop, 0);
                    return 0;
                }
                MemleakReport report = new MemleakReport(t, kernel ? -1 : pid, (int) a.integer("top", 10), sort.equals("count"),
                        a.flag("show_allocs"), older * 1_000_000L);
                for (long printed = 0; t.pollFor(interval * 1000, stop); ) {
                    out.println("[" + LocalTime.now().format(TIME) + "] Top " + a.integer("top", 10) + " stacks with outstanding allocations:");
                    if (a.flag("combined_only")) report.printCombined(out);
                    else report.printOutstanding(out);
                    out.flush();
                    if (count > 0 && ++printed >= count) break;
                }
            }
        } finally {
            if (child != null && !resumed) child.destroyForcibly(); // never left stopped when tracing could not start
        }
        return 0;
    }

    /** A {@code -t} line: BCC's trace message, after the task and its pid. */
    static String traceLine(Trace e) {
        String msg = switch ((int) e.kind()) {
            case 1 -> "alloc entered, size = " + e.size();
            case 2 -> "alloc exited, size = " + e.size() + ", result = " + Long.toHexString(e.address());
            default -> "free entered, address = " + Long.toHexString(e.address()) + ", size = " + e.size();
        };
        return String.format("%16s-%-7d %s", e.comm(), e.pid(), msg);
    }
}
