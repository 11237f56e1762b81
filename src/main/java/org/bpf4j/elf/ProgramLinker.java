package org.bpf4j.elf;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Links one program of an object: its function's code, then each {@code .text} subprogram it calls (directly, or
 * through an lddw of a callback's address), appended once in the order first needed, with every call rewritten to
 * the new distance; map and global data relocations turned into lddws of a named map; func_info, line_info and
 * CO-RE records rebased onto the linked code. Every program gets its own copy of the subprograms it uses, as in
 * libbpf.
 */
final class ProgramLinker {
    /** What the linker needs from the object. */
    record Input(String where, Map<Integer, byte[]> code, Map<Integer, String> sectionNames, int textSection,
                 List<ObjectSymbols.Sym> textFunctions, Map<Integer, Map<Integer, ObjectSymbols.Rel>> relocations,
                 Map<Integer, String> mapSections, Map<Integer, String> dataSections, BtfExt ext,
                 java.util.function.IntFunction<String> btfString, Map<String, Externs.Extern> externs) {}

    /** A stretch of linked code copied from {@code slots} slots of section {@code section} at {@code from}. */
    private record Segment(int section, int from, int to, int slots) {}

    private final Input in;

    ProgramLinker(Input in) { this.in = in; }

    /** The program being linked: its code so far, where each stretch came from, the subprograms placed. */
    private final class Linking {
        final String ctx;
        final List<Segment> segments = new ArrayList<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Map<Integer, Integer> placed = new HashMap<>(); // .text function start slot -> linked start
        final List<ObjectProgram.MapUse> uses = new ArrayList<>();
        final List<ObjectProgram.ExternUse> externUses = new ArrayList<>();
        byte[] code;

        Linking(String ctx) { this.ctx = ctx; }

        /** Appends a function's code; returns its linked start. */
        int append(int section, int from, int slots, String where) {
            if (code != null) { // keep the patches made so far
                out.reset();
                out.writeBytes(code);
            }
            int at = out.size() / 8;
            ProgramLinker.this.append(segments, out, section, from, slots, where);
            code = out.toByteArray();
            return at;
        }

        /**
         * Relocates slots {@code from..to} of the linked code; a call of a subprogram not placed yet appends it and
         * relocates it at once, depth first, so subprograms land in the order libbpf gives them.
         */
        void relocate(int from, int to) {
            for (int i = from; i < to; i++) {
                Segment seg = segmentOf(segments, i);
                int srcSlot = seg.from() + (i - seg.to());
                ObjectSymbols.Rel rel = in.relocations().getOrDefault(seg.section(), Map.of()).get(srcSlot);
                String at = ctx + ": instruction " + i;
                if (rel != null && rel.sym().section() == 0) {
                    i = externUse(code, i, rel, at);
                    continue;
                }
                if (RawCode.isLdImm64(code, i) && rel != null && rel.sym().section() == in.textSection())
                    RawCode.setSrc(code, i, 4); // a subprogram's address (a callback): BPF_PSEUDO_FUNC, as libbpf marks it
                if (RawCode.isLocalCall(code, i) || RawCode.isFuncAddress(code, i)) {
                    boolean call = RawCode.isLocalCall(code, i);
                    int target; // a slot of .text
                    if (rel != null) {
                        if (rel.sym().section() != in.textSection())
                            throw new ObjectFormatException(at + ": call of '" + rel.sym().name() + "', which is not in .text");
                        target = call ? (int) (rel.sym().value() / 8) + RawCode.imm(code, i) + 1
                                : (int) ((rel.sym().value() + RawCode.imm(code, i)) / 8);
                    } else if (call && seg.section() == in.textSection()) {
                        target = srcSlot + RawCode.imm(code, i) + 1;
                    } else if (call && srcSlot + RawCode.imm(code, i) + 1 >= seg.from()
                            && srcSlot + RawCode.imm(code, i) + 1 < seg.from() + seg.slots()) {
                        continue; // a call inside the same function keeps its distance
                    } else {
                        throw new ObjectFormatException(at + ": call with no relocation outside its function");
                    }
                    ObjectSymbols.Sym callee = functionAt(target, at);
                    int start = (int) (callee.value() / 8), size = (int) (callee.size() / 8);
                    Integer linked = placed.get(start);
                    if (linked == null) {
                        linked = append(in.textSection(), start, size, at);
                        placed.put(start, linked);
                        RawCode.setImm(code, i, linked + (target - start) - (i + 1));
                        relocate(linked, linked + size);
                    } else {
                        RawCode.setImm(code, i, linked + (target - start) - (i + 1));
                    }
                    if (!call) i++;
                    continue;
                }
                if (RawCode.isLdImm64(code, i)) {
                    if (rel != null) uses.add(mapLoad(code, i, rel, at));
                    i++;
                }
            }
        }

        /** An instruction that uses an extern; returns the last slot it takes. */
        int externUse(byte[] code, int i, ObjectSymbols.Rel rel, String at) {
            Externs.Extern ext = in.externs().get(rel.sym().name());
            if (ext == null) throw new ObjectFormatException(at + ": refers to undefined symbol '" + rel.sym().name() + "'");
            boolean lddw = RawCode.isLdImm64(code, i);
            switch (ext.kind()) {
                case KCONFIG -> {
                    if (!lddw) throw new ObjectFormatException(at + ": extern '" + ext.name() + "' used by a non-lddw instruction");
                    int off = ext.offset() + RawCode.imm(code, i);
                    RawCode.setSrc(code, i, 2); // BPF_PSEUDO_MAP_VALUE into .kconfig
                    RawCode.setImm(code, i, 0);
                    RawCode.setImm(code, i + 1, off);
                    uses.add(new ObjectProgram.MapUse(i, ".kconfig"));
                    return i + 1;
                }
                case KSYM_VAR -> {
                    if (!lddw) throw new ObjectFormatException(at + ": kernel variable '" + ext.name() + "' used by a non-lddw instruction");
                    externUses.add(new ObjectProgram.ExternUse(i, ext.name()));
                    return i + 1;
                }
                case KSYM_FUNC -> {
                    if (RawCode.opcode(code, i) != RawCode.CALL)
                        throw new ObjectFormatException(at + ": kfunc '" + ext.name() + "' used by a non-call instruction");
                    externUses.add(new ObjectProgram.ExternUse(i, ext.name()));
                    return i;
                }
            }
            throw new IllegalStateException();
        }
    }

    /** Links the function {@code fn} of code section {@code section}. */
    ObjectProgram link(ObjectSymbols.Sym fn, int section, ProgramSection kind, String license, int kernVersion) {
        String ctx = in.where() + ": program '" + fn.name() + "' (section " + in.sectionNames().get(section) + ")";
        if (fn.value() % 8 != 0 || fn.size() % 8 != 0 || fn.size() == 0)
            throw new ObjectFormatException(ctx + ": function is not whole instructions");
        Linking l = new Linking(ctx);
        int size = (int) (fn.size() / 8);
        l.append(section, (int) (fn.value() / 8), size, ctx);
        l.relocate(0, size);
        l.uses.sort(java.util.Comparator.comparingInt(ObjectProgram.MapUse::slot));
        return new ObjectProgram(fn.name(), kind, license, kernVersion, l.code, l.uses, funcInfo(l.segments),
                lineInfo(l.segments), coreSites(l.segments), l.externUses, kind.autoload());
    }

    private ObjectProgram.MapUse mapLoad(byte[] code, int i, ObjectSymbols.Rel rel, String at) {
        ObjectSymbols.Sym sym = rel.sym();
        String mapsSection = in.mapSections().get(sym.section());
        if (mapsSection != null) {
            RawCode.setSrc(code, i, 1); // BPF_PSEUDO_MAP_FD
            RawCode.setImm(code, i, 0);
            return new ObjectProgram.MapUse(i, sym.name());
        }
        String data = in.dataSections().get(sym.section());
        if (data != null) {
            long off = RawCode.imm(code, i) + sym.value();
            RawCode.setSrc(code, i, 2); // BPF_PSEUDO_MAP_VALUE
            RawCode.setImm(code, i, 0);
            RawCode.setImm(code, i + 1, (int) off);
            return new ObjectProgram.MapUse(i, data);
        }
        throw new ObjectFormatException(at + ": lddw of '" + sym.name() + "' in section "
                + in.sectionNames().getOrDefault(sym.section(), "#" + sym.section()) + ", which is neither a map nor global data");
    }

    private ObjectSymbols.Sym functionAt(int slot, String at) {
        for (ObjectSymbols.Sym f : in.textFunctions()) {
            long start = f.value() / 8, end = start + f.size() / 8;
            if (slot >= start && slot < end) return f;
        }
        throw new ObjectFormatException(at + ": call to .text instruction " + slot + ", in no function");
    }

    private void append(List<Segment> segments, ByteArrayOutputStream out, int section, int from, int slots, String ctx) {
        byte[] src = in.code().get(section);
        if (src == null || (long) (from + slots) * 8 > src.length)
            throw new ObjectFormatException(ctx + ": function lies outside its section");
        segments.add(new Segment(section, from, out.size() / 8, slots));
        out.write(src, from * 8, slots * 8);
    }

    private static Segment segmentOf(List<Segment> segments, int slot) {
        for (Segment s : segments) if (slot >= s.to() && slot < s.to() + s.slots()) return s;
        throw new IllegalStateException("slot " + slot + " in no segment");
    }

    /** Records of {@code section} whose byte offset falls in a segment, at their linked slot. */
    private interface Rebase<T, R> { R at(T record, int slot); }

    private <T, R> List<R> rebase(List<Segment> segments, Map<String, List<T>> bySection,
                                  java.util.function.ToIntFunction<T> insnOff, Rebase<T, R> make,
                                  java.util.function.ToIntFunction<R> slotOf) {
        List<R> out = new ArrayList<>();
        for (Segment s : segments) {
            for (T r : bySection.getOrDefault(in.sectionNames().get(s.section()), List.of())) {
                int slot = insnOff.applyAsInt(r) / 8;
                if (slot >= s.from() && slot < s.from() + s.slots()) out.add(make.at(r, s.to() + slot - s.from()));
            }
        }
        out.sort(Comparator.comparingInt(slotOf));
        return out;
    }

    private List<ObjectProgram.FuncInfo> funcInfo(List<Segment> segments) {
        return rebase(segments, in.ext().funcs(), BtfExt.FuncInfo::insnOff,
                (r, slot) -> new ObjectProgram.FuncInfo(slot, r.typeId()), ObjectProgram.FuncInfo::slot);
    }

    private List<ObjectProgram.LineInfo> lineInfo(List<Segment> segments) {
        return rebase(segments, in.ext().lines(), BtfExt.LineInfo::insnOff,
                (r, slot) -> new ObjectProgram.LineInfo(slot, r.fileNameOff(), r.lineOff(), r.lineCol()),
                ObjectProgram.LineInfo::slot);
    }

    private List<ObjectProgram.CoreSite> coreSites(List<Segment> segments) {
        return rebase(segments, in.ext().relos(), BtfExt.CoreRelo::insnOff, (r, slot) -> {
            CoreKind kind = CoreKind.of(r.kind());
            if (kind == null) throw new ObjectFormatException(in.where() + ": CO-RE relocation of unknown kind " + r.kind() + " at instruction " + slot);
            return new ObjectProgram.CoreSite(slot, r.typeId(), in.btfString().apply(r.accessStrOff()), kind);
        }, ObjectProgram.CoreSite::slot);
    }
}
