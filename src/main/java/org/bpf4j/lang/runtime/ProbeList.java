package org.bpf4j.lang.runtime;

import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.btf.CDump;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.usdt.UsdtProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code -l [search]}: the probes this machine offers whose full names match a shell-style pattern, as bpftrace
 * v0.26 lists them: a search is {@code TYPE:REST} (a bare word is {@code *:WORD}), several are separated by commas,
 * and {@code struct NAME} (or union, enum) lists the kernel's types instead; with a program, its probes expanded.
 */
public final class ProbeList {
    private ProbeList() {}

    /** A probe type -l knows, with bpftrace's aliases; {@code kernel}/{@code user}: listed when the type is a wildcard. */
    enum Kind {
        FENTRY("fentry", false, false, "f", "kfunc"), FEXIT("fexit", false, false, "fr", "kretfunc"),
        HARDWARE("hardware", true, false, "h"), INTERVAL("interval", false, false, "i"),
        KPROBE("kprobe", true, false, "k"), KRETPROBE("kretprobe", false, false, "kr"),
        PROFILE("profile", false, false, "p"), RAWTRACEPOINT("rawtracepoint", true, false, "rt"),
        SELF("self", false, false), SOFTWARE("software", true, false, "s"),
        TRACEPOINT("tracepoint", true, false, "t"), UPROBE("uprobe", false, true, "u"),
        URETPROBE("uretprobe", false, false, "ur"), USDT("usdt", false, true, "U");

        final String name;
        final boolean kernel, user;
        final Set<String> aliases;

        Kind(String name, boolean kernel, boolean user, String... aliases) {
            this.name = name;
            this.kernel = kernel;
            this.user = user;
            this.aliases = Set.of(aliases);
        }

        static Kind of(String type) {
            for (Kind k : values()) if (k.name.equals(type.toLowerCase(Locale.ROOT)) || k.aliases.contains(type)) return k;
            return null;
        }
    }

    /** Software events perf_event_open takes, by bpftrace's names, each with its alias or "". */
    static final List<String[]> SOFTWARE = List.of(new String[] {"alignment-faults", ""}, new String[] {"bpf-output", ""},
            new String[] {"context-switches", "cs"}, new String[] {"cpu-clock", "cpu"}, new String[] {"cpu-migrations", ""},
            new String[] {"dummy", ""}, new String[] {"emulation-faults", ""}, new String[] {"major-faults", ""},
            new String[] {"minor-faults", ""}, new String[] {"page-faults", "faults"}, new String[] {"task-clock", ""});
    /** Hardware events (listed; this machine kind has no PMU to attach them), each with its alias or "". */
    static final List<String[]> HARDWARE = List.of(new String[] {"backend-stalls", ""},
            new String[] {"branch-instructions", "branches"}, new String[] {"branch-misses", ""}, new String[] {"bus-cycles", ""},
            new String[] {"cache-misses", ""}, new String[] {"cache-references", ""}, new String[] {"cpu-cycles", "cycles"},
            new String[] {"frontend-stalls", ""}, new String[] {"instructions", ""}, new String[] {"ref-cycles", ""});
    private static final List<String> TIME_UNITS = List.of("hz", "s", "ms", "us");
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_*?:.\\-/+$@\\[\\], ]*");

    /**
     * Writes each matching probe to {@code out}; with {@code verbose}, a tracepoint's fields follow it as bpftrace
     * shows them, and a type's C definition replaces its name. An empty search lists everything. With a pid (-p),
     * user-space probes are the process's: the functions of its executable and the USDT probes of every file it
     * maps.
     */
    public static void list(String search, boolean verbose, ProbeCatalog catalog, Consumer<String> out) {
        String all = search == null ? "" : search;
        if (!VALID.matcher(all).matches()) throw new UserException("invalid character in search expression");
        for (String raw : all.split(",", -1)) {
            String probe = raw.strip().replaceAll("\\s+", " ");
            if (probe.startsWith("struct ") || probe.startsWith("union ") || probe.startsWith("enum ")) {
                types(probe, verbose, out);
                continue;
            }
            if (probe.isEmpty() || probe.equals("*")) probe = "*:*";
            else if (!probe.contains(":")) probe = "*:" + probe;
            search(probe, verbose, catalog, out);
        }
    }

    private static void search(String pattern, boolean verbose, ProbeCatalog catalog, Consumer<String> out) {
        String[] parts = pattern.split(":", -1);
        String suffix = pattern.substring(pattern.indexOf(':') + 1);
        String type = parts[0];
        boolean wildType = type.isEmpty() || wildcard(type);
        boolean specificTarget = parts.length > 1 && !parts[1].isEmpty() && !wildcard(parts[1]) && Files.exists(Path.of(parts[1]));
        boolean user = !wildType || catalog.pid() > 0 || specificTarget;
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        if (wildType) {
            Pattern t = ProbeCatalog.glob(type.isEmpty() ? "*" : type);
            for (Kind k : Kind.values()) if ((k.kernel || user && k.user) && t.matcher(k.name).matches()) kinds.add(k);
        } else if (Kind.of(type) != null) kinds.add(Kind.of(type));
        for (Kind k : kinds) {
            // the types whose names have a target part take the rest as TARGET:NAME, else any target
            boolean targeted = k == Kind.UPROBE || k == Kind.URETPROBE || k == Kind.USDT || k == Kind.TRACEPOINT || k == Kind.RAWTRACEPOINT;
            String target = targeted && parts.length > 2 ? parts[1] : "*";
            String input = targeted && parts.length <= 2 ? "*:" + suffix : suffix;
            Pattern p = ProbeCatalog.glob(input.isEmpty() ? "*" : input);
            for (String match : symbols(k, target, catalog)) {
                if (!p.matcher(match).matches()) continue;
                out.accept(k.name + ":" + match);
                if (verbose && k == Kind.TRACEPOINT) fields(match, catalog, out);
            }
        }
    }

    private static boolean wildcard(String s) { return s.indexOf('*') >= 0 || s.indexOf('?') >= 0; }

    /** What a probe type offers under {@code target}, each as the part of its name after the type. */
    private static List<String> symbols(Kind k, String target, ProbeCatalog catalog) {
        List<String> out = new ArrayList<>();
        switch (k) {
            case KPROBE, KRETPROBE -> out.addAll(catalog.kernelFunctions());
            case TRACEPOINT -> out.addAll(catalog.tracepoints());
            case RAWTRACEPOINT -> out.addAll(catalog.rawTracepoints());
            case SOFTWARE, HARDWARE -> {
                for (String[] e : k == Kind.SOFTWARE ? SOFTWARE : HARDWARE) {
                    out.add(e[0] + ":");
                    if (!e[1].isEmpty()) out.add(e[1] + ":");
                }
            }
            case INTERVAL, PROFILE -> { for (String u : TIME_UNITS) out.add(u + ":"); }
            case SELF -> out.add("signal:SIGUSR1");
            case UPROBE, URETPROBE -> {
                if (target.equals("*") && catalog.pid() <= 0) break;
                for (Map.Entry<String, Path> t : catalog.targets(target, false).entrySet())
                    try (ElfFile elf = ElfFile.open(t.getValue())) {
                        for (String f : ProbeCatalog.functions(elf)) out.add(t.getKey() + ":" + f);
                    }
            }
            case USDT -> {
                if (target.equals("*") && catalog.pid() <= 0) break;
                for (Map.Entry<String, Path> t : catalog.targets(target, true).entrySet()) {
                    TreeSet<String> names = new TreeSet<>();
                    for (UsdtProbe u : UsdtProbe.read(t.getValue())) names.add(t.getKey() + ":" + u.provider() + ":" + u.name());
                    out.addAll(names);
                }
            }
            // the kernel's functions are not offered to fentry/fexit here: this machine kind cannot load them
            case FENTRY, FEXIT -> { }
        }
        return out;
    }

    /** A tracepoint's own fields, as bpftrace -lv shows them. */
    private static void fields(String tracepoint, ProbeCatalog catalog, Consumer<String> out) {
        int colon = tracepoint.indexOf(':');
        EventFormat f = catalog.format(tracepoint.substring(0, colon), tracepoint.substring(colon + 1));
        for (EventFormat.Field fd : f.ownFields())
            out.accept("    " + fd.type().replace("[]", "") + " " + fd.name() + (fd.arrayLength() > 0 && !fd.type().endsWith("]") ? "[" + fd.arrayLength() + "]" : ""));
    }

    /** {@code struct NAME} (a pattern): the kernel's named types that match, or with {@code verbose} their C definitions. */
    private static void types(String search, boolean verbose, Consumer<String> out) {
        Btf btf = Btf.vmlinux();
        Pattern p = ProbeCatalog.glob(search);
        TreeSet<String> names = new TreeSet<>();
        List<Integer> ids = new ArrayList<>();
        int space = search.indexOf(' ');
        if (search.indexOf('*') < 0 && search.indexOf('?') < 0 && space > 0) {
            // one name: found through the name index, without reading the other types (vmlinux has 120,000)
            for (BtfType t : btf.findAllByName(search.substring(space + 1))) {
                String name = typeName(t);
                if (name != null && name.equals(search) && names.add(name)) ids.add(t.id());
            }
        } else {
            for (int id = 1; id < btf.typeCount(); id++) {
                BtfType t = btf.type(id);
                String name = typeName(t);
                if (name == null) continue;
                if (!p.matcher(name).matches() || !names.add(name)) continue;
                ids.add(id);
            }
        }
        if (!verbose) {
            names.forEach(out);
            return;
        }
        // a definition as C has it, without the types it needs before it
        for (int id : ids) out.accept(CDump.definition(btf, id));
    }

    /** {@code struct NAME}, {@code union NAME} or {@code enum NAME} for a named type of these kinds, else null. */
    private static String typeName(BtfType t) {
        String kind = switch (t) {
            case BtfType.Struct s -> "struct ";
            case BtfType.Union u -> "union ";
            case BtfType.Enum e -> "enum ";
            case BtfType.Enum64 e -> "enum ";
            default -> null;
        };
        return kind == null || t.name().isEmpty() ? null : kind + t.name();
    }

    /**
     * {@code -l} with a program: each attach point of its probes (BEGIN, END and the like left out) expanded as it
     * would be attached, named as bpftrace lists it (a perf event or timer without its count: {@code interval:ms:}).
     */
    public static void program(List<Attach> points, Consumer<String> out) {
        for (Attach a : points) {
            switch (a) {
                case Attach.Begin b -> { }
                case Attach.End e -> { }
                case Attach.Run r -> { }
                case Attach.Interval i -> out.accept("interval:" + i.unit() + ":");
                case Attach.Profile pr -> out.accept("profile:" + pr.unit() + ":");
                case Attach.Software s -> out.accept("software:" + s.event() + ":");
                case Attach.Hardware h -> out.accept("hardware:" + h.event() + ":");
                default -> out.accept(a.text());
            }
        }
    }
}
