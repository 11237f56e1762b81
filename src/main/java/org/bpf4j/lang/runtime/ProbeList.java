package org.bpf4j.lang.runtime;

import org.bpf4j.UserException;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.tracefs.EventFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** {@code -l [search]}: the probes this machine offers whose full names match a shell-style pattern. */
public final class ProbeList {
    private ProbeList() {}

    /** Software events perf_event_open takes, by bpftrace's names. */
    static final List<String> SOFTWARE = List.of("alignment-faults", "bpf-output", "context-switches", "cpu-clock",
            "cpu-migrations", "dummy", "emulation-faults", "major-faults", "minor-faults", "page-faults", "task-clock");
    /** Hardware events (listed; this machine kind has no PMU to attach them). */
    static final List<String> HARDWARE = List.of("backend-stalls", "branch-instructions", "branch-misses",
            "bus-cycles", "cache-misses", "cache-references", "cpu-cycles", "frontend-stalls", "instructions", "ref-cycles");
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_*?:.\\-/+$@\\[\\]]*");

    /**
     * Writes each matching probe to {@code out}; with {@code verbose}, a tracepoint's fields follow it as
     * bpftrace shows them. An empty search lists everything.
     */
    public static void list(String search, boolean verbose, ProbeCatalog catalog, Consumer<String> out) {
        String s = search == null || search.isEmpty() ? "*" : search;
        if (!VALID.matcher(s).matches()) throw new UserException("invalid character in search expression");
        if (!s.contains(":") && !s.contains("*")) s = "*" + s + "*";
        Pattern p = ProbeCatalog.glob(s);
        List<String> names = new ArrayList<>();
        for (String h : HARDWARE) names.add("hardware:" + h + ":");
        for (String w : SOFTWARE) names.add("software:" + w + ":");
        for (String n : names) if (p.matcher(n).matches() || p.matcher(n.substring(0, n.length() - 1)).matches()) out.accept(n);
        String type = s.contains(":") ? s.substring(0, s.indexOf(':')) : "*";
        if (!ProbeCatalog.glob(type).matcher("tracepoint").matches() && !type.equals("t")) return;
        String rest = type.equals("t") ? "tracepoint" + s.substring(1) : s;
        Pattern tp = ProbeCatalog.glob(rest);
        for (String t : catalog.tracepoints()) {
            String full = "tracepoint:" + t;
            if (!tp.matcher(full).matches()) continue;
            out.accept(full);
            if (verbose) {
                int colon = t.indexOf(':');
                EventFormat f = catalog.format(t.substring(0, colon), t.substring(colon + 1));
                for (EventFormat.Field fd : f.ownFields())
                    out.accept("    " + fd.type().replace("[]", "") + " " + fd.name() + (fd.arrayLength() > 0 && !fd.type().endsWith("]") ? "[" + fd.arrayLength() + "]" : ""));
            }
        }
    }
}
