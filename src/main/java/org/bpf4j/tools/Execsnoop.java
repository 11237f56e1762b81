package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j execsnoop}: BCC's execsnoop on {@code syscalls:sys_enter_execve} (the file name and up to
 * {@code --max-args} arguments, one event each, as BCC sends them) and {@code sys_exit_execve} (the result, with the
 * new command name and the parent's pid read from the task through BTF); {@code --kprobe}: BCC's own kprobe and
 * kretprobe on {@code __x64_sys_execve}, where the kernel has kprobes.
 */
public final class Execsnoop implements CliTool {
    /** One argument of an exec being traced (the file name first). */
    public record Arg(long pid, String arg) {}

    /** The end of an exec: its result, the command name it now has, the parent and the user. */
    public record Ret(long ts, long pid, long ppid, long uid, String comm, long ret) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override public String name() { return "execsnoop"; }

    @Override public String description() { return "Trace exec() syscalls"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j execsnoop           # trace all exec() syscalls
                    bpf4j execsnoop -x        # include failed exec()s
                    bpf4j execsnoop -T        # include time (HH:MM:SS)
                    bpf4j execsnoop -U        # include UID
                    bpf4j execsnoop -u 1000   # only trace UID 1000
                    bpf4j execsnoop -t        # include timestamps
                    bpf4j execsnoop -q        # add "quotemarks" around arguments
                    bpf4j execsnoop -n main   # only print command lines containing "main"
                    bpf4j execsnoop -l tpkg   # only print command where arguments contains "tpkg"
                """)
                .flag('T', "time", "include time column on output (HH:MM:SS)")
                .flag('t', "timestamp", "include timestamp on output")
                .flag('x', "fails", "include failed exec()s")
                .integer('u', "uid", "UID", "trace this UID only")
                .flag('q', "quote", "Add quotemarks (\") around arguments.")
                .string('n', "name", "NAME", "only print commands matching this name (regex), any arg")
                .string('l', "line", "LINE", "only print commands where arg contains this line (regex)")
                .flag('U', "print-uid", "print UID column")
                .integer((char) 0, "max-args", "MAX_ARGS", "maximum number of arguments parsed and displayed, defaults to 20")
                .flag((char) 0, "kprobe", "attach BCC's kprobe and kretprobe on the syscall's function instead of the tracepoints");
    }

    /** The kernel side: the file name, then argv[1..maxArgs] while they are not NULL, then the result. */
    static String script(String filter, int maxArgs) {
        return script(filter, maxArgs, false);
    }

    /**
     * As {@link #script(String, int)}; with {@code kprobes}, BCC's own probes: a kprobe and a kretprobe on
     * {@code __x64_sys_execve(const struct pt_regs *regs)}, the file name and argv read from the caller's registers
     * ({@code regs->di}, {@code regs->si}).
     */
    static String script(String filter, int maxArgs, boolean kprobes) {
        String argv = kprobes ? "$argv" : "args.argv";
        StringBuilder args = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int i = 1; i <= maxArgs; i++) {
            String pad = "    ".repeat(i), arg = argv + "[" + i + "]";
            args.append(pad).append("if (").append(arg).append(" != 0) {\n")
                    .append(pad).append("    print((pid, str(").append(kprobes ? "uptr(" + arg + ")" : arg).append(")));\n");
            close.insert(0, pad + "}\n");
        }
        if (kprobes) return """
                kprobe:%s %s{
                    $regs = (struct pt_regs *)arg0;
                    $argv = uptr((uint64 *)$regs->si);
                    print((pid, str(uptr($regs->di))));
                %s%s}
                kretprobe:%s %s{
                    print((nsecs, pid, (uint64)curtask->real_parent->tgid, uid, comm, (int64)retval));
                }
                """.formatted(FUNCTION, filter, args, close, FUNCTION, filter);
        return """
                tracepoint:syscalls:sys_enter_execve %s{
                    print((pid, str(args.filename)));
                %s%s}
                tracepoint:syscalls:sys_exit_execve %s{
                    print((nsecs, pid, (uint64)curtask->real_parent->tgid, uid, comm, args.ret));
                }
                """.formatted(filter, args, close, filter);
    }

    /** The syscall function BCC's execsnoop probes on x86-64. */
    static final String FUNCTION = "__x64_sys_execve";
    /** BCC's C functions' names, as the kernel keeps them (15 characters: do_ret_sys_execve is cut). */
    static final Map<String, String> BCC_NAMES = Map.of("kprobe:" + FUNCTION, "syscall__execve", "kretprobe:" + FUNCTION, "do_ret_sys_exec");

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean time = a.flag("time"), timestamp = a.flag("timestamp"), fails = a.flag("fails"), quote = a.flag("quote"),
                printUid = a.flag("print_uid");
        java.util.regex.Pattern name = a.string("name") == null ? null : java.util.regex.Pattern.compile(a.string("name"));
        java.util.regex.Pattern line = a.string("line") == null ? null : java.util.regex.Pattern.compile(a.string("line"));
        int maxArgs = (int) a.integer("max_args", 20);
        String filter = a.has("uid") ? "/uid == " + a.integer("uid", 0) + "/ " : "";
        Map<Long, List<String>> argv = new HashMap<>();
        long[] first = {0};
        boolean kprobes = a.flag("kprobe");
        if (kprobes) Snoop.requireKprobes(name());
        String script = script(filter, Math.max(0, maxArgs - 1), kprobes);
        try (Tool t = kprobes ? Tool.load(name(), script, BCC_NAMES) : Tool.load(name(), script)) {
            t.on(Arg.class, e -> argv.computeIfAbsent(e.pid(), k -> new ArrayList<>()).add(e.arg()));
            t.on(Ret.class, e -> {
                List<String> args = argv.remove(e.pid());
                if (first[0] == 0) first[0] = e.ts();
                if (e.ret() != 0 && !fails) return;
                List<String> shown = new ArrayList<>();
                for (String s : args == null ? List.<String>of() : args) shown.add(quote ? "\"" + s.replace("\"", "\\\"") + "\"" : s);
                String text = String.join(" ", shown);
                if (name != null && !name.matcher(e.comm()).find() && !name.matcher(text).find()) return;
                if (line != null && !line.matcher(text).find()) return;
                if (time) out.printf("%-9s", LocalTime.now().format(TIME));
                if (timestamp) out.printf("%-8.3f", (e.ts() - first[0]) / 1e9);
                if (printUid) out.printf("%-6d", e.uid());
                out.printf("%-16s %-7d %-7s %3d %s%n", e.comm(), e.pid(), e.ppid() > 0 ? String.valueOf(e.ppid()) : "?", e.ret(), text);
            });
            t.start();
            if (time) out.printf("%-9s", "TIME");
            if (timestamp) out.printf("%-8s", "TIME(s)");
            if (printUid) out.printf("%-6s", "UID");
            out.printf("%-16s %-7s %-7s %3s %s%n", "PCOMM", "PID", "PPID", "RET", "ARGS");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
