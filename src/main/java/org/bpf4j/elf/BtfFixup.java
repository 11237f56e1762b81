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
                        java.util.function.ToLongBiFunction<String, String> symbolValue) {
        byte[] out = raw.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        int pos = hdrLen + b.getInt(8), end = pos + b.getInt(12);
        while (pos < end) {
            int info = b.getInt(pos + 4);
            int vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            int data = pos + 12;
            if (kind == DATASEC) {
                String name = btf.string(b.getInt(pos));
                long size = sectionSize.applyAsLong(name);
                boolean fixOffsets = b.getInt(pos + 8) == 0 && size > 0;
                if (fixOffsets) b.putInt(pos + 8, (int) size);
                List<int[]> vars = new ArrayList<>();
                for (int i = 0; i < vlen; i++) {
                    int q = data + 12 * i;
                    int type = b.getInt(q), off = b.getInt(q + 4), sz = b.getInt(q + 8);
                    if (fixOffsets) {
                        int var = type;
                        String varName = btf.type(var).name();
                        long v = symbolValue.applyAsLong(name, varName);
                        if (v >= 0) off = (int) v;
                    }
                    vars.add(new int[] {type, off, sz});
                }
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
        return out;
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
