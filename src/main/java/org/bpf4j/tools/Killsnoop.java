package org.bpf4j.tools;

import org.bpf4j.tool.Tool;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * killsnoop: traces every kill(2) on the machine, as BCC's tool, written on the tool API ({@link Tool}). The entry
 * probe ({@code syscalls:sys_enter_kill}) keeps the call's arguments under the thread id; the exit probe
 * ({@code syscalls:sys_exit_kill}) sends them with the result as one {@link Event}. Tracepoints stand in for BCC's
 * kprobes, which a kernel may lack; {@link Options#kprobes()} attaches BCC's own ({@code syscall__kill},
 * {@code do_ret_sys_kill}) where it has them.
 */
public final class Killsnoop implements AutoCloseable {
    /**
     * What to trace: {@code pid} 0 and {@code signal} -1 mean any; {@code failedOnly} keeps failed calls only;
     * {@code kprobes} attaches BCC's kprobe and kretprobe on the syscall's function instead of the tracepoints.
     */
    public record Options(boolean failedOnly, int pid, int signal, boolean kprobes) {
        /** Every kill on the machine. */
        public static final Options ALL = new Options(false, 0, -1);

        /** On the syscall's tracepoints. */
        public Options(boolean failedOnly, int pid, int signal) { this(failedOnly, pid, signal, false); }

        /** The same on BCC's kprobes ({@code kprobes} true) or on the tracepoints. */
        public Options withKprobes(boolean kprobes) { return new Options(failedOnly, pid, signal, kprobes); }
    }

    /** The syscall function BCC's killsnoop probes on x86-64 ({@code get_syscall_fnname("kill")}). */
    static final String FUNCTION = "__x64_sys_kill";
    /** The kernel programs' names on kprobes, BCC's C functions' ({@code bpftool prog list} shows them). */
    static final java.util.Map<String, String> BCC_NAMES = java.util.Map.of(
            "kprobe:" + FUNCTION, "syscall__kill", "kretprobe:" + FUNCTION, "do_ret_sys_kill");

    /** One traced kill(2): the sender, its command name, the signal, the target and the result (-errno on failure). */
    public record Event(int pid, String comm, int sig, int tpid, int ret) {}

    private final Tool tool;
    private final LongConsumer lostListener;
    private long lostReported;

    private Killsnoop(Tool tool, LongConsumer lost) {
        this.tool = tool;
        this.lostListener = lost;
    }

    /** The kernel side: BCC's killsnoop in the tracing language, with the options' filters compiled in. */
    static String script(Options o) {
        if (o.kprobes()) return kprobeScript(o);
        String enter = o.pid() > 0 ? "pid == " + o.pid() : "";
        if (o.signal() >= 0) enter += (enter.isEmpty() ? "" : " && ") + "args.sig == " + o.signal();
        return """
                tracepoint:syscalls:sys_enter_kill %s{
                    @call[tid] = (1, (int32)args.pid, (int32)args.sig, comm);
                }
                tracepoint:syscalls:sys_exit_kill {
                    $c = @call[tid];
                    if ($c.0 == 1%s) {
                        print(((int32)pid, $c.3, $c.2, $c.1, (int32)args.ret));
                    }
                    delete(@call[tid]);
                }
                """.formatted(enter.isEmpty() ? "" : "/" + enter + "/ ", o.failedOnly() ? " && args.ret < 0" : "");
    }

    /**
     * BCC's kprobes: {@code syscall__kill} at the entry of {@code __x64_sys_kill(const struct pt_regs *regs)} keeps
     * the call's target and signal, read from the caller's registers (regs->di, regs->si), under the thread id;
     * {@code do_ret_sys_kill} at its return sends them with the result.
     */
    private static String kprobeScript(Options o) {
        String enter = o.pid() > 0 ? "pid == " + o.pid() : "";
        if (o.signal() >= 0) enter += (enter.isEmpty() ? "" : " && ") + "(int32)((struct pt_regs *)arg0)->si == " + o.signal();
        return """
                kprobe:%s %s{
                    $regs = (struct pt_regs *)arg0;
                    @call[tid] = (1, (int32)$regs->di, (int32)$regs->si, comm);
                }
                kretprobe:%s {
                    $c = @call[tid];
                    if ($c.0 == 1%s) {
                        print(((int32)pid, $c.3, $c.2, $c.1, (int32)retval));
                    }
                    delete(@call[tid]);
                }
                """.formatted(FUNCTION, enter.isEmpty() ? "" : "/" + enter + "/ ", FUNCTION, o.failedOnly() ? " && (int32)retval < 0" : "");
    }

    /** Loads the probes, attaches them and opens the ring buffer; events go to {@code sink} from {@link #poll}. */
    public static Killsnoop start(Options options, Consumer<Event> sink) {
        return start(options, sink, count -> { });
    }

    /**
     * As {@link #start(Options, Consumer)}, and {@code lost} hears how many events could not be sent (the buffers
     * were full) each time {@link #poll} finds more (they are counted in {@link #lost()} either way).
     */
    public static Killsnoop start(Options options, Consumer<Event> sink, LongConsumer lost) {
        if (options.kprobes()) Snoop.requireKprobes("killsnoop");
        Tool t = options.kprobes() ? Tool.load("killsnoop", script(options), BCC_NAMES) : Tool.load("killsnoop", script(options));
        try {
            t.on(Event.class, sink);
            t.start();
            return new Killsnoop(t, lost);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Waits up to {@code timeoutMillis} and delivers the events that arrived; returns how many. */
    public int poll(int timeoutMillis) {
        int n = tool.poll(timeoutMillis);
        long lost = tool.lost();
        if (lost > lostReported) {
            lostListener.accept(lost - lostReported);
            lostReported = lost;
        }
        return n;
    }

    /** Events that could not be sent because the ring buffer was full (the reader was too slow), so far. */
    public long lost() { return tool.lost(); }

    /** Detaches the probes first, then closes the buffer, programs and maps; idempotent. */
    @Override
    public void close() {
        tool.close();
    }
}
