package org.bpf4j.symbols;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Symbolizes code addresses of one process (a user stack from a stack trace map, a uprobe's ip): the mapping from
 * {@code /proc/PID/maps} gives the file and offset, the file's ELF symbols the function. Read the mappings while the
 * process lives; the ELF files stay mapped until {@link #close()}.
 */
public final class UserSymbols implements AutoCloseable {
    private final ProcMaps maps;
    private final Map<String, Optional<Module>> files = new HashMap<>();

    /** A function and the offset of the address in it, in {@code file} (the path the process maps it by). */
    public record Resolved(String function, long offset, Path file) {
        /** {@code function+offset}, as bpftrace prints a user stack frame ({@code main+0} at a function's start). */
        @Override
        public String toString() { return function + "+" + offset; }
    }

    /**
     * A mapped ELF file and where its function symbols are: itself, or for a file stripped to {@code .dynsym}
     * (Debian's libc.so.6), the detached debug file its build id names under /usr/lib/debug, when installed.
     */
    private record Module(ElfFile elf, ElfFile symbols) {
        void close() {
            if (symbols != elf) symbols.close();
            elf.close();
        }
    }

    private UserSymbols(ProcMaps maps) { this.maps = maps; }

    /** The symbolizer for process {@code pid}, reading its mappings now. */
    public static UserSymbols of(int pid) { return new UserSymbols(ProcMaps.of(pid)); }

    /** The function containing {@code address}, if a mapped ELF file with symbols covers it. */
    public Optional<Resolved> resolve(long address) {
        Optional<ProcMaps.Mapping> m = maps.containing(address);
        if (m.isEmpty() || !m.get().isFile()) return Optional.empty();
        Optional<Module> mod = files.computeIfAbsent(m.get().path(), p -> open(maps.pid(), p));
        if (mod.isEmpty()) return Optional.empty();
        long fileOffset = address - m.get().start() + m.get().offset();
        return mod.get().elf().addressOf(fileOffset).flatMap(vaddr -> mod.get().symbols().functionContaining(vaddr)
                .map(s -> new Resolved(s.name(), vaddr - s.value(), Path.of(m.get().path()))));
    }

    private static Optional<Module> open(int pid, String path) {
        Path inRoot = Path.of("/proc", Integer.toString(pid), "root").resolve(path.substring(1));
        Path file = Files.isRegularFile(inRoot) ? inRoot : Path.of(path);
        if (!ElfFile.isElf(file)) return Optional.empty();
        try {
            ElfFile elf = ElfFile.open(file);
            return Optional.of(new Module(elf, debugFile(elf).orElse(elf)));
        } catch (UserException e) {
            return Optional.empty(); // deleted or unreadable since it was mapped
        }
    }

    /** For a file without {@code .symtab}: the debug file of its build id, as gdb and bcc find it. */
    static Optional<ElfFile> debugFile(ElfFile elf) {
        if (elf.section(".symtab").isPresent()) return Optional.empty();
        for (ElfFile.Note n : elf.notes(".note.gnu.build-id")) {
            if (n.type() != 3 || n.desc().length < 2) continue; // NT_GNU_BUILD_ID
            HexFormat hex = HexFormat.of();
            String id = hex.formatHex(n.desc());
            Path debug = Path.of("/usr/lib/debug/.build-id", id.substring(0, 2), id.substring(2) + ".debug");
            if (!ElfFile.isElf(debug)) return Optional.empty();
            try {
                return Optional.of(ElfFile.open(debug));
            } catch (UserException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        files.values().forEach(f -> f.ifPresent(Module::close));
        files.clear();
    }
}
