package org.bpf4j.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The {@code .BTF.ext} section clang writes next to {@code .BTF}: per code section, the function records
 * ({@code bpf_func_info}), the source line records ({@code bpf_line_info}) and the CO-RE relocations
 * ({@code bpf_core_relo}). Offsets here are in bytes from the start of the code section, as in the file.
 *
 * <pre>
 * struct btf_ext_header { u16 magic 0xeB9F; u8 version; u8 flags; u32 hdr_len;
 *                         u32 func_info_off, func_info_len, line_info_off, line_info_len;
 *                         u32 core_relo_off, core_relo_len; }            offsets after hdr_len
 * each info block: u32 rec_size; then per section { u32 sec_name_off; u32 num_info; rec_size * num_info }
 * </pre>
 */
record BtfExt(Map<String, List<FuncInfo>> funcs, Map<String, List<LineInfo>> lines, Map<String, List<CoreRelo>> relos) {
    /** {@code bpf_func_info}: the function whose BTF FUNC is {@code typeId} starts at {@code insnOff} bytes. */
    record FuncInfo(int insnOff, int typeId) {}

    /** {@code bpf_line_info}: the instruction at {@code insnOff} bytes comes from this file, line and column. */
    record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol) {}

    /** {@code bpf_core_relo}: the instruction at {@code insnOff} bytes is relocated by {@code kind}. */
    record CoreRelo(int insnOff, int typeId, int accessStrOff, int kind) {}

    static final BtfExt EMPTY = new BtfExt(Map.of(), Map.of(), Map.of());

    /** Parses {@code data}; {@code strings} reads a string of {@code .BTF} by offset; {@code where} names the file. */
    static BtfExt parse(byte[] data, IntFunction<String> strings, String where) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 24 || Short.toUnsignedInt(b.getShort(0)) != 0xeB9F)
            throw new ObjectFormatException(where + ": .BTF.ext: bad header");
        int hdrLen = b.getInt(4);
        Map<String, List<FuncInfo>> funcs = block(b, hdrLen, b.getInt(8), b.getInt(12), 8, strings, where, "func_info",
                (at) -> new FuncInfo(b.getInt(at), b.getInt(at + 4)));
        Map<String, List<LineInfo>> lines = block(b, hdrLen, b.getInt(16), b.getInt(20), 16, strings, where, "line_info",
                (at) -> new LineInfo(b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12)));
        Map<String, List<CoreRelo>> relos = hdrLen >= 32
                ? block(b, hdrLen, b.getInt(24), b.getInt(28), 16, strings, where, "core_relo",
                        (at) -> new CoreRelo(b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12)))
                : Map.of();
        return new BtfExt(funcs, lines, relos);
    }

    private static <T> Map<String, List<T>> block(ByteBuffer b, int hdrLen, int off, int len, int minRec,
                                                  IntFunction<String> strings, String where, String what,
                                                  IntFunction<T> record) {
        Map<String, List<T>> out = new LinkedHashMap<>();
        if (len == 0) return out;
        long start = (long) hdrLen + Integer.toUnsignedLong(off), end = start + Integer.toUnsignedLong(len);
        if (start + 4 > b.capacity() || end > b.capacity())
            throw new ObjectFormatException(where + ": .BTF.ext: " + what + " runs past the section");
        int recSize = b.getInt((int) start);
        if (recSize < minRec) throw new ObjectFormatException(where + ": .BTF.ext: " + what + " record size " + recSize);
        int at = (int) start + 4;
        while (at < end) {
            if (at + 8 > end) throw new ObjectFormatException(where + ": .BTF.ext: " + what + " is cut short");
            String sec = strings.apply(b.getInt(at));
            long n = Integer.toUnsignedLong(b.getInt(at + 4));
            at += 8;
            if (at + n * recSize > end) throw new ObjectFormatException(where + ": .BTF.ext: " + what + " of " + sec + " is cut short");
            List<T> list = out.computeIfAbsent(sec, k -> new ArrayList<>());
            for (int i = 0; i < n; i++, at += recSize) list.add(record.apply(at));
        }
        return out;
    }
}
