package org.bpf4j.lang.sema;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.link.UprobeLink;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;
import org.bpf4j.usdt.UsdtArgument;
import org.bpf4j.usdt.UsdtProbe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the machine offers to attach to, for expanding wildcards and typing {@code args}: tracepoints and their
 * formats from tracefs, kernel symbols from kallsyms. Read lazily, so a script of BEGIN probes touches neither.
 */
public class ProbeCatalog {
    private final Supplier<Tracefs> tracefs;
    private final int pid;

    /** A catalog over {@code tracefs} (asked for only when a tracepoint is needed). */
    public ProbeCatalog(Supplier<Tracefs> tracefs) { this(tracefs, -1); }

    /** A catalog over {@code tracefs} that finds libraries in the mappings of {@code pid} (-1: none). */
    public ProbeCatalog(Supplier<Tracefs> tracefs, int pid) {
        this.tracefs = tracefs;
        this.pid = pid;
    }

    /** The running machine's catalog. */
    public static ProbeCatalog system() { return new ProbeCatalog(Tracefs::get); }

    /** The running machine's catalog, with libraries as process {@code pid} maps them (-p). */
    public static ProbeCatalog system(int pid) { return new ProbeCatalog(Tracefs::get, pid); }

    /** The process whose mappings resolve libraries (-p), or -1. */
    public int pid() { return pid; }

    /** The file a uprobe or USDT target names ({@code /bin/bash}, {@code libc}). */
    public Path binary(String target) { return UprobeLink.resolveBinary(target, pid); }

    private Path binary(String kind, String target) { return UprobeLink.resolveBinary(kind, target, pid); }

    /**
     * The distinct argument layouts of the sites of a concrete USDT probe, in note order (most probes have one);
     * the text of each layout as written in the note is the key.
     */
    public Map<String, List<UsdtArgument>> usdtLayouts(Attach.Usdt u) {
        Map<String, List<UsdtArgument>> out = new LinkedHashMap<>();
        for (UsdtProbe p : UsdtProbe.find(binary("usdt", u.binary()), u.provider(), u.name()))
            out.putIfAbsent(p.layoutKey(), p.arguments());
        return out;
    }

    /** Every tracepoint as {@code category:event}. */
    public List<String> tracepoints() { return tracefs.get().tracepoints(); }

    /** The format of one tracepoint; a {@link UserException} when there is none. */
    public EventFormat format(String category, String event) { return tracefs.get().format(category, event); }

    /**
     * The kernel functions kprobes can attach to as ftrace lists them ({@code available_filter_functions}), or
     * none where the kernel has no kprobes.
     */
    public List<String> kernelFunctions() {
        return org.bpf4j.link.AttachSupport.kprobes().supported() ? tracefs.get().kernelFunctions() : List.of();
    }

    private List<String> rawTracepoints;

    /**
     * Every raw tracepoint as {@code module:event}, sorted: the kernel has a {@code __traceiter_EVENT} function for
     * each (bpftrace reads the same names from BTF or the traceable functions; kallsyms has them without parsing
     * the kernel's BTF).
     */
    public List<String> rawTracepoints() {
        if (rawTracepoints == null) {
            try {
                rawTracepoints = List.copyOf(Kallsyms.withPrefix(Path.of("/proc/kallsyms"), "__traceiter_"));
            } catch (java.io.UncheckedIOException e) {
                rawTracepoints = List.of(); // no kallsyms: raw tracepoints are attached by name, unchecked
            }
        }
        return rawTracepoints;
    }

    /** True when the kernel's BTF has raw tracepoint {@code event}'s iterator function: the event is vmlinux's. */
    private static boolean vmlinuxRawTracepoint(String event) {
        try {
            return org.bpf4j.btf.Btf.vmlinux().find(org.bpf4j.btf.BtfType.Func.class, "__traceiter_" + event).isPresent();
        } catch (RuntimeException e) {
            return false; // no BTF: kallsyms says
        }
    }

    /** The address of kernel symbol {@code name}. */
    public Optional<Long> kernelSymbol(String name) { return Kallsyms.get().address(name); }

    /** The id of the cgroup at {@code path} (relative to the cgroup2 mount at /sys/fs/cgroup): its inode number. */
    public Optional<Long> cgroupId(String path) {
        try {
            Path dir = Path.of("/sys/fs/cgroup").resolve(path.startsWith("/") ? path.substring(1) : path);
            return Optional.of(((Number) Files.getAttribute(dir, "unix:ino")).longValue());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The link-time address of the instruction uprobe {@code u} is on, when its file is position-independent (a
     * PIE or a library: its instruction pointer is then that instruction wherever the file was loaded); empty for a
     * uretprobe (it fires at the return address) or a file that is not.
     */
    public Optional<Long> probedAddress(Attach.Uprobe u) {
        if (u.ret()) return Optional.empty();
        try (ElfFile elf = ElfFile.open(Path.of(u.binary()))) {
            if (elf.type() != ElfFile.ET_DYN) return Optional.empty();
            if (u.symbol().isEmpty()) return Optional.of(u.offset());
            return elf.symbol(u.symbol()).map(s -> s.value() + u.offset());
        } catch (UserException e) {
            return Optional.empty();
        }
    }

    /** The most frames the kernel records in a stack ({@code kernel.perf_event_max_stack}), or {@code fallback}. */
    public int maxStackDepth(int fallback) { return (int) org.bpf4j.sys.Sysctl.number("kernel/perf_event_max_stack", fallback); }

    /**
     * The concrete attach points {@code a} stands for: itself when it has no wildcard, else every match
     * (possibly none).
     */
    public List<Attach> expand(Attach a) {
        if (a instanceof Attach.Uprobe u) return uprobes(u);
        if (a instanceof Attach.Usdt u) return usdt(u);
        // bpftrace looks every raw tracepoint up in BTF: `rawtracepoint:EVENT` is `rawtracepoint:*:EVENT`
        if (!a.wildcard() && !(a instanceof Attach.RawTracepoint)) return List.of(a);
        return switch (a) {
            case Attach.Tracepoint tp -> {
                Pattern cat = glob(tp.category()), ev = glob(tp.event());
                List<Attach> out = new ArrayList<>();
                for (String t : tracepoints()) {
                    int colon = t.indexOf(':');
                    if (cat.matcher(t.substring(0, colon)).matches() && ev.matcher(t.substring(colon + 1)).matches())
                        out.add(new Attach.Tracepoint(t.substring(0, colon), t.substring(colon + 1)));
                }
                yield out;
            }
            case Attach.RawTracepoint r -> {
                // one event of the kernel's own: found in its BTF (needed for args anyway), not in all of kallsyms
                if (!r.wildcard() && r.module().isEmpty() && vmlinuxRawTracepoint(r.event())) yield List.of(new Attach.RawTracepoint("vmlinux", r.event()));
                if (!r.wildcard() && rawTracepoints().isEmpty()) yield List.of(a);
                Pattern mod = glob(r.module().isEmpty() ? "*" : r.module()), ev = glob(r.event());
                List<Attach> out = new ArrayList<>();
                for (String t : rawTracepoints()) {
                    int colon = t.indexOf(':');
                    if (mod.matcher(t.substring(0, colon)).matches() && ev.matcher(t.substring(colon + 1)).matches())
                        out.add(new Attach.RawTracepoint(t.substring(0, colon), t.substring(colon + 1)));
                }
                yield out;
            }
            case Attach.Kprobe k -> {
                // a kernel without kprobes: the probe stays as written and fails at attach, naming what is missing
                if (!org.bpf4j.link.AttachSupport.kprobes().supported()) yield List.of(a);
                // one kprobe per traceable function that matches, as bpftrace without kprobe_multi
                Pattern f = glob(k.function());
                List<Attach> out = new ArrayList<>();
                for (String name : kernelFunctions()) if (f.matcher(name).matches()) out.add(new Attach.Kprobe(name, k.offset(), k.ret()));
                yield out;
            }
            // fentry wildcards stay as written: they fail at attach where the kernel has no tracing programs
            case Attach.Fentry f -> List.of(a);
            default -> throw new UserException("wildcards are not supported in " + a.text());
        };
    }

    /**
     * The functions of a uprobe pattern in its binary. A function the binary does not have is no match (bpftrace
     * drops it silently, so that a tool probing optional library functions still runs).
     */
    private List<Attach> uprobes(Attach.Uprobe u) {
        List<Attach> out = new ArrayList<>();
        for (Map.Entry<String, Path> t : targets(u.binary(), false).entrySet()) {
            String shown = t.getKey();
            if (u.symbol().isEmpty()) {
                out.add(new Attach.Uprobe(shown, "", u.offset(), u.ret()));
                continue;
            }
            try (ElfFile elf = ElfFile.open(t.getValue())) {
                if (!u.wildcard()) {
                    if (elf.symbol(u.symbol()).isPresent()) out.add(new Attach.Uprobe(shown, u.symbol(), u.offset(), u.ret()));
                    continue;
                }
                Pattern p = glob(u.symbol());
                for (String n : functions(elf)) if (p.matcher(n).matches()) out.add(new Attach.Uprobe(shown, n, u.offset(), u.ret()));
            }
        }
        return out;
    }

    /** The names of the functions an ELF file defines, sorted, without symbol versions. */
    public static List<String> functions(ElfFile elf) {
        TreeSet<String> names = new TreeSet<>();
        for (ElfFile.Symbol s : elf.symbols())
            if (s.isFunction()) names.add(s.name().contains("@") ? s.name().substring(0, s.name().indexOf('@')) : s.name());
        return List.copyOf(names);
    }

    /**
     * The files a uprobe or USDT target stands for, each under the name attach points show: a path as written,
     * a library by the file it resolves to; a path with wildcards, each file that matches (in its directory as
     * written); with a pid, an empty or {@code *} target is every file the process maps (for {@code usdt}, its
     * libraries too, else the executable alone), under {@code /proc/PID/root}, as bpftrace lists them. Messages
     * name the probe type.
     */
    public Map<String, Path> targets(String target, boolean usdt) {
        String kind = usdt ? "usdt" : "uprobe";
        if (target.indexOf('\0') >= 0) throw new UserException(kind + " target file '" + target.replace("\0", "\\0") + "': a path cannot hold a NUL byte");
        Map<String, Path> out = new TreeMap<>();
        if ((target.isEmpty() || target.equals("*")) && pid > 0) {
            String root = "/proc/" + pid + "/root";
            List<String> files = new ArrayList<>();
            try {
                files.add(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString());
            } catch (IOException e) {
                throw new UserException("no process " + pid);
            }
            if (usdt)
                for (var m : ProcMaps.of(pid).mappings())
                    if (m.executable() && m.isFile() && !files.contains(m.path()) && ElfFile.isElf(Path.of(root + m.path()))) files.add(m.path());
            for (String f : files) out.put(root + f, Path.of(root + f));
            return out;
        }
        if (target.isEmpty()) throw new UserException(kind + " target : not found (give a path)");
        int slash = target.lastIndexOf('/');
        if (slash >= 0 && (target.indexOf('*') > slash || target.indexOf('?') > slash)) {
            String dir = target.substring(0, slash + 1);
            Pattern name = glob(target.substring(slash + 1));
            try (var files = Files.list(Path.of(dir))) {
                for (Path f : files.toList())
                    if (name.matcher(f.getFileName().toString()).matches() && ElfFile.isElf(f)) out.put(dir + f.getFileName(), binary(kind, dir + f.getFileName()));
            } catch (IOException e) {
                throw new UserException(kind + " target " + target + ": no such directory " + dir);
            }
            if (out.isEmpty()) throw new UserException(kind + " target file '" + target + "' does not exist or is not executable");
            return out;
        }
        Path file = binary(kind, target);
        out.put(target.contains("/") ? target : file.toString(), file);
        return out;
    }

    /**
     * Symbol {@code name} of the ELF file {@code binary} (an attach point's resolved path), as {@code uaddr()} reads
     * it: its value in the file (for a position-independent file, before relocation: the code generator adds
     * where the file is loaded, when the probe tells it).
     */
    public static Optional<ElfFile.Symbol> userSymbol(String binary, String name) {
        try (ElfFile elf = ElfFile.open(Path.of(binary))) {
            return elf.symbol(name).filter(s -> s.value() != 0);
        } catch (org.bpf4j.UserException e) {
            return Optional.empty();
        }
    }

    /** Symbol {@code name} of the file a uprobe target names, as this catalog resolves it. */
    public Optional<ElfFile.Symbol> symbolOf(String target, String name) {
        return userSymbol(binary(target).toString(), name);
    }

    /** The USDT probes of a pattern ({@code usdt:bin:prov*:name*}, or without a provider). */
    private List<Attach> usdt(Attach.Usdt u) {
        Pattern prov = glob(u.provider().isEmpty() ? "*" : u.provider()), name = glob(u.name());
        LinkedHashSet<Attach> out = new LinkedHashSet<>();
        for (Map.Entry<String, Path> t : targets(u.binary(), true).entrySet())
            for (UsdtProbe p : UsdtProbe.read(t.getValue()))
                if (prov.matcher(p.provider()).matches() && name.matcher(p.name()).matches())
                    out.add(new Attach.Usdt(t.getKey(), p.provider(), p.name()));
        return List.copyOf(out);
    }

    /** The text that names an argument layout (see {@link UsdtArgument#layoutKey}). */
    public static String layoutKey(List<UsdtArgument> args) { return UsdtArgument.layoutKey(args); }

    /** A shell-style pattern ({@code *}, {@code ?}) as a regular expression. */
    public static Pattern glob(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }
}
