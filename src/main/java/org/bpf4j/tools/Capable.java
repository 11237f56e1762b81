package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j capable}: BCC's capable on the {@code capability:cap_capable} tracepoint instead of a kprobe on
 * cap_capable(). The tracepoint does not carry cap_capable's audit option, so every check is shown (BCC's -v) and
 * the AUDIT column shows the kernel's verdict instead: 0 granted, -1 (EPERM) refused.
 */
public final class Capable implements CliTool {
    /** One capability check: who, which capability, and the verdict (0 or -EPERM). */
    public record Check(long pid, long tid, long uid, String comm, int cap, int ret) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** linux/capability.h's names, by number. */
    static final String[] NAMES = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

    @Override public String name() { return "capable"; }

    @Override public String description() { return "Trace security capability checks"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j capable             # trace capability checks
                    bpf4j capable -p 181      # only trace PID 181
                """)
                .flag('v', "verbose", "include non-audit checks (always: the tracepoint has no audit flag)")
                .integer('p', "pid", "PID", "trace this PID only");
    }

    static String script(long pid) {
        return """
                tracepoint:capability:cap_capable %s{
                    print((pid, tid, uid, comm, args.cap, args.ret));
                }
                """.formatted(pid > 0 ? "/pid == " + pid + "/ " : "/pid != " + ProcessHandle.current().pid() + "/ ");
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        try (Tool t = Tool.load(name(), script(a.integer("pid", 0)))) {
            t.on(Check.class, e -> out.printf("%-9s %-6d %-6d %-6d %-16s %-4d %-20s %d%n", LocalTime.now().format(TIME), e.uid(),
                    e.pid(), e.tid(), e.comm(), e.cap(), e.cap() >= 0 && e.cap() < NAMES.length ? NAMES[e.cap()] : "?", e.ret()));
            t.start();
            out.printf("%-9s %-6s %-6s %-6s %-16s %-4s %-20s %s%n", "TIME", "UID", "PID", "TID", "COMM", "CAP", "NAME", "AUDIT");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
