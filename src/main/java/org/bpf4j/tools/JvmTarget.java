package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.jvm.JvmAttach;
import org.bpf4j.jvm.JvmException;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.tool.ToolException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running HotSpot JVM a Java tool traces: its pid, checked to map a libjvm.so (where HotSpot's USDT probes live;
 * the tools' scripts name it {@code usdt:libjvm:...}, resolved in the process's maps), and the check of the -XX flags
 * some probes need, read through the JDK's attach API, so that a tool says which
 * flag is missing instead of printing nothing.
 */
final class JvmTarget {
    /** The JDK 20+ flags that switch on HotSpot's costly probes (ExtendedDTraceProbes is gone). */
    enum Flag {
        /** method__entry, method__return. */
        METHOD("DTraceMethodProbes", "method__entry/method__return",
                "every Java call goes through the VM: a call-heavy program runs several times slower"),
        /** object__alloc. */
        ALLOC("DTraceAllocProbes", "object__alloc",
                "every allocation takes the VM's slow path: an allocation-heavy program runs several times slower"),
        /** monitor__contended__*, monitor__wait, monitor__notify. */
        MONITOR("DTraceMonitorProbes", "monitor__*",
                "every contended monitor and every wait/notify calls into the VM; cheap unless monitors are hot");

        final String name, probes, cost;

        Flag(String name, String probes, String cost) {
            this.name = name;
            this.probes = probes;
            this.cost = cost;
        }
    }

    private final String tool;
    private final int pid;
    private Boolean attachable;

    private JvmTarget(String tool, int pid) {
        this.tool = tool;
        this.pid = pid;
    }

    /** Process {@code pid}, which must be running and map a libjvm.so. */
    static JvmTarget of(String tool, long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE || !Files.isDirectory(Path.of("/proc", Long.toString(pid))))
            throw new UserException(tool + ": no such process: " + pid);
        JvmTarget t = new JvmTarget(tool, (int) pid);
        if (ProcMaps.of(t.pid).library("libjvm.so").isEmpty())
            throw new UserException(tool + ": process " + pid + " (" + comm(t.pid) + ") is not a HotSpot JVM: it maps no libjvm.so");
        return t;
    }

    /** The pid. */
    int pid() { return pid; }

    /**
     * Whether {@code flag} is on in the target: true when it is, or when the flags cannot be read (then a warning
     * on {@code err} names the flag to check); false when it is off.
     */
    boolean has(Flag flag, PrintStream err) {
        try (JvmAttach jvm = JvmAttach.attach(pid)) {
            attachable = true;
            return jvm.flagOn(flag.name);
        } catch (JvmException e) {
            if (attachable == null) {
                err.println(tool + ": cannot read the flags of JVM " + pid + " (" + e.getMessage() + "); "
                        + "if nothing shows, check that it runs with -XX:+" + flag.name);
            }
            attachable = false;
            return true;
        }
    }

    /** Throws the missing-flag message when {@code flag} is off in the target. */
    void require(Flag flag, PrintStream err) {
        if (!has(flag, err)) throw missing(tool, pid, flag);
    }

    /** The message for a JVM without {@code flag}: what does not fire, the flag to add, what it costs. */
    static ToolException missing(String tool, int pid, Flag flag) {
        return new ToolException.NotSupported(tool + ": JVM " + pid + " runs without -XX:+" + flag.name + ", so its "
                + flag.probes + " probes never fire: restart it with -XX:+" + flag.name + " (cost: " + flag.cost + ")", null);
    }

    /** {@code stop}, or the target has exited (bpftrace's -p ends the same way). */
    java.util.function.BooleanSupplier until(java.util.function.BooleanSupplier stop) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        return () -> stop.getAsBoolean() || !Files.isDirectory(proc);
    }

    /** Delivers what is left in {@code t}'s buffer once the loop ended. */
    static void drain(org.bpf4j.tool.Tool t, PrintStream out) {
        while (t.poll(50) > 0) { }
        out.flush();
    }

    /** The process's command name, for messages. */
    static String comm(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The process's command line, arguments separated by spaces ("" once it is gone). */
    static String cmdline(int pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }
}
