package org.bpf4j.elf;

import org.bpf4j.BpfException;
import org.bpf4j.btf.BtfLoader;
import org.bpf4j.sys.Fd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Rewrites an object's BTF for a kernel that lacks newer BTF kinds, as libbpf's sanitizer does, each record
 * replaced in place by one of the same size so type ids stay valid: VAR becomes a one-byte INT and DATASEC a
 * STRUCT (before 5.2's DATASEC), FUNC a TYPEDEF and FUNC_PROTO an ENUM (before 5.0's functions), a global FUNC
 * static (before 5.6), FLOAT an empty STRUCT of its size (5.13), DECL_TAG a one-byte INT (5.16), TYPE_TAG a CONST
 * (5.17), ENUM64 a UNION of ints (6.0). Which kinds are missing is probed once by loading a tiny BTF of each.
 */
final class BtfSanitizer {
    private BtfSanitizer() {}

    /** A BTF feature a kernel may lack. */
    enum Feature { DATASEC, FUNC, FUNC_GLOBAL, FLOAT, DECL_TAG, TYPE_TAG, ENUM64 }

    private static final int INT = 1, STRUCT = 4, UNION = 5, ENUM = 6, TYPEDEF = 8, CONST = 10, FUNC = 12,
            FUNC_PROTO = 13, VAR = 14, DATASEC = 15, FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;

    private static volatile Set<Feature> missing;

    /** The features this kernel lacks, probed once. */
    static Set<Feature> missingHere() {
        Set<Feature> m = missing;
        if (m == null) {
            m = EnumSet.noneOf(Feature.class);
            for (Feature f : Feature.values()) if (!loads(probe(f))) m.add(f);
            missing = m;
        }
        return m;
    }

    private static boolean loads(byte[] btf) {
        try (Fd fd = BtfLoader.load(btf)) {
            return true;
        } catch (BpfException e) {
            return false;
        }
    }

    /** Returns {@code raw} with the records of the {@code missing} features replaced (the input when none are). */
    static byte[] sanitize(byte[] raw, Set<Feature> missing) {
        if (missing.isEmpty()) return raw;
        byte[] out = raw.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        int pos = hdrLen + b.getInt(8), end = pos + b.getInt(12);
        int intId = 0, intName = 0, id = 1;
        java.util.Map<Integer, Integer> varType = new java.util.HashMap<>();
        for (int p = pos; p < end; id++) { // a 32-bit int to stand in, and each VAR's type before VARs change
            int info = b.getInt(p + 4), kind = (info >>> 24) & 0x1f;
            if (kind == INT && b.getInt(p + 8) == 4 && intId == 0) {
                intId = id;
                intName = b.getInt(p);
            }
            if (kind == VAR) varType.put(id, b.getInt(p + 8));
            p += 12 + extra(kind, info & 0xffff);
        }
        while (pos < end) {
            int info = b.getInt(pos + 4), kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            int data = pos + 12, next = data + extra(kind, vlen);
            switch (kind) {
                case VAR -> {
                    if (missing.contains(Feature.DATASEC)) {
                        b.putInt(pos + 4, INT << 24);
                        b.putInt(pos + 8, 1);
                        b.putInt(data, 8); // BTF_INT_ENC(0, 0, 8)
                    }
                }
                case DATASEC -> {
                    if (missing.contains(Feature.DATASEC)) {
                        b.putInt(pos, 0); // '.rodata' is no C identifier: anonymous
                        b.putInt(pos + 4, (STRUCT << 24) | vlen);
                        for (int i = 0; i < vlen; i++) {
                            int q = data + 12 * i, var = b.getInt(q), off = b.getInt(q + 4);
                            b.putInt(q, 0);
                            b.putInt(q + 4, varType.getOrDefault(var, intId)); // the variable's own type and place
                            b.putInt(q + 8, off * 8);
                        }
                    }
                }
                case FUNC -> {
                    if (missing.contains(Feature.FUNC)) b.putInt(pos + 4, TYPEDEF << 24);
                    else if (missing.contains(Feature.FUNC_GLOBAL) && vlen != 0) b.putInt(pos + 4, FUNC << 24);
                }
                case FUNC_PROTO -> {
                    if (missing.contains(Feature.FUNC)) {
                        b.putInt(pos, 0);
                        b.putInt(pos + 4, (ENUM << 24) | vlen);
                        b.putInt(pos + 8, 4);
                        for (int i = 0; i < vlen; i++) {
                            if (b.getInt(data + 8 * i) == 0) b.putInt(data + 8 * i, intName); // enumerators need names
                            b.putInt(data + 8 * i + 4, i);
                        }
                    }
                }
                case FLOAT -> {
                    if (missing.contains(Feature.FLOAT)) b.putInt(pos + 4, STRUCT << 24); // no members, same size
                }
                case DECL_TAG -> {
                    if (missing.contains(Feature.DECL_TAG)) {
                        b.putInt(pos, 0);
                        b.putInt(pos + 4, INT << 24);
                        b.putInt(pos + 8, 1);
                        b.putInt(data, 8);
                    }
                }
                case TYPE_TAG -> {
                    if (missing.contains(Feature.TYPE_TAG)) {
                        b.putInt(pos, 0);
                        b.putInt(pos + 4, CONST << 24);
                    }
                }
                case ENUM64 -> {
                    if (missing.contains(Feature.ENUM64)) {
                        b.putInt(pos + 4, (UNION << 24) | vlen);
                        for (int i = 0; i < vlen; i++) {
                            int q = data + 12 * i;
                            b.putInt(q + 4, intId);
                            b.putInt(q + 8, 0);
                        }
                    }
                }
                default -> { }
            }
            pos = next;
        }
        return out;
    }

    private static int extra(int kind, int vlen) {
        return switch (kind) {
            case 1, 14, 17 -> 4;
            case 3 -> 12;
            case 4, 5, 15 -> 12 * vlen;
            case 6, 13 -> 8 * vlen;
            case 19 -> 12 * vlen;
            default -> 0;
        };
    }

    /** The smallest BTF that uses {@code f}: an int and the feature's kind. */
    static byte[] probe(Feature f) {
        // strings: "" "int" "x" ".d"
        byte[] strings = "\0int\0x\0.d\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer t = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(1).putInt(INT << 24).putInt(4).putInt(0x01000020); // [1] int: signed, 32 bits
        switch (f) {
            case DATASEC -> {
                t.putInt(5).putInt(VAR << 24).putInt(1).putInt(1);                       // [2] var x: int, global
                t.putInt(7).putInt((DATASEC << 24) | 1).putInt(4).putInt(2).putInt(0).putInt(4); // [3] .d
            }
            case FUNC, FUNC_GLOBAL -> {
                t.putInt(0).putInt(FUNC_PROTO << 24).putInt(1);                          // [2] int (void)
                t.putInt(5).putInt((FUNC << 24) | (f == Feature.FUNC_GLOBAL ? 1 : 0)).putInt(2); // [3] x
            }
            case FLOAT -> t.putInt(5).putInt(FLOAT << 24).putInt(4);
            case DECL_TAG -> {
                t.putInt(5).putInt(STRUCT << 24 | 1).putInt(4).putInt(5).putInt(1).putInt(0); // [2] struct x { int x; }
                t.putInt(5).putInt(DECL_TAG << 24).putInt(2).putInt(-1);                 // [3] tag on it
            }
            case TYPE_TAG -> {
                t.putInt(5).putInt(TYPE_TAG << 24).putInt(1);                            // [2] int __tag(x)
                t.putInt(0).putInt(2 << 24).putInt(2);                                   // [3] pointer to it
            }
            case ENUM64 -> t.putInt(5).putInt(ENUM64 << 24 | 1).putInt(8).putInt(5).putInt(1).putInt(0);
        }
        int typeLen = t.position();
        ByteBuffer b = ByteBuffer.allocate(24 + typeLen + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(strings.length);
        b.put(t.array(), 0, typeLen).put(strings);
        return b.array();
    }
}
