package org.bpf4j.elf;

import org.bpf4j.UserException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A 64-bit little-endian ELF file (an executable, a shared library or an object), read through a read-only
 * mapping: sections, program headers, the symbol tables ({@code .symtab} and {@code .dynsym}) and notes.
 * Uprobes use it to turn a symbol into a file offset, USDT to read {@code .note.stapsdt}. Close it to unmap.
 */
public final class ElfFile implements AutoCloseable {
    /** {@code e_type} values. */
    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;
    /** {@code sh_type} values. */
    public static final int SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_DYNSYM = 11;
    /** {@code p_type} of a loadable segment. */
    public static final int PT_LOAD = 1;

    // Elf64_Ehdr, Elf64_Shdr (64 bytes), Elf64_Phdr (56 bytes), Elf64_Sym (24 bytes): offsets from elf.h.
    private static final int E_TYPE = 16, E_MACHINE = 18, E_PHOFF = 32, E_SHOFF = 40, E_PHENTSIZE = 54, E_PHNUM = 56,
            E_SHENTSIZE = 58, E_SHNUM = 60, E_SHSTRNDX = 62;
    private static final int SYM_SIZE = 24;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final int type, machine;
    private final List<Section> sections;
    private final List<Segment> segments;
    private volatile List<Symbol> symbols;

    /** A section header: name, {@code sh_type}, flags, load address, file offset, size, link and entry size. */
    public record Section(int index, String name, int type, long flags, long addr, long offset, long size, int link,
                          long entsize) {
        /** True when {@code vaddr} falls inside the section's addresses. */
        public boolean containsAddress(long vaddr) { return addr != 0 && vaddr >= addr && vaddr < addr + size; }
    }

    /** A program header: {@code p_type}, flags, file offset, virtual address, sizes in the file and in memory. */
    public record Segment(int type, int flags, long offset, long vaddr, long filesz, long memsz) {
        /** True when {@code vaddr} falls inside the segment's memory image. */
        public boolean containsAddress(long vaddr) { return vaddr >= this.vaddr && vaddr < this.vaddr + memsz; }
    }

    /**
     * A symbol: name, value (a virtual address in executables and libraries), size, {@code STT_*} type,
     * {@code STB_*} binding and section index (0: undefined); {@code dynamic} when it came from {@code .dynsym}.
     */
    public record Symbol(String name, long value, long size, int type, int binding, int section, boolean dynamic) {
        /** {@code STT_*} values. */
        public static final int STT_OBJECT = 1, STT_FUNC = 2, STT_GNU_IFUNC = 10;

        /** True for a function (STT_FUNC or an ifunc resolver) defined in this file. */
        public boolean isFunction() { return (type == STT_FUNC || type == STT_GNU_IFUNC) && section != 0; }

        /** True when {@code vaddr} falls inside the symbol. */
        public boolean contains(long vaddr) { return vaddr >= value && vaddr < value + Math.max(1, size); }
    }

    /** A note: owner name, {@code n_type} and the descriptor bytes. */
    public record Note(String owner, int type, byte[] desc) {}

    private ElfFile(Path path, Arena arena, MemorySegment data) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        if (data.byteSize() < 64 || data.get(JAVA_INT_UNALIGNED, 0) != 0x464c457f)
            throw bad("not an ELF file");
        if (data.get(JAVA_BYTE, 4) != 2) throw bad("not a 64-bit ELF file");
        if (data.get(JAVA_BYTE, 5) != 1) throw bad("not a little-endian ELF file");
        this.type = u16(E_TYPE);
        this.machine = u16(E_MACHINE);
        this.sections = readSections();
        this.segments = readSegments();
    }

    /** Maps and parses {@code path}; a {@link UserException} naming the file when it is missing or not ELF64. */
    public static ElfFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new ElfFile(path, arena, data);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new UserException(path + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new UserException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses an ELF image held in memory (a BPF object read from a class path resource, say); {@code name} stands
     * for the file in errors. The bytes are copied; close the result to free the copy.
     */
    public static ElfFile of(byte[] bytes, String name) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment data = arena.allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
            return new ElfFile(Path.of(name), arena, data);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The file this was read from. */
    public Path path() { return path; }

    /** {@code e_type}: {@link #ET_EXEC}, {@link #ET_DYN} (a library or a PIE), {@link #ET_REL}. */
    public int type() { return type; }

    /** {@code e_machine} (62 for x86-64, 247 for BPF). */
    public int machine() { return machine; }

    /** Every section header, in file order. */
    public List<Section> sections() { return sections; }

    /** The section called {@code name}, if any. */
    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name.equals(name)).findFirst();
    }

    /** A section's bytes in the file (empty for SHT_NOBITS); valid until {@link #close()}. */
    public MemorySegment contents(Section s) {
        if (s.type == SHT_NOBITS) return MemorySegment.NULL;
        check(s.offset, s.size, "section " + s.name);
        return data.asSlice(s.offset, s.size);
    }

    /** Every program header, in file order. */
    public List<Segment> segments() { return segments; }

    /**
     * The file offset where the byte at virtual address {@code vaddr} is stored: what a uprobe takes. Found through
     * the loadable segment containing the address (the section headers when there are no program headers).
     */
    public long fileOffset(long vaddr) {
        for (Segment s : segments)
            if (s.type == PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return vaddr - s.vaddr + s.offset;
        for (Section s : sections)
            if (s.type != SHT_NOBITS && s.containsAddress(vaddr)) return vaddr - s.addr + s.offset;
        throw bad(String.format("address 0x%x is in no loadable segment", vaddr));
    }

    /**
     * The virtual address of the byte at file offset {@code offset}, through the loadable segment that maps it:
     * the inverse of {@link #fileOffset}, for turning a process's code address (via its mapping) into a symbol.
     */
    public Optional<Long> addressOf(long offset) {
        for (Segment s : segments)
            if (s.type == PT_LOAD && offset >= s.offset && offset < s.offset + s.filesz) return Optional.of(offset - s.offset + s.vaddr);
        return Optional.empty();
    }

    /** The symbols of {@code .symtab} and {@code .dynsym} (a stripped file has only the latter), sorted by value. */
    public List<Symbol> symbols() {
        List<Symbol> s = symbols;
        if (s == null) {
            List<Symbol> all = new ArrayList<>();
            for (Section sec : sections)
                if (sec.type == SHT_SYMTAB || sec.type == SHT_DYNSYM) readSymbols(sec, all);
            all.sort(Comparator.comparingLong(Symbol::value));
            symbols = s = Collections.unmodifiableList(all);
        }
        return s;
    }

    /** The defined symbol called {@code name} (a symbol version suffix {@code @...} is ignored), preferring functions. */
    public Optional<Symbol> symbol(String name) {
        Symbol best = null;
        for (Symbol s : symbols()) {
            if (s.section == 0 || !baseName(s.name).equals(name)) continue;
            if (best == null || (s.isFunction() && !best.isFunction())) best = s;
        }
        return Optional.ofNullable(best);
    }

    /**
     * The function symbol whose body contains {@code vaddr}, for symbolizing user stacks. Of aliases at one address
     * ({@code malloc} and {@code __libc_malloc}) the global one with the fewest leading underscores wins.
     */
    public Optional<Symbol> functionContaining(long vaddr) {
        List<Symbol> all = symbols();
        int lo = 0, hi = all.size() - 1, at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (all.get(mid).value <= vaddr) { at = mid; lo = mid + 1; } else hi = mid - 1;
        }
        Symbol best = null;
        for (int i = at; i >= 0 && i > at - 256; i--) {
            Symbol s = all.get(i);
            if (best != null && s.value != best.value) break;
            if (!s.isFunction() || !s.contains(vaddr)) continue;
            if (best == null || rank(s) < rank(best)) best = s;
        }
        return Optional.ofNullable(best);
    }

    private static int rank(Symbol s) {
        int underscores = 0;
        while (underscores < s.name.length() && s.name.charAt(underscores) == '_') underscores++;
        return (s.binding == 1 ? 0 : s.binding == 2 ? 100 : 200) + underscores;
    }

    /** True when {@code path} is a regular file that starts with the ELF magic. */
    public static boolean isElf(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
            return ch.read(b) == 4 && b.getInt(0) == 0x7f454c46;
        } catch (IOException e) {
            return false;
        }
    }

    private static String baseName(String name) {
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    /** The notes of every SHT_NOTE section called {@code sectionName}. */
    public List<Note> notes(String sectionName) {
        List<Note> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type != SHT_NOTE || !s.name.equals(sectionName)) continue;
            MemorySegment m = contents(s);
            long at = 0;
            while (at + 12 <= m.byteSize()) {
                int namesz = m.get(JAVA_INT_UNALIGNED, at), descsz = m.get(JAVA_INT_UNALIGNED, at + 4);
                int ntype = m.get(JAVA_INT_UNALIGNED, at + 8);
                long nameAt = at + 12, descAt = nameAt + align4(namesz);
                if (namesz < 0 || descsz < 0 || descAt + descsz > m.byteSize()) throw bad("truncated note in " + s.name);
                String owner = cString(m, nameAt, namesz);
                out.add(new Note(owner, ntype, m.asSlice(descAt, descsz).toArray(JAVA_BYTE)));
                at = descAt + align4(descsz);
            }
        }
        return out;
    }

    private static long align4(long n) { return (n + 3) & ~3L; }

    private List<Section> readSections() {
        long shoff = data.get(JAVA_LONG_UNALIGNED, E_SHOFF);
        int shentsize = u16(E_SHENTSIZE), shnum = u16(E_SHNUM), shstrndx = u16(E_SHSTRNDX);
        if (shoff == 0 || shnum == 0) return List.of();
        if (shentsize < 64) throw bad("section header size " + shentsize);
        check(shoff, (long) shentsize * shnum, "section headers");
        long[] nameOffsets = new long[shnum];
        List<Section> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * shentsize;
            nameOffsets[i] = Integer.toUnsignedLong(data.get(JAVA_INT_UNALIGNED, h));
            raw.add(new Section(i, "", data.get(JAVA_INT_UNALIGNED, h + 4), data.get(JAVA_LONG_UNALIGNED, h + 8),
                    data.get(JAVA_LONG_UNALIGNED, h + 16), data.get(JAVA_LONG_UNALIGNED, h + 24),
                    data.get(JAVA_LONG_UNALIGNED, h + 32), data.get(JAVA_INT_UNALIGNED, h + 40),
                    data.get(JAVA_LONG_UNALIGNED, h + 56)));
        }
        if (shstrndx >= shnum) return List.copyOf(raw);
        Section strtab = raw.get(shstrndx);
        List<Section> out = new ArrayList<>(shnum);
        for (Section s : raw)
            out.add(new Section(s.index, string(strtab, nameOffsets[s.index]), s.type, s.flags, s.addr, s.offset,
                    s.size, s.link, s.entsize));
        return List.copyOf(out);
    }

    private List<Segment> readSegments() {
        long phoff = data.get(JAVA_LONG_UNALIGNED, E_PHOFF);
        int phentsize = u16(E_PHENTSIZE), phnum = u16(E_PHNUM);
        if (phoff == 0 || phnum == 0) return List.of();
        check(phoff, (long) phentsize * phnum, "program headers");
        List<Segment> out = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            long h = phoff + (long) i * phentsize;
            out.add(new Segment(data.get(JAVA_INT_UNALIGNED, h), data.get(JAVA_INT_UNALIGNED, h + 4),
                    data.get(JAVA_LONG_UNALIGNED, h + 8), data.get(JAVA_LONG_UNALIGNED, h + 16),
                    data.get(JAVA_LONG_UNALIGNED, h + 32), data.get(JAVA_LONG_UNALIGNED, h + 40)));
        }
        return List.copyOf(out);
    }

    private void readSymbols(Section table, List<Symbol> out) {
        if (table.link <= 0 || table.link >= sections.size()) return;
        Section strings = sections.get(table.link);
        MemorySegment m = contents(table);
        boolean dynamic = table.type == SHT_DYNSYM;
        for (long at = SYM_SIZE; at + SYM_SIZE <= m.byteSize(); at += SYM_SIZE) { // entry 0 is the null symbol
            long nameOff = Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, at));
            int info = m.get(JAVA_BYTE, at + 4) & 0xff;
            int shndx = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, at + 6));
            long value = m.get(JAVA_LONG_UNALIGNED, at + 8), size = m.get(JAVA_LONG_UNALIGNED, at + 16);
            if (nameOff == 0) continue;
            out.add(new Symbol(string(strings, nameOff), value, size, info & 0xf, info >>> 4, shndx, dynamic));
        }
    }

    private String string(Section strtab, long offset) {
        if (offset >= strtab.size) throw bad("string offset " + offset + " outside " + strtab.name);
        check(strtab.offset, strtab.size, "section " + (strtab.name.isEmpty() ? "#" + strtab.index : strtab.name));
        return cString(data, strtab.offset + offset, strtab.size - offset);
    }

    private static String cString(MemorySegment m, long at, long max) {
        long end = at;
        long limit = Math.min(m.byteSize(), at + max);
        while (end < limit && m.get(JAVA_BYTE, end) != 0) end++;
        return new String(m.asSlice(at, end - at).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private int u16(long at) { return Short.toUnsignedInt(data.get(JAVA_SHORT_UNALIGNED, at)); }

    private void check(long offset, long size, String what) {
        if (offset < 0 || size < 0 || offset > data.byteSize() || size > data.byteSize() - offset) // no overflow
            throw bad(what + ": " + Long.toUnsignedString(size) + " bytes at offset " + Long.toUnsignedString(offset)
                    + ", past the end of the file (" + data.byteSize() + " bytes)");
    }

    private UserException bad(String why) { return new UserException(path + ": " + why); }

    /** Unmaps the file; segments returned by {@link #contents} become invalid. */
    @Override
    public void close() { arena.close(); }
}
