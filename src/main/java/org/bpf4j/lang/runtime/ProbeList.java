package org.bpf4j.lang.runtime;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.usdt.UsdtProbe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
     * bpftrace shows them. An empty search lists everything. With a pid (-p), as bpftrace: the process's own
     * probes, the functions of its executable and the USDT probes of every file it maps; else a search that
     * names a binary ({@code uprobe:./app:*}, {@code usdt:./app:*}, {@code *:./app:*}) lists that binary's.
     */
    public static void list(String search, boolean verbose, ProbeCatalog catalog, Consumer<String> out) {
        String s = search == null || search.isEmpty() ? "*" : search;
        if (!VALID.matcher(s).matches()) throw new UserException("invalid character in search expression");
        if (!s.contains(":") && !s.contains("*")) s = "*" + s + "*";
        Pattern p = ProbeCatalog.glob(s);
        String[] parts = s.split(":", -1);
        Pattern kind = ProbeCatalog.glob(parts.length > 1 ? parts[0] : "*");
        if (catalog.pid() > 0) {
            user(kind, p, "*", catalog, out);
            return;
        }
        if (parts.length >= 3 && !parts[1].isEmpty() && !parts[1].equals("*")) user(kind, p, parts[1], catalog, out);
        List<String> names = new ArrayList<>();
        for (String h : HARDWARE) names.add("hardware:" + h + ":");
        for (String w : SOFTWARE) names.add("software:" + w + ":");
        for (String n : names) if (p.matcher(n).matches() || p.matcher(n.substring(0, n.length() - 1)).matches()) out.accept(n);
        String type = s.contains(":") ? s.substring(0, s.indexOf(':')) : "*";
        if (ProbeCatalog.glob(type).matcher("kprobe").matches() || type.equals("k")) {
            Pattern kp = ProbeCatalog.glob(type.equals("k") ? "kprobe" + s.substring(1) : s);
            for (String f : catalog.kernelFunctions()) emit(kp, "kprobe:" + f, out);
        }
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

    /** The functions (uprobe) and USDT probes of the files {@code target} stands for that match {@code p}. */
    private static void user(Pattern type, Pattern p, String target, ProbeCatalog catalog, Consumer<String> out) {
        if (type.matcher("uprobe").matches()) {
            for (Map.Entry<String, Path> t : catalog.targets(target, false).entrySet()) {
                try (ElfFile elf = ElfFile.open(t.getValue())) {
                    for (String f : ProbeCatalog.functions(elf)) emit(p, "uprobe:" + t.getKey() + ":" + f, out);
                }
            }
        }
        if (type.matcher("usdt").matches()) {
            for (Map.Entry<String, Path> t : catalog.targets(target, true).entrySet()) {
                TreeSet<String> names = new TreeSet<>();
                for (UsdtProbe u : UsdtProbe.read(t.getValue())) names.add("usdt:" + t.getKey() + ":" + u.provider() + ":" + u.name());
                for (String n : names) emit(p, n, out);
            }
        }
    }

    private static void emit(Pattern p, String name, Consumer<String> out) {
        if (p.matcher(name).matches()) out.accept(name);
    }
}
