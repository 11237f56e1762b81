package org.bpf4j.cli.bpftool;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.math.BigInteger;

/**
 * Map keys and values formatted from BTF, as bpftool's btf_dumper prints them: integers as numbers, char arrays
 * holding a string as strings, enums by enumerator name, structs as objects, arrays as arrays. In plain-text mode
 * bitfields and pointers print as hex ({@code 0x5}, {@code (nil)} for a null pointer); in JSON mode a bitfield is a
 * hex string and a pointer a decimal number.
 */
public final class BtfValues {
    private final Btf btf;
    private final Json json;
    private final boolean plain;

    /** A dumper writing into {@code json}; {@code plain} for bpftool's text output, false for {@code -j}. */
    public BtfValues(Btf btf, Json json, boolean plain) {
        this.btf = btf;
        this.json = json;
        this.plain = plain;
    }

    /** Writes the value of type {@code typeId} that starts at {@code offset} of {@code data}. */
    public void write(int typeId, byte[] data, int offset) {
        write(typeId, data, offset, 0);
    }

    private void write(int typeId, byte[] data, int offset, int bitOffset) {
        BtfType t = btf.type(typeId);
        switch (t) {
            case BtfType.Int i -> writeInt(i, data, offset, bitOffset);
            case BtfType.Composite c -> {
                json.beginObject();
                for (BtfType.Member m : c.members()) {
                    json.name(m.name());
                    int at = offset + m.bitOffset() / 8;
                    if (m.bitfieldSize() != 0) bitfield(m.bitfieldSize(), m.bitOffset() % 8, data, at);
                    else write(m.type(), data, at, m.bitOffset() % 8);
                }
                json.endObject();
            }
            case BtfType.Array a -> writeArray(a, data, offset);
            case BtfType.Enum e -> {
                long v = signedAt(data, offset, e.size());
                for (BtfType.EnumValue ev : e.values()) {
                    if ((int) ev.value() == v || ev.value() == v) {
                        json.value(ev.name());
                        return;
                    }
                }
                json.value(v);
            }
            case BtfType.Enum64 e -> {
                long v = signedAt(data, offset, 8);
                for (BtfType.EnumValue ev : e.values()) {
                    if (ev.value() == v) {
                        json.value(ev.name());
                        return;
                    }
                }
                json.value(v);
            }
            case BtfType.Ptr p -> {
                long v = signedAt(data, offset, btf.pointerSize());
                if (plain) json.raw(v == 0 ? "(nil)" : "0x" + Long.toHexString(v));
                else json.raw(Long.toUnsignedString(v));
            }
            case BtfType.Void v -> json.raw("(unknown)");
            case BtfType.Fwd f -> json.raw("(fwd-kind-invalid)");
            case BtfType.Typedef r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Const r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Volatile r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Restrict r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Var v -> {
                json.beginObject();
                json.name(v.name());
                write(v.type(), data, offset, bitOffset);
                json.endObject();
            }
            case BtfType.Datasec d -> {
                json.beginObject();
                json.name(d.name());
                json.beginArray();
                for (BtfType.VarSecInfo v : d.vars()) write(v.type(), data, offset + v.offset(), 0);
                json.endArray();
                json.endObject();
            }
            default -> json.raw("(unsupported-kind");
        }
    }

    private void writeInt(BtfType.Int i, byte[] data, int offset, int bitOffset) {
        int bits = i.bits();
        if (bitOffset != 0 || i.bitOffset() != 0 || bits % 8 != 0) {
            int total = bitOffset + i.bitOffset();
            bitfield(bits, total % 8, data, offset + total / 8);
            return;
        }
        if (bits == 128) {
            int128(data, offset);
            return;
        }
        switch (i.encoding()) {
            case 0 -> {
                if (bits == 64 || bits == 32 || bits == 16 || bits == 8)
                    json.raw(Long.toUnsignedString(unsignedAt(data, offset, bits / 8)));
                else bitfield(bits, 0, data, offset);
            }
            case BtfType.Int.SIGNED -> {
                if (bits == 64 || bits == 32 || bits == 16 || bits == 8) json.raw(Long.toString(signedAt(data, offset, bits / 8)));
                else bitfield(bits, 0, data, offset);
            }
            case BtfType.Int.CHAR -> {
                int c = data[offset];
                if (c >= 0x20 && c < 0x7f) json.raw("\"" + (char) c + "\"");
                else if (plain) json.raw("0x" + Integer.toHexString(c & 0xff));
                else json.raw(String.format("\"\\u00%02x\"", c & 0xff));
            }
            // bpftool reads a bool as an int
            case BtfType.Int.BOOL -> json.value(unsignedAt(data, offset, Math.min(4, data.length - offset)) != 0);
            default -> json.raw("(unsupported-kind");
        }
    }

    private void writeArray(BtfType.Array a, byte[] data, int offset) {
        if (isString(a, data, offset)) {
            int end = offset;
            while (data[end] != 0) end++;
            json.value(new String(data, offset, end - offset, java.nio.charset.StandardCharsets.ISO_8859_1));
            return;
        }
        long elem = btf.sizeOf(a.type());
        json.beginArray();
        for (long k = 0; k < Integer.toUnsignedLong(a.nelems()) && elem >= 0; k++) write(a.type(), data, (int) (offset + k * elem), 0);
        json.endArray();
    }

    /** bpftool's is_str_array: a char array whose bytes are printable up to a NUL inside it. */
    private boolean isString(BtfType.Array a, byte[] data, int offset) {
        if (a.nelems() == 0) return false;
        BtfType e = btf.type(a.type());
        while (e instanceof BtfType.Const || e instanceof BtfType.Volatile || e instanceof BtfType.Restrict)
            e = btf.type(((BtfType.Ref) e).type());
        if (!(e instanceof BtfType.Int i) || i.size() != 1) return false;
        if (!i.isChar() && !i.name().equals("char")) return false;
        for (int k = 0; k < a.nelems() && offset + k < data.length; k++) {
            byte b = data[offset + k];
            if (b == 0) return true;
            if (b <= 0x1f || b >= 0x7f) return false;
        }
        return false;
    }

    /** {@code nrBits} bits starting {@code bitOffset} bits into {@code data[offset]}, little-endian, printed as hex. */
    private void bitfield(int nrBits, int bitOffset, byte[] data, int offset) {
        int bytes = (bitOffset + nrBits + 7) / 8;
        BigInteger v = BigInteger.ZERO;
        for (int k = Math.min(bytes, data.length - offset) - 1; k >= 0; k--)
            v = v.shiftLeft(8).or(BigInteger.valueOf(data[offset + k] & 0xff));
        v = v.shiftRight(bitOffset).and(BigInteger.ONE.shiftLeft(nrBits).subtract(BigInteger.ONE));
        hex(v);
    }

    private void int128(byte[] data, int offset) {
        BigInteger v = BigInteger.ZERO;
        for (int k = 15; k >= 0; k--) v = v.shiftLeft(8).or(BigInteger.valueOf(data[offset + k] & 0xff));
        hex(v);
    }

    private void hex(BigInteger v) {
        String h = "0x" + v.toString(16);
        json.raw(plain ? h : "\"" + h + "\"");
    }

    private static long unsignedAt(byte[] data, int offset, int size) {
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = (v << 8) | (data[offset + k] & 0xff);
        return v;
    }

    private static long signedAt(byte[] data, int offset, int size) {
        long v = unsignedAt(data, offset, size);
        int shift = 64 - 8 * size;
        return shift == 0 ? v : (v << shift) >> shift;
    }
}
