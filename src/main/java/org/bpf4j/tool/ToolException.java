package org.bpf4j.tool;

/**
 * Why a tool could not load or run, typed by cause so that a Java caller can tell a missing tracepoint from
 * missing privileges without reading messages; the command line prints {@link #getMessage()} as one line.
 */
public abstract sealed class ToolException extends RuntimeException
        permits ToolException.NoSuchProbe, ToolException.NotPermitted, ToolException.NotSupported,
                ToolException.BadScript, ToolException.LayoutMismatch {
    ToolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A probe names a tracepoint (or other hook) this kernel does not have. */
    public static final class NoSuchProbe extends ToolException {
        private final String probe;

        /** The probe as the script names it ({@code tracepoint:block:block_rq_issue}). */
        public NoSuchProbe(String probe, Throwable cause) {
            super("no such probe on this kernel: " + probe, cause);
            this.probe = probe;
        }

        /** The probe as the script names it. */
        public String probe() { return probe; }
    }

    /** The caller lacks the privileges (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) or the kernel refused (EPERM). */
    public static final class NotPermitted extends ToolException {
        /** {@code what} names the tool or the call that was refused. */
        public NotPermitted(String what, Throwable cause) {
            super(what + " needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run it as root, e.g. with sudo", cause);
        }
    }

    /** The kernel lacks a feature the tool needs (kprobes, a helper); the message names it. */
    public static final class NotSupported extends ToolException {
        /** {@code message} names the missing feature. */
        public NotSupported(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The tool's own script does not compile or is rejected by the verifier: a bug in the tool, not the user's. */
    public static final class BadScript extends ToolException {
        /** {@code message} is the compiler's or verifier's, with the script's line. */
        public BadScript(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A Java record does not match the values the script sends (count or kind of a field). */
    public static final class LayoutMismatch extends ToolException {
        /** {@code message} names the record's field and the script's type. */
        public LayoutMismatch(String message) {
            super(message, null);
        }
    }
}
