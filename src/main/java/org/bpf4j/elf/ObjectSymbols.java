package org.bpf4j.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a relocatable object that {@link ElfFile} does not keep: the symbol table by index (relocations
 * name symbols by index, and section symbols have no name), and relocation sections with their target.
 */
final class ObjectSymbols {
    private ObjectSymbols() {}

    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_NOBITS = 8, SHT_REL = 9;
    static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    static final int R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3, R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10;

    /** An {@code Elf64_Sym} by its index in {@code .symtab}. */
    record Sym(int index, String name, int type, int bind, int visibility, int section, long value, long size) {}

    /** An {@code Elf64_Rel}: the bytes at {@code offset} of the target section refer to symbol {@code sym}. */
    record Rel(long offset, int type, Sym sym) {}

    /** Every symbol of {@code .symtab}, index 0 (the null symbol) included. */
    static List<Sym> symbols(ElfFile elf, byte[] bytes, String where) {
        ElfFile.Section tab = null;
        for (ElfFile.Section s : elf.sections()) if (s.type() == SHT_SYMTAB) tab = s;
        if (tab == null) throw new ObjectFormatException(where + ": no symbol table (.symtab)");
        if (tab.link() <= 0 || tab.link() >= elf.sections().size())
            throw new ObjectFormatException(where + ": .symtab links to no string table");
        ElfFile.Section strtab = elf.sections().get(tab.link());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        checkRange(bytes, tab, where);
        checkRange(bytes, strtab, where);
        List<Sym> out = new ArrayList<>();
        for (long at = 0; at + 24 <= tab.size(); at += 24) {
            int p = (int) (tab.offset() + at);
            long nameOff = Integer.toUnsignedLong(b.getInt(p));
            int info = b.get(p + 4) & 0xff, other = b.get(p + 5) & 0xff;
            int shndx = Short.toUnsignedInt(b.getShort(p + 6));
            out.add(new Sym(out.size(), string(bytes, strtab, nameOff, where), info & 0xf, info >>> 4, other & 3,
                    shndx, b.getLong(p + 8), b.getLong(p + 16)));
        }
        return out;
    }

    /** {@code sh_info} of section {@code index}: for a relocation section, the section it applies to. */
    static int info(byte[] bytes, int index) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(40);
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        return b.getInt((int) (shoff + (long) index * shentsize + 44));
    }

    /** The relocations of an SHT_REL section. */
    static List<Rel> relocations(ElfFile.Section rel, byte[] bytes, List<Sym> syms, String where) {
        checkRange(bytes, rel, where);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Rel> out = new ArrayList<>();
        for (long at = 0; at + 16 <= rel.size(); at += 16) {
            int p = (int) (rel.offset() + at);
            long info = b.getLong(p + 8);
            long symIndex = info >>> 32;
            if (symIndex >= syms.size())
                throw new ObjectFormatException(where + ": " + rel.name() + ": relocation names symbol " + symIndex + ", past the symbol table");
            out.add(new Rel(b.getLong(p), (int) info, syms.get((int) symIndex)));
        }
        return out;
    }

    /** The bytes of a section ({@code size} zeros for SHT_NOBITS). */
    static byte[] contents(ElfFile.Section s, byte[] bytes, String where) {
        if (s.size() > Integer.MAX_VALUE) throw new ObjectFormatException(where + ": section " + s.name() + " is too large");
        if (s.type() == SHT_NOBITS) return new byte[(int) s.size()];
        checkRange(bytes, s, where);
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(bytes, (int) s.offset(), out, 0, out.length);
        return out;
    }

    private static void checkRange(byte[] bytes, ElfFile.Section s, String where) {
        if (s.type() == SHT_NOBITS) return;
        if (s.offset() < 0 || s.size() < 0 || s.offset() + s.size() > bytes.length)
            throw new ObjectFormatException(where + ": section " + s.name() + " lies outside the file");
    }

    private static String string(byte[] bytes, ElfFile.Section strtab, long off, String where) {
        if (off >= strtab.size()) throw new ObjectFormatException(where + ": symbol name offset " + off + " outside " + strtab.name());
        int start = (int) (strtab.offset() + off), end = start;
        int limit = (int) (strtab.offset() + strtab.size());
        while (end < limit && bytes[end] != 0) end++;
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }
}
