package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j argdist}: BCC's argdist. Each -C or -H specifier ({@link ArgdistProbe}) becomes probes of the
 * tracing language counting into a map; every interval the tables print in argdist's layout (a frequency count's
 * {@code COUNT EVENT} rows, a log2 histogram's BCC layout) and are cleared unless -c.
 */
public final class Argdist implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "argdist"; }

    @Override public String description() { return "Trace a function and display a summary of its parameter values."; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                Probe specifier syntax:
                        {p,r,t,u}:{[library],category}:function(signature)[:type[,type...]:expr[,expr...][:filter]][#label]
                Where:
                        p,r,t,u    -- probe at function entry, function exit, kernel
                                      tracepoint, or USDT probe
                                      in exit probes: can use $retval, $entry(param), $latency
                        library    -- the library that contains the function
                                      (leave empty for kernel functions)
                        category   -- the category of the kernel tracepoint (e.g. net, sched)
                        function   -- the function name to trace (or tracepoint name)
                        signature  -- the function's parameters, as in the C header
                        type       -- the type of the expression to collect (supports multiple)
                        expr       -- the expression to collect (supports multiple)
                        filter     -- the filter that is applied to collected values
                        label      -- the label for this probe in the resulting output

                EXAMPLES:

                argdist -H 'p::__kmalloc(u64 size):u64:size'
                        Print a histogram of allocation sizes passed to kmalloc
                argdist -p 1005 -C 'p:c:malloc(size_t size):size_t:size:size==16'
                        Print a frequency count of how many times process 1005 called malloc
                        with an allocation size of 16 bytes
                argdist -C 'r:c:gets():char*:(char*)$retval#snooped strings'
                        Snoop on all strings returned by gets()
                argdist -p 1005 -C 'p:c:write(int fd):int:fd' -T 5
                        Print frequency counts of how many times writes were issued to a
                        particular file descriptor number, in process 1005, but only show
                        the top 5 busiest fds
                argdist -p 1005 -H 'r:c:read()'
                        Print a histogram of results (sizes) returned by read() in process 1005
                argdist -H 'r:c:read(int fd, void *buf, size_t count):size_t:$entry(count):$latency > 1000000'
                        Print a histogram of read sizes that were longer than 1ms
                argdist -H \\
                        'p:c:write(int fd, const void *buf, size_t count):size_t:count:fd==1'
                        Print a histogram of buffer sizes passed to write() across all
                        processes, where the file descriptor was 1 (STDOUT)
                argdist -C 'p:c:fork()#fork calls'
                        Count fork() calls in libc across all processes
                        Can also use funccount.py, which is easier and more flexible
                argdist -H 't:block:block_rq_complete():u32:args->nr_sector'
                        Print histogram of number of sectors in completing block I/O requests
                argdist -C 't:irq:irq_handler_entry():int:args->irq'
                        Aggregate interrupts by interrupt request (IRQ)
                argdist -C 't:syscalls:sys_enter_read():u32:$PID'
                        Count read(2) calls by process, from their tracepoint
                argdist -C 'u:pthread:pthread_start():u64:arg2' -p 1337
                        Print frequency of function addresses used as a pthread start function,
                        relying on the USDT pthread_start probe in process 1337

                Kernel functions (p::, r::) are kprobes: on kernels without them use their
                tracepoints (t:).
                """)
                .integer('p', "pid", "PID", "id of the process to trace (optional)")
                .integer('t', "tid", "TID", "id of the thread to trace (optional)")
                .integer('z', "string-size", "STRING_SIZE", "maximum string size to read from char* arguments")
                .integer('i', "interval", "INTERVAL", "output interval, in seconds (default 1 second)")
                .integer('d', "duration", "DURATION", "total duration of trace, in seconds")
                .integer('n', "number", "COUNT", "number of outputs")
                .flag('v', "verbose", "print resulting BPF program code before executing (the tracing language's program)")
                .flag('c', "cumulative", "do not clear histograms and freq counts at each interval")
                .integer('T', "top", "TOP", "number of top results to show (not applicable to histograms)")
                .strings('H', "histogram", "specifier", "probe specifier to capture histogram of (see examples below)")
                .strings('C', "count", "specifier", "probe specifier to capture count of (see examples below)")
                .strings('I', "include", "header", "accepted and not needed: types come from the kernel's BTF");
    }

    /** The probes of the -C then the -H specifiers, as argdist orders them. */
    static List<ArgdistProbe> probes(Args.Parsed a) {
        List<String> filters = new ArrayList<>();
        if (a.has("pid")) filters.add("pid == " + a.integer("pid", 0));
        if (a.has("tid")) filters.add("tid == " + a.integer("tid", 0));
        int size = (int) a.integer("string_size", 80);
        List<ArgdistProbe> probes = new ArrayList<>();
        for (String s : a.strings("count")) probes.add(ArgdistProbe.parse(s, false, probes.size(), filters, size));
        for (String s : a.strings("histogram")) probes.add(ArgdistProbe.parse(s, true, probes.size(), filters, size));
        return probes;
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.integer("string_size", 80) <= 0 || a.integer("interval", 1) <= 0)
            throw new org.bpf4j.UserException("argdist: -z and -i must be positive");
        List<ArgdistProbe> probes;
        try {
            probes = probes(a);
        } catch (ProbeSpec.BadSpec e) {
            throw new org.bpf4j.UserException("argdist: " + e.getMessage());
        }
        if (probes.isEmpty()) throw new org.bpf4j.UserException("argdist: at least one specifier is required");
        StringBuilder script = new StringBuilder();
        for (ArgdistProbe p : probes) script.append(p.script());
        if (a.flag("verbose")) out.print(script);
        out.flush();
        int pid = (int) a.integer("pid", 0);
        long interval = a.integer("interval", 1), duration = a.integer("duration", 0), count = a.integer("number", 0);
        long top = a.integer("top", 0);
        try (Tool t = pid > 0 ? Tool.load(name(), script.toString(), pid) : Tool.load(name(), script.toString())) {
            t.start();
            long outputs = 0, seconds = 0;
            while (t.pollFor(interval * 1000, stop)) {
                seconds += interval;
                out.println("[" + LocalTime.now().format(TIME) + "]");
                for (ArgdistProbe p : probes) {
                    p.print(t, out, top);
                    if (!a.flag("cumulative")) p.clear(t);
                }
                out.flush();
                if (count > 0 && ++outputs >= count) break;
                if (duration > 0 && seconds >= duration) break;
            }
        }
        return 0;
    }
}
