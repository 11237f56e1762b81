package org.bpf4j.jvm;

/**
 * Why bpf4j could not reach a running JVM through the JDK's attach API, typed by cause so that a tool can say
 * "not a JVM" apart from "attach disabled"; {@link #getMessage()} is one line naming the process.
 */
public final class JvmException extends RuntimeException {
    /** The causes a caller may act on. */
    public enum Reason {
        /** No process has that pid. */
        NO_SUCH_PROCESS,
        /** The process is not a HotSpot JVM, or its attach listener did not answer (-XX:+DisableAttachMechanism). */
        NOT_A_JVM,
        /** The JVM answered with an error to a command (an unknown flag or diagnostic command). */
        COMMAND_FAILED,
        /** The JDK's internal attach classes are not exported to bpf4j (run through the {@code bpf4j} launcher). */
        ATTACH_UNAVAILABLE
    }

    private final Reason reason;
    private final int pid;

    JvmException(Reason reason, int pid, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.pid = pid;
    }

    /** What went wrong. */
    public Reason reason() { return reason; }

    /** The process bpf4j tried to reach. */
    public int pid() { return pid; }
}
