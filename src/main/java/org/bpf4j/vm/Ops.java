package org.bpf4j.vm;

/**
 * RFC 9669 arithmetic that is more than one JVM instruction, shared by the interpreter and compiled code:
 * division by zero gives 0, modulo by zero keeps the dividend, unsigned division and modulo, byte swaps.
 * 32-bit forms take and return the low 32 bits zero-extended.
 */
public final class Ops {
    private Ops() {}

    /** Unsigned 64-bit {@code a / b}; 0 when {@code b} is 0. */
    public static long udiv64(long a, long b) { return b == 0 ? 0 : Long.divideUnsigned(a, b); }

    /** Unsigned 64-bit {@code a % b}; {@code a} when {@code b} is 0. */
    public static long umod64(long a, long b) { return b == 0 ? a : Long.remainderUnsigned(a, b); }

    /** Signed 64-bit {@code a / b}; 0 when {@code b} is 0, {@code a} for LLONG_MIN / -1. */
    public static long sdiv64(long a, long b) { return b == 0 ? 0 : a / b; }

    /** Signed 64-bit {@code a % b}; {@code a} when {@code b} is 0. */
    public static long smod64(long a, long b) { return b == 0 ? a : a % b; }

    /** Unsigned 32-bit division, zero-extended. */
    public static long udiv32(long a, long b) {
        int d = (int) b;
        return d == 0 ? 0 : Integer.divideUnsigned((int) a, d) & 0xffffffffL;
    }

    /** Unsigned 32-bit modulo, zero-extended; the dividend's low 32 bits when the divisor is 0. */
    public static long umod32(long a, long b) {
        int d = (int) b;
        return (d == 0 ? (int) a : Integer.remainderUnsigned((int) a, d)) & 0xffffffffL;
    }

    /** Signed 32-bit division, zero-extended. */
    public static long sdiv32(long a, long b) {
        int d = (int) b;
        return d == 0 ? 0 : ((int) a / d) & 0xffffffffL;
    }

    /** Signed 32-bit modulo, zero-extended. */
    public static long smod32(long a, long b) {
        int d = (int) b;
        return (d == 0 ? (int) a : (int) a % d) & 0xffffffffL;
    }

    /** Byte swap of the low {@code bits} (16, 32, 64) bits, zero-extended: be16/be32/be64 and bswap on a little-endian machine. */
    public static long swap(long v, int bits) {
        return switch (bits) {
            case 16 -> Short.reverseBytes((short) v) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) v) & 0xffffffffL;
            default -> Long.reverseBytes(v);
        };
    }

    /** The low {@code bits} bits, zero-extended: le16/le32/le64 on a little-endian machine. */
    public static long truncate(long v, int bits) {
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }
}
