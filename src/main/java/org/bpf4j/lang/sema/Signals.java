package org.bpf4j.lang.sema;

import java.util.List;
import java.util.Locale;

/** Linux signal names (x86-64 numbering) for signal("SIGKILL"). */
public final class Signals {
    private Signals() {}

    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** The C library's descriptions of signals 1 to 31 (strsignal's texts). */
    private static final List<String> DESCRIPTIONS = List.of("", "Hangup", "Interrupt", "Quit", "Illegal instruction",
            "Trace/breakpoint trap", "Aborted", "Bus error", "Floating point exception", "Killed", "User defined signal 1",
            "Segmentation fault", "User defined signal 2", "Broken pipe", "Alarm clock", "Terminated", "Stack fault",
            "Child exited", "Continued", "Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
            "Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded", "Virtual timer expired",
            "Profiling timer expired", "Window changed", "I/O possible", "Power failure", "Bad system call");
    /** The first real-time signal the C library leaves to programs, and the last signal. */
    private static final int RTMIN = 34, MAX = 64;

    /**
     * What {@code signal_name(n)} prints: the C library's description ({@code Interrupt}, {@code Real-time
     * signal 3}, {@code Unknown signal 0}), or {@code N/A} outside the kernel's signal numbers.
     */
    public static String description(long n) {
        if (n < 0 || n > MAX) return "N/A";
        if (n > 0 && n < DESCRIPTIONS.size()) return DESCRIPTIONS.get((int) n);
        if (n >= RTMIN) return "Real-time signal " + (n - RTMIN);
        return "Unknown signal " + n;
    }

    /** The number of signal {@code name} ({@code SIGKILL} or {@code KILL}), or -1. */
    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) n = n.substring(3);
        int i = NAMES.indexOf(n);
        return i > 0 ? i : -1;
    }
}
