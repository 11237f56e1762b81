package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.sys.Errno;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A uprobe or uretprobe: a kprobe-type program run when any process (or one, with a pid filter) executes an
 * instruction of a file, through the uprobe PMU ({@code perf_event_attr.config1} = the path,
 * {@code config2} = the file offset). The target is a symbol ({@code .symtab} or {@code .dynsym}) or an offset.
 */
public final class UprobeLink implements Link {
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
            Path.of("/usr/lib"), Path.of("/usr/local/lib"));

    private final String name;
    private final PerfAttachment attachment;

    private UprobeLink(String name, PerfAttachment attachment) {
        this.name = name;
        this.attachment = attachment;
    }

    /**
     * Attaches {@code program} to the entry (or, with {@code ret}, the return) of function {@code symbol} in
     * {@code binary} (a path, a program on PATH, or a library name such as {@code libc}, looked up in the
     * mappings of {@code pid} when it is given, else in the usual library directories). {@code pid} -1 traces
     * every process.
     */
    public static UprobeLink attach(KernelProgram program, String binary, String symbol, boolean ret, int pid) {
        Path file = resolveBinary(binary, pid);
        long offset = offsetOf(file, symbol);
        return attach(program, file, offset, ret, pid, describe(ret, file, symbol));
    }

    /** Attaches {@code program} at file offset {@code offset} of {@code binary}; {@code pid} -1 traces every process. */
    public static UprobeLink attach(KernelProgram program, Path binary, long offset, boolean ret, int pid) {
        return attach(program, binary, offset, ret, pid, describe(ret, binary, String.format("0x%x", offset)));
    }

    private static UprobeLink attach(KernelProgram program, Path binary, long offset, boolean ret, int pid, String name) {
        return new UprobeLink(name, open(program, binary, offset, 0, ret, pid, name));
    }

    private static String describe(boolean ret, Path file, String where) {
        return (ret ? "uretprobe:" : "uprobe:") + file + ":" + where;
    }

    /** Opens the uprobe perf event and attaches {@code program}: shared with USDT, which adds a semaphore. */
    static PerfAttachment open(KernelProgram program, Path binary, long offset, long refCtrOffset, boolean ret, int pid,
                               String what) {
        if (program.type() != ProgramType.KPROBE)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; " + what + " needs a kprobe program");
        ProbePmu pmu = ProbePmu.find("uprobe").orElseThrow(() -> new NotSupportedException("uprobes",
                "kernel built without CONFIG_UPROBE_EVENTS (no /sys/bus/event_source/devices/uprobe)"));
        if (!Files.isRegularFile(binary)) throw new UserException(what + ": no such file " + binary);
        PerfEvent event;
        try (Arena arena = Arena.ofConfined()) {
            long path = arena.allocateFrom(binary.toAbsolutePath().toString()).address();
            PerfEvent.Attr attr = PerfEvent.Attr.of(pmu.type(), pmu.config(ret, refCtrOffset)).extra(path, offset);
            event = PerfEvent.open(attr, pid >= 0 ? pid : -1, pid >= 0 ? -1 : 0, what);
        } catch (BpfException e) {
            if (e.errno() == Errno.ESRCH) throw new UserException(what + ": no process " + pid, e);
            if (e.errno() == Errno.EINVAL && refCtrOffset != 0)
                throw new UserException(what + ": the kernel refused the probe or its semaphore at offset 0x"
                        + Long.toHexString(refCtrOffset) + " (another tool may use a different semaphore offset)", e);
            throw e;
        }
        return PerfAttachment.attach(program, event);
    }

    /**
     * The file a uprobe target names: an existing path (with {@code pid}, as that process sees it); a library
     * mapped by {@code pid}; a program on PATH; a
     * library in the usual directories ({@code libc} finds {@code libc.so.6}).
     */
    public static Path resolveBinary(String target, int pid) { return resolveBinary("uprobe", target, pid); }

    /** The same, naming the probe type ({@code uprobe}, {@code usdt}) when the target is not found. */
    public static Path resolveBinary(String kind, String target, int pid) {
        if (target.indexOf('\0') >= 0) throw new UserException(kind + " target file '" + target.replace("\0", "\\0") + "': a path cannot hold a NUL byte");
        if (target.contains("/")) {
            Path p = Path.of(target);
            if (pid > 0 && p.isAbsolute()) {
                // as the process sees it: another mount namespace (a container) may have its own file there
                Path inRoot = Path.of("/proc", Integer.toString(pid), "root").resolve(target.substring(1));
                if (Files.isRegularFile(inRoot) && !(Files.isRegularFile(p) && sameFile(p, inRoot))) return inRoot;
            }
            if (Files.isRegularFile(p)) return p.toAbsolutePath();
            throw new UserException(kind + " target file '" + target + "' does not exist or is not executable");
        }
        if (pid > 0) {
            Optional<Path> lib = ProcMaps.of(pid).library(target);
            if (lib.isPresent()) { // through the process's root when it lives in another mount namespace (a container)
                Path inRoot = Path.of("/proc", Integer.toString(pid), "root").resolve(lib.get().toString().substring(1));
                return Files.isRegularFile(lib.get()) && !Files.isRegularFile(inRoot) ? lib.get()
                        : sameFile(lib.get(), inRoot) ? lib.get() : inRoot;
            }
        }
        String pathVar = System.getenv("PATH");
        if (pathVar != null) {
            for (String dir : pathVar.split(":")) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, target);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        }
        for (Path dir : LIBRARY_DIRS) {
            // libc.so is often a linker script: an ELF file is what a uprobe needs, a versioned one first
            Path exact = dir.resolve(target);
            if (ElfFile.isElf(exact)) return exact;
            try (var files = Files.list(dir)) {
                Optional<Path> lib = files.filter(f -> {
                    String n = f.getFileName().toString();
                    return n.startsWith(target + ".so") || n.startsWith("lib" + target + ".so");
                }).sorted(Comparator.comparing((Path f) -> f.getFileName().toString().endsWith(".so")).thenComparing(Path::toString))
                        .filter(ElfFile::isElf).findFirst();
                if (lib.isPresent()) return lib.get();
            } catch (java.io.IOException ignored) {
                // a missing directory: try the next
            }
        }
        throw new UserException(kind + " target " + target + ": not found (give a path"
                + (pid > 0 ? "" : ", or a pid whose mappings name it") + ")");
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The file offset of function {@code symbol} in {@code binary}; a {@link UserException} when it has none. */
    public static long offsetOf(Path binary, String symbol) {
        try (ElfFile elf = ElfFile.open(binary)) {
            ElfFile.Symbol s = elf.symbol(symbol).orElseThrow(() ->
                    new UserException("uprobe: no symbol " + symbol + " in " + binary));
            return elf.fileOffset(s.value());
        }
    }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { attachment.close(); }
}
