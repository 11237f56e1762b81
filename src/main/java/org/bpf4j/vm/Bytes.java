package org.bpf4j.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian keys, values and contexts for tests and tools that talk to maps and programs byte by byte. */
public final class Bytes {
    private Bytes() {}

    /** {@code v} as 4 little-endian bytes. */
    public static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** {@code v} as 8 little-endian bytes. */
    public static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** The little-endian u32 at {@code offset}, zero-extended. */
    public static long u32(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(offset) & 0xffffffffL;
    }

    /** The little-endian u64 at {@code offset}. */
    public static long u64(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    /** A little-endian buffer of {@code size} bytes to build a context or a value in. */
    public static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
