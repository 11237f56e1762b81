package org.bpf4j.symbols;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Symbolizes code addresses of one process (a user stack from a stack trace map, a uprobe's ip): the mapping from
 * {@code /proc/PID/maps} gives the file and offset, the file's ELF symbols the function. Read the mappings while the
 * process lives; the ELF files stay mapped until {@link #close()}.
 */
public final class UserSymbols implements AutoCloseable {
    private final ProcMaps maps;
    private final Map<String, Optional<ElfFile>> files = new HashMap<>();

    /** A function and the offset of the address in it, in {@code file} (the path the process maps it by). */
    public record Resolved(String function, long offset, Path file) {
        /** {@code function+0xoffset}, as bpftrace prints a user stack frame. */
        @Override
        public String toString() { return offset == 0 ? function : function + "+" + offset; }
    }

    private UserSymbols(ProcMaps maps) { this.maps = maps; }

    /** The symbolizer for process {@code pid}, reading its mappings now. */
    public static UserSymbols of(int pid) { return new UserSymbols(ProcMaps.of(pid)); }

    /** The function containing {@code address}, if a mapped ELF file with symbols covers it. */
    public Optional<Resolved> resolve(long address) {
        Optional<ProcMaps.Mapping> m = maps.containing(address);
        if (m.isEmpty() || !m.get().isFile()) return Optional.empty();
        Optional<ElfFile> elf = files.computeIfAbsent(m.get().path(), p -> open(maps.pid(), p));
        if (elf.isEmpty()) return Optional.empty();
        long fileOffset = address - m.get().start() + m.get().offset();
        return elf.get().addressOf(fileOffset).flatMap(vaddr -> elf.get().functionContaining(vaddr)
                .map(s -> new Resolved(s.name(), vaddr - s.value(), Path.of(m.get().path()))));
    }

    private static Optional<ElfFile> open(int pid, String path) {
        Path inRoot = Path.of("/proc", Integer.toString(pid), "root").resolve(path.substring(1));
        Path file = Files.isRegularFile(inRoot) ? inRoot : Path.of(path);
        if (!ElfFile.isElf(file)) return Optional.empty();
        try {
            return Optional.of(ElfFile.open(file));
        } catch (UserException e) {
            return Optional.empty(); // deleted or unreadable since it was mapped
        }
    }

    @Override
    public void close() {
        files.values().forEach(f -> f.ifPresent(ElfFile::close));
        files.clear();
    }
}
