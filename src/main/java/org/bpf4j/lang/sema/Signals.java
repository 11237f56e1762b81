package org.bpf4j.lang.sema;

import java.util.List;
import java.util.Locale;

/** Linux signal names (x86-64 numbering) for signal("SIGKILL"). */
public final class Signals {
    private Signals() {}

    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** The number of signal {@code name} ({@code SIGKILL} or {@code KILL}), or -1. */
    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) n = n.substring(3);
        int i = NAMES.indexOf(n);
        return i > 0 ? i : -1;
    }
}
