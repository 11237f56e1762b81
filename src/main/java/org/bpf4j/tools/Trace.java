package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j bcc-trace}: BCC's trace, named so because {@code bpf4j trace} is bpftrace's command line. Each
 * probe ({@link TraceProbe}) becomes a probe of the tracing language sending its values; the message is made here,
 * as BCC's Python side makes it, in BCC's {@code PID TID COMM FUNC -} columns. Kernel functions are kprobes, which
 * kernels without them refuse; tracepoints, uprobes and USDT probes run.
 */
public final class Trace implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "bcc-trace"; }

    @Override public String description() { return "Attach to functions and print trace messages."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                EXAMPLES:

                bcc-trace do_sys_open
                        Trace the open syscall and print a default trace message when entered
                bcc-trace 'do_sys_open "%s", arg2@user'
                        Trace the open syscall and print the filename being opened
                bcc-trace 'do_sys_open "%s", arg2@user' -n main
                        Trace the open syscall and only print event that process names containing "main"
                bcc-trace 'do_sys_open "%s", arg2@user' --uid 1001
                        Trace the open syscall and only print event that processes with user ID 1001
                bcc-trace 'do_sys_open "%s", arg2@user' -f config
                        Trace the open syscall and print the filename being opened filtered by "config"
                bcc-trace 'sys_read (arg3 > 20000) "read %d bytes", arg3'
                        Trace the read syscall and print a message for reads >20000 bytes
                bcc-trace 'r::do_sys_open "%llx", retval'
                        Trace the return from the open syscall and print the return value
                bcc-trace 'c:open (arg2 == 42) "%s %d", arg1, arg2'
                        Trace the open() call from libc only if the flags (arg2) argument is 42
                bcc-trace 'c:malloc "size = %d", arg1'
                        Trace malloc calls and print the size being allocated
                bcc-trace 'p:c:write (arg1 == 1) "writing %d bytes to STDOUT", arg3'
                        Trace the write() call from libc to monitor writes to STDOUT
                bcc-trace 'r:c:malloc (retval) "allocated = %x", retval'
                        Trace returns from malloc and print non-NULL allocated buffers
                bcc-trace 't:block:block_rq_complete "sectors=%d", args->nr_sector'
                        Trace the block_rq_complete kernel tracepoint and print # of tx sectors
                bcc-trace 't:syscalls:sys_enter_openat "%s", args->filename'
                        Trace openat(2) by its tracepoint and print the path (kprobes need not exist)
                bcc-trace 'u:pthread:pthread_create (arg4 != 0)'
                        Trace the USDT probe pthread_create when its 4th argument is non-zero
                bcc-trace 'p:c:write(int fd, char *buf, size_t n) (fd == 1) "%d bytes", n'
                        Name write()'s parameters with its signature

                bpf4j trace is bpftrace's language; BCC's trace is bpf4j bcc-trace. Kernel functions
                (p::func, r::func) are kprobes: on kernels without them use their tracepoints (t:).
                """)
                .integer('p', "pid", "PID", "id of the process to trace (optional)")
                .integer('L', "tid", "TID", "id of the thread to trace (optional)")
                .integer((char) 0, "uid", "UID", "id of the user to trace (optional)")
                .flag('v', "verbose", "print resulting BPF program code before executing (the tracing language's program)")
                .integer('Z', "string-size", "STRING_SIZE", "maximum size to read from strings")
                .flag('S', "include-self", "do not filter trace's own pid from the trace")
                .integer('M', "max-events", "MAX_EVENTS", "number of events to print before quitting")
                .flag('t', "timestamp", "print timestamp column (offset from trace start)")
                .flag('u', "unix-timestamp", "print UNIX timestamp instead of offset from trace start, requires -t")
                .flag('T', "time", "print time column")
                .flag('C', "print_cpu", "print CPU id")
                .string('n', "name", "NAME", "only print process names containing this name")
                .string('f', "msg-filter", "MSG_FILTER", "only print the msg of event containing this string")
                .flag('K', "kernel-stack", "output kernel stack trace")
                .flag('U', "user-stack", "output user stack trace")
                .flag('a', "address", "print virtual address in stacks")
                .strings('I', "include", "header", "accepted and not needed: types come from the kernel's BTF")
                .flag('A', "aggregate", "aggregate amount of each trace")
                .requiredList("probe", "probe specifier (see examples)");
    }

    /** The tracing language's program for the probes and options (what -v prints). */
    static String script(List<TraceProbe> probes, Args.Parsed a, long self) {
        List<String> filters = new ArrayList<>();
        if (a.has("pid")) filters.add("pid == " + a.integer("pid", 0));
        if (a.has("tid")) filters.add("tid == " + a.integer("tid", 0));
        else if (!a.has("pid") && !a.flag("include_self")) filters.add("pid != " + self);
        if (a.has("uid")) filters.add("uid == " + a.integer("uid", 0));
        StringBuilder sb = new StringBuilder();
        int size = (int) a.integer("string_size", 80);
        for (int i = 0; i < probes.size(); i++)
            sb.append(probes.get(i).script(i, filters, size, a.flag("kernel_stack"), a.flag("user_stack")));
        return sb.toString();
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.has("pid") && a.has("tid")) throw new org.bpf4j.UserException("bcc-trace: only one of -p and -L may be specified");
        if (a.flag("aggregate") && !a.has("max_events")) throw new org.bpf4j.UserException("bcc-trace: -M/--max-events should be specified with -A/--aggregate");
        if (a.integer("string_size", 80) <= 0) throw new org.bpf4j.UserException("bcc-trace: -Z must be positive");
        List<TraceProbe> probes = new ArrayList<>();
        try {
            for (String p : a.strings("probe")) probes.add(TraceProbe.parse(p));
        } catch (ProbeSpec.BadSpec e) {
            throw new org.bpf4j.UserException("bcc-trace: " + e.getMessage());
        }
        String script = script(probes, a, ProcessHandle.current().pid());
        if (a.flag("verbose")) out.print(script);
        int pid = (int) a.integer("pid", 0);
        boolean kstack = a.flag("kernel_stack"), ustack = a.flag("user_stack"), aggregate = a.flag("aggregate");
        long max = a.integer("max_events", Long.MAX_VALUE);
        String name = a.string("name"), filter = a.string("msg_filter");
        boolean offset = a.flag("timestamp"), time = offset || a.flag("time"), unix = a.flag("unix_timestamp"), cpuCol = a.flag("print_cpu");
        long[] printed = {0};
        Map<String, Long> aggregated = new LinkedHashMap<>();
        try (Tool t = pid > 0 ? Tool.load(name(), script, pid) : Tool.load(name(), script); BccSymbols symbols = new BccSymbols()) {
            long firstNs = System.nanoTime();
            double firstReal = System.currentTimeMillis() / 1000.0;
            t.onValues(v -> {
                if (printed[0] >= max) return;
                TraceProbe probe = probes.get((int) (long) (Long) v.get(0));
                String comm = (String) v.get(6);
                int tgid = (int) (long) (Long) v.get(3);
                if (name != null && !comm.contains(name)) return;
                int at = 7 + (kstack ? 1 : 0) + (ustack ? 1 : 0);
                String msg = probe.format() == null ? "" : probe.format().format(v.subList(at, v.size()),
                        symbols::kernel, addr -> symbols.user(tgid, addr));
                if (filter != null && !msg.contains(filter)) return;
                StringBuilder row = new StringBuilder();
                if (time) {
                    String s = !offset ? LocalTime.now().format(TIME)
                            : String.format("%.6f", ((Long) v.get(1) - firstNs) / 1e9 + (unix ? firstReal : 0));
                    row.append(String.format(unix ? "%-17s " : "%-8s ", s.substring(0, Math.min(s.length(), unix ? 17 : 8))));
                }
                if (cpuCol) row.append(String.format("%-3s ", v.get(2)));
                row.append(String.format("%-7d %-7d %-15s %-16s %s%n", tgid, (Long) v.get(4), comm, probe.spec().display(), msg));
                if (kstack) row.append(stack(t, symbols, (Long) v.get(7), -1, a.flag("address")));
                if (ustack) row.append(stack(t, symbols, (Long) v.get(kstack ? 8 : 7), tgid, a.flag("address")));
                if (aggregate) aggregated.merge(row.toString(), 1L, Long::sum);
                else {
                    out.print(row);
                    if (kstack || ustack) out.println();
                }
                printed[0]++;
            });
            if (pid > 0) symbols.prepare(pid);
            t.start();
            boolean any = probes.stream().anyMatch(p -> p.format() != null);
            if (time) out.printf(unix ? "%-17s " : "%-8s ", "TIME");
            if (cpuCol) out.printf("%-3s ", "CPU");
            out.printf("%-7s %-7s %-15s %-16s %s%n", "PID", "TID", "COMM", "FUNC", any ? "-" : "");
            out.flush();
            while (!stop.getAsBoolean() && printed[0] < max) {
                t.poll(100);
                out.flush();
            }
            if (aggregate) aggregated.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> out.print(e.getKey() + "-->COUNT " + e.getValue() + "\n\n"));
            out.flush();
        }
        return 0;
    }

    /**
     * BCC's stack lines: one per frame, 8 spaces in, the address first with -a; an id below 0 (no stack: -14 for a
     * kernel stack in a uprobe) as itself, on its own line (BCC leaves it without one).
     */
    private static String stack(Tool t, BccSymbols symbols, long id, int pid, boolean address) {
        if ((int) id < 0) return "        " + (int) id + "\n";
        StringBuilder sb = new StringBuilder();
        for (long addr : t.stack(id)) {
            sb.append("        ");
            if (address) sb.append(String.format("%16x ", addr));
            sb.append(pid < 0 ? symbols.kernel(addr) : symbols.user(pid, addr)).append('\n');
        }
        return sb.toString();
    }
}
