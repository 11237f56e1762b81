package org.bpf4j.elf;

import org.bpf4j.btf.Btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finishes an object's raw {@code .BTF} the way the kernel needs it: clang leaves each DATASEC's size and its
 * variables' offsets at zero (the linker would fill them in), so they are set from the ELF section sizes and the
 * variables' symbols, and the variables sorted by offset. The blob is patched in place; nothing else changes, so
 * type ids and string offsets stay those of the file.
 */
final class BtfFixup {
    private BtfFixup() {}

    private static final int DATASEC = 15;

    /**
     * Returns a patched copy of {@code raw}. {@code sectionSize} gives an ELF section's size by name (-1 when
     * absent); {@code symbolValue} a variable's offset in its section by section and name (-1 when absent).
     */
    static byte[] fixup(byte[] raw, Btf btf, java.util.function.ToLongFunction<String> sectionSize,
                        java.util.function.ToLongBiFunction<String, String> symbolValue, List<Externs.Extern> externs) {
        byte[] out = raw.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        int pos = hdrLen + b.getInt(8), end = pos + b.getInt(12);
        int[] at = new int[btf.typeCount()];
        java.util.Map<Integer, Externs.Extern> externById = new java.util.HashMap<>();
        for (Externs.Extern e : externs) externById.put(e.btfId(), e);
        for (int id = 1; pos < end && id < at.length; id++) {
            at[id] = pos;
            int info = b.getInt(pos + 4);
            pos += 12 + extra((info >>> 24) & 0x1f, info & 0xffff);
        }
        pos = hdrLen + b.getInt(8);
        while (pos < end) {
            int info = b.getInt(pos + 4);
            int vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            int data = pos + 12;
            if (kind == DATASEC && btf.string(b.getInt(pos)).equals(".ksyms")) {
                // the kernel takes neither extern functions nor extern variables in a DATASEC: libbpf rewrites
                // them; here the section becomes an anonymous struct of ints, the same size in the blob
                int intId = intType(btf);
                b.putInt(pos, 0);
                b.putInt(pos + 4, (STRUCT << 24) | vlen);
                b.putInt(pos + 8, 4 * vlen);
                for (int i = 0; i < vlen; i++) {
                    int q = data + 12 * i;
                    b.putInt(q, 0);
                    b.putInt(q + 4, intId);
                    b.putInt(q + 8, 32 * i);
                }
            } else if (kind == DATASEC) {
                String name = btf.string(b.getInt(pos));
                long size = sectionSize.applyAsLong(name);
                boolean fixOffsets = b.getInt(pos + 8) == 0 && size > 0;
                if (fixOffsets) b.putInt(pos + 8, (int) size);
                List<int[]> vars = new ArrayList<>();
                for (int i = 0; i < vlen; i++) {
                    int q = data + 12 * i;
                    int type = b.getInt(q), off = b.getInt(q + 4), sz = b.getInt(q + 8);
                    Externs.Extern ext = externById.get(type);
                    if (ext != null && ext.kind() == Externs.Kind.KCONFIG) {
                        off = ext.offset();
                        sz = ext.size();
                    } else if (fixOffsets) {
                        int var = type;
                        String varName = btf.type(var).name();
                        long v = symbolValue.applyAsLong(name, varName);
                        if (v >= 0) off = (int) v;
                    }
                    vars.add(new int[] {type, off, sz});
                }
                if (name.equals(".kconfig")) b.putInt(pos + 8, Externs.kconfigSize(externs));
                vars.sort(Comparator.comparingInt(v -> v[1]));
                for (int i = 0; i < vlen; i++) {
                    int q = data + 12 * i;
                    b.putInt(q, vars.get(i)[0]);
                    b.putInt(q + 4, vars.get(i)[1]);
                    b.putInt(q + 8, vars.get(i)[2]);
                }
            }
            pos = data + extra(kind, vlen);
        }
        // extern variables become allocated ones, extern functions global ones with named parameters
        for (Externs.Extern e : externs) {
            int p = at[e.btfId()];
            if (e.kind() == Externs.Kind.KSYM_FUNC) {
                int info = b.getInt(p + 4);
                b.putInt(p + 4, (info & ~0xffff) | 1);
                int proto = at[b.getInt(p + 8)], nameOff = b.getInt(p);
                int params = b.getInt(proto + 4) & 0xffff;
                for (int i = 0; i < params; i++) {
                    int q = proto + 12 + 8 * i;
                    if (b.getInt(q) == 0 && b.getInt(q + 4) != 0) b.putInt(q, nameOff);
                }
            } else {
                b.putInt(p + 12, 1);
            }
        }
        return out;
    }

    private static final int STRUCT = 4;

    /** A 4-byte int of the object's BTF (clang always emits one for 'int'). */
    private static int intType(Btf btf) {
        for (int id = 1; id < btf.typeCount(); id++)
            if (btf.type(id) instanceof org.bpf4j.btf.BtfType.Int i && i.size() == 4 && i.bits() == 32) return id;
        throw new ObjectFormatException("no 32-bit int in .BTF to stand in for .ksyms");
    }

    /** Bytes after {@code struct btf_type} for a kind (linux/btf.h). */
    private static int extra(int kind, int vlen) {
        return switch (kind) {
            case 1, 14, 17 -> 4;          // INT, VAR, DECL_TAG
            case 3 -> 12;                 // ARRAY
            case 4, 5, 15 -> 12 * vlen;   // STRUCT, UNION, DATASEC
            case 6, 13 -> 8 * vlen;       // ENUM, FUNC_PROTO
            case 19 -> 12 * vlen;         // ENUM64
            default -> 0;
        };
    }
}
