package org.bpf4j.tools;

import org.bpf4j.tool.Tool;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * killsnoop: traces every kill(2) on the machine, as BCC's tool, written on the tool API ({@link Tool}). The entry
 * probe ({@code syscalls:sys_enter_kill}) keeps the call's arguments under the thread id; the exit probe
 * ({@code syscalls:sys_exit_kill}) sends them with the result as one {@link Event}. Tracepoints stand in for BCC's
 * kprobes, which this kernel may lack.
 */
public final class Killsnoop implements AutoCloseable {
    /** What to trace: {@code pid} 0 and {@code signal} -1 mean any; {@code failedOnly} keeps failed calls only. */
    public record Options(boolean failedOnly, int pid, int signal) {
        /** Every kill on the machine. */
        public static final Options ALL = new Options(false, 0, -1);
    }

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

    /** Loads the probes, attaches them and opens the ring buffer; events go to {@code sink} from {@link #poll}. */
    public static Killsnoop start(Options options, Consumer<Event> sink) {
        return start(options, sink, count -> { });
    }

    /**
     * As {@link #start(Options, Consumer)}, and {@code lost} hears how many events could not be sent (the buffers
     * were full) each time {@link #poll} finds more (they are counted in {@link #lost()} either way).
     */
    public static Killsnoop start(Options options, Consumer<Event> sink, LongConsumer lost) {
        Tool t = Tool.load("killsnoop", script(options));
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
