package org.bpf4j.link;

import org.bpf4j.NotSupportedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The BTF type ids of the kernel's functions ({@code BTF_KIND_FUNC} in /sys/kernel/btf/vmlinux): what an fentry or
 * fexit program names as its {@code attach_btf_id}. A deliberately small reader (the full BTF model lives in the
 * btf package): it walks the type section once, knowing only how long each kind's record is.
 */
final class VmlinuxFunctions {
    static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static volatile Map<String, Integer> functions;

    private VmlinuxFunctions() {}

    /** The BTF id of kernel function {@code name}, if vmlinux BTF has it. */
    static Optional<Integer> id(String name) {
        Map<String, Integer> f = functions;
        if (f == null) {
            synchronized (VmlinuxFunctions.class) {
                if (functions == null) functions = read(VMLINUX);
                f = functions;
            }
        }
        return Optional.ofNullable(f.get(name));
    }

    static Map<String, Integer> read(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new NotSupportedException("fentry/fexit", "no kernel BTF (" + file + ": " + e.getMessage()
                    + "): the kernel must be built with CONFIG_DEBUG_INFO_BTF");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        // struct btf_header: magic u16 0xeB9F, version u8, flags u8, hdr_len, type_off, type_len, str_off, str_len
        if (raw.length < 24 || (b.getShort(0) & 0xffff) != 0xeB9F) throw new IllegalStateException(file + " is not BTF");
        int hdrLen = b.getInt(4), typeOff = hdrLen + b.getInt(8), typeLen = b.getInt(12), strOff = hdrLen + b.getInt(16);
        Map<String, Integer> out = new HashMap<>();
        int at = typeOff, end = typeOff + typeLen, id = 1;
        while (at + 12 <= end) {
            int nameOff = b.getInt(at), info = b.getInt(at + 4);
            int kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            if (kind == 12 /* BTF_KIND_FUNC */) out.put(cString(raw, strOff + nameOff), id);
            at += 12 + switch (kind) {
                case 1, 14, 17 -> 4;          // INT, VAR, DECL_TAG
                case 3 -> 12;                 // ARRAY
                case 4, 5, 15, 19 -> 12 * vlen; // STRUCT, UNION, DATASEC, ENUM64
                case 6, 13 -> 8 * vlen;       // ENUM, FUNC_PROTO
                default -> 0;                 // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
            };
            id++;
        }
        return Map.copyOf(out);
    }

    private static String cString(byte[] raw, int at) {
        int end = at;
        while (end < raw.length && raw[end] != 0) end++;
        return new String(raw, at, end - at, StandardCharsets.US_ASCII);
    }
}
