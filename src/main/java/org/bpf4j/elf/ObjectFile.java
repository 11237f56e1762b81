package org.bpf4j.elf;

import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfFormatException;
import org.bpf4j.btf.BtfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a BPF object file (what {@code clang -target bpf -c} writes) into a {@link CollectionSpec}, with no kernel:
 * programs by section as libbpf's section table names them, the license and version, maps from {@code .maps},
 * the legacy {@code maps} section and the global data sections, SHT_REL relocations, bpf-to-bpf calls, {@code .BTF}
 * and {@code .BTF.ext}.
 */
public final class ObjectFile {
    private ObjectFile() {}

    private static final int EM_BPF = 247;

    /** Reads and parses {@code file}; the object is named after the file, as libbpf names it. */
    public static CollectionSpec read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /**
     * Parses an object held in memory; {@code fileName} names it in errors and gives the object's name (the file
     * name up to the first dot).
     */
    public static CollectionSpec parse(byte[] bytes, String fileName) {
        String where = fileName;
        try (ElfFile elf = ElfFile.of(bytes, fileName)) {
            if (elf.machine() != EM_BPF)
                throw new ObjectFormatException(where + ": not a BPF object (e_machine " + elf.machine() + ", expected 247)");
            if (elf.type() != ElfFile.ET_REL)
                throw new ObjectFormatException(where + ": not a relocatable object (e_type " + elf.type() + ")");
            return new Reader(elf, bytes, where, objectName(fileName)).read();
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException
                 | ArithmeticException | NegativeArraySizeException e) {
            // a damaged object that got past the checks above: still one message naming the file
            throw new ObjectFormatException(where + ": malformed BPF object (" + e.getMessage() + ")", e);
        }
    }

    /** libbpf's object name: the file's base name up to its first dot. */
    static String objectName(String fileName) {
        String base = Path.of(fileName).getFileName().toString();
        int dot = base.indexOf('.');
        return dot < 0 ? base : base.substring(0, dot);
    }

    /** One parse. */
    private static final class Reader {
        private final ElfFile elf;
        private final byte[] bytes;
        private final String where, name;
        private final List<ObjectSymbols.Sym> syms;

        Reader(ElfFile elf, byte[] bytes, String where, String name) {
            this.elf = elf;
            this.bytes = bytes;
            this.where = where;
            this.name = name;
            this.syms = ObjectSymbols.symbols(elf, bytes, where);
        }

        CollectionSpec read() {
            List<ElfFile.Section> sections = elf.sections();
            String license = elf.section("license").map(s -> cString(ObjectSymbols.contents(s, bytes, where))).orElse("");
            int version = elf.section("version").map(s -> {
                byte[] v = ObjectSymbols.contents(s, bytes, where);
                if (v.length != 4) throw new ObjectFormatException(where + ": section version is " + v.length + " bytes, not 4");
                return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt();
            }).orElse(0);

            byte[] btfRaw = elf.section(".BTF").map(s -> ObjectSymbols.contents(s, bytes, where)).orElse(null);
            Btf btf = null;
            if (btfRaw != null) {
                try {
                    btf = Btf.parse(btfRaw, null, where + ": .BTF");
                } catch (BtfFormatException e) {
                    throw new ObjectFormatException(e.getMessage(), e);
                }
            }
            Btf btfFinal = btf;
            BtfExt ext = btf == null ? BtfExt.EMPTY : elf.section(".BTF.ext")
                    .map(s -> BtfExt.parse(ObjectSymbols.contents(s, bytes, where), off -> string(btfFinal, off), where))
                    .orElse(BtfExt.EMPTY);

            // relocations by target section, keyed by slot
            Map<Integer, Map<Integer, ObjectSymbols.Rel>> rels = new HashMap<>();
            Map<Integer, List<ObjectSymbols.Rel>> relList = new HashMap<>();
            for (ElfFile.Section s : sections) {
                if (s.type() != ObjectSymbols.SHT_REL) continue;
                int target = ObjectSymbols.info(bytes, s.index());
                if (target <= 0 || target >= sections.size()) continue;
                List<ObjectSymbols.Rel> list = ObjectSymbols.relocations(s, bytes, syms, where);
                relList.put(target, list);
                Map<Integer, ObjectSymbols.Rel> bySlot = new HashMap<>();
                for (ObjectSymbols.Rel r : list) bySlot.put((int) (r.offset() / 8), r);
                rels.put(target, bySlot);
            }

            // maps
            List<ObjectMap> maps = new ArrayList<>();
            Map<Integer, String> mapSections = new HashMap<>(), dataSections = new HashMap<>();
            Map<String, Long> sectionSizes = new HashMap<>();
            for (ElfFile.Section s : sections) {
                sectionSizes.put(s.name(), s.size());
                if (s.name().equals(".maps")) {
                    if (btf == null) throw new ObjectFormatException(where + ": .maps needs .BTF (compile with -g)");
                    maps.addAll(MapDefinitions.btfMaps(btf, relList.getOrDefault(s.index(), List.of()),
                            var -> symbolValue(".maps", var), where));
                    mapSections.put(s.index(), s.name());
                } else if (s.name().equals("maps")) {
                    maps.addAll(MapDefinitions.legacyMaps(ObjectSymbols.contents(s, bytes, where), syms, s.index(), where));
                    mapSections.put(s.index(), s.name());
                }
            }
            for (ElfFile.Section s : sections) {
                if (!isData(s)) continue;
                dataSections.put(s.index(), s.name());
                maps.add(MapDefinitions.dataMap(name, s.name(), ObjectSymbols.contents(s, bytes, where), btf, where));
            }
            List<Externs.Extern> externs = Externs.collect(syms, btf, where);
            Map<String, Externs.Extern> externsByName = new LinkedHashMap<>();
            for (Externs.Extern e : externs) externsByName.put(e.name(), e);
            if (Externs.kconfigSize(externs) > 0)
                maps.add(MapDefinitions.kconfigMap(name, Externs.kconfigSize(externs), btf));
            Map<String, ObjectMap> byName = MapDefinitions.byName(maps, where);
            Map<String, CollectionSpec.Variable> variables = variables(dataSections, btf);

            byte[] fixed = btfRaw == null ? null : BtfFixup.fixup(btfRaw, btf,
                    sec -> sectionSizes.getOrDefault(sec, -1L), (sec, var) -> symbolValue(sec, var), externs);

            // programs
            int text = elf.section(".text").map(ElfFile.Section::index).orElse(-1);
            Map<Integer, byte[]> code = new HashMap<>();
            Map<Integer, String> names = new HashMap<>();
            for (ElfFile.Section s : sections) {
                names.put(s.index(), s.name());
                if (isCode(s)) code.put(s.index(), ObjectSymbols.contents(s, bytes, where));
            }
            List<ObjectSymbols.Sym> textFunctions = new ArrayList<>();
            for (ObjectSymbols.Sym f : syms)
                if (f.section() == text && f.type() == ObjectSymbols.STT_FUNC) textFunctions.add(f);
            ProgramLinker linker = new ProgramLinker(new ProgramLinker.Input(where, code, names, text, textFunctions,
                    rels, mapSections, dataSections, ext, off -> string(btfFinal, off), externsByName));
            Map<String, ObjectProgram> programs = new LinkedHashMap<>();
            for (ElfFile.Section s : sections) {
                if (!isCode(s) || s.index() == text) continue;
                ProgramSection kind = ProgramSection.parse(s.name()).orElseThrow(() -> new ObjectFormatException(
                        where + ": section '" + s.name() + "': no program type for this section name (see docs/elf.md)"));
                for (ObjectSymbols.Sym f : syms) {
                    if (f.section() != s.index() || f.type() != ObjectSymbols.STT_FUNC) continue;
                    if (f.bind() == ObjectSymbols.STB_LOCAL)
                        throw new ObjectFormatException(where + ": section '" + s.name() + "': program '" + f.name() + "' is static; programs must be global");
                    ObjectProgram p = linker.link(f, s.index(), kind, license, version);
                    if (programs.put(p.name(), p) != null)
                        throw new ObjectFormatException(where + ": two programs called '" + p.name() + "'");
                }
            }
            for (ObjectProgram p : programs.values())
                for (ObjectProgram.MapUse u : p.mapUses())
                    if (!byName.containsKey(u.map()))
                        throw new ObjectFormatException(where + ": program '" + p.name() + "' uses '" + u.map() + "', which is not a map");
            return new CollectionSpec(name, byName, programs, variables, fixed, btf, externsByName);
        }

        private Map<String, CollectionSpec.Variable> variables(Map<Integer, String> dataSections, Btf btf) {
            Map<String, CollectionSpec.Variable> out = new LinkedHashMap<>();
            for (ObjectSymbols.Sym s : syms) {
                String sec = dataSections.get(s.section());
                if (sec == null || s.type() != ObjectSymbols.STT_OBJECT || s.name().isEmpty()) continue;
                int type = 0;
                if (btf != null) {
                    for (BtfType t : btf.findAllByName(s.name()))
                        if (t instanceof BtfType.Var v) type = v.type();
                }
                out.putIfAbsent(s.name(), new CollectionSpec.Variable(s.name(), sec, (int) s.value(), (int) s.size(), type));
            }
            return out;
        }

        private long symbolValue(String section, String var) {
            for (ObjectSymbols.Sym s : syms) {
                if (!s.name().equals(var) || s.type() == ObjectSymbols.STT_SECTION) continue;
                if (s.section() > 0 && s.section() < elf.sections().size() && elf.sections().get(s.section()).name().equals(section))
                    return s.value();
            }
            return -1;
        }

        private static boolean isCode(ElfFile.Section s) {
            return s.type() == ObjectSymbols.SHT_PROGBITS && (s.flags() & ObjectSymbols.SHF_EXECINSTR) != 0;
        }

        private static boolean isData(ElfFile.Section s) {
            boolean kind = s.type() == ObjectSymbols.SHT_PROGBITS || s.type() == ObjectSymbols.SHT_NOBITS;
            String n = s.name();
            boolean named = n.equals(".rodata") || n.startsWith(".rodata.") || n.equals(".data") || n.startsWith(".data.")
                    || n.equals(".bss") || n.startsWith(".bss.");
            return kind && named && (s.flags() & ObjectSymbols.SHF_ALLOC) != 0 && (s.flags() & ObjectSymbols.SHF_EXECINSTR) == 0
                    && s.size() > 0;
        }

        private String string(Btf btf, int off) {
            if (off < 0) throw new ObjectFormatException(where + ": .BTF.ext refers to string offset " + Integer.toUnsignedString(off) + ", outside .BTF");
            try {
                return btf.string(off);
            } catch (IllegalArgumentException e) {
                throw new ObjectFormatException(where + ": .BTF.ext refers to string offset " + off + ", outside .BTF");
            }
        }

        private static String cString(byte[] b) {
            int n = 0;
            while (n < b.length && b[n] != 0) n++;
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }
}
