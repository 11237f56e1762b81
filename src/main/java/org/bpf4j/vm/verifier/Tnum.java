package org.bpf4j.vm.verifier;

/**
 * A tristate number (the kernel's {@code struct tnum}): each bit is known 0, known 1, or unknown. A bit is
 * unknown where {@code mask} has a 1; known bits are in {@code value}, and {@code value & mask == 0}.
 * The arithmetic follows kernel/bpf/tnum.c.
 *
 * @param value the known bits
 * @param mask  the unknown bits
 */
record Tnum(long value, long mask) {
    static final Tnum UNKNOWN = new Tnum(0, -1L);
    static final Tnum ZERO = new Tnum(0, 0);

    Tnum {
        value &= ~mask;
    }

    static Tnum constant(long v) {
        return new Tnum(v, 0);
    }

    /** The smallest tnum holding every value of the unsigned range [min, max]. */
    static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) return UNKNOWN;
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    boolean isConst() {
        return mask == 0;
    }

    boolean isUnknown() {
        return mask == -1L;
    }

    /** The smallest and largest unsigned values. */
    long umin() {
        return value;
    }

    long umax() {
        return value | mask;
    }

    /** The smallest signed value: the sign bit set if it may be. */
    long smin() {
        return value | (mask & Long.MIN_VALUE);
    }

    long smax() {
        return value | (mask & Long.MAX_VALUE);
    }

    Tnum add(Tnum b) {
        long sm = mask + b.mask;
        long sv = value + b.value;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    Tnum sub(Tnum b) {
        long dv = value - b.value;
        long alpha = dv + mask;
        long beta = dv - b.mask;
        long chi = alpha ^ beta;
        long mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    Tnum neg() {
        return ZERO.sub(this);
    }

    Tnum and(Tnum b) {
        long alpha = value | mask;
        long beta = b.value | b.mask;
        long v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    Tnum or(Tnum b) {
        long v = value | b.value;
        long mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    Tnum xor(Tnum b) {
        long v = value ^ b.value;
        long mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** Multiplication as the kernel's tnum_mul (shift-and-add over this's bits). */
    Tnum mul(Tnum b) {
        Tnum a = this;
        long accV = a.value * b.value;
        Tnum accM = ZERO;
        while ((a.value | a.mask) != 0) {
            if ((a.value & 1) != 0) {
                accM = accM.add(new Tnum(0, b.mask));
            } else if ((a.mask & 1) != 0) {
                accM = accM.add(new Tnum(0, b.value | b.mask));
            }
            a = a.rshift(1);
            b = b.lshift(1);
        }
        return constant(accV).add(accM);
    }

    Tnum lshift(int s) {
        return new Tnum(value << s, mask << s);
    }

    Tnum rshift(int s) {
        return new Tnum(value >>> s, mask >>> s);
    }

    /** Arithmetic shift right of the low {@code bits} (32 or 64). */
    Tnum arshift(int s, int bits) {
        if (bits == 32) return new Tnum(((int) value >> s) & 0xffffffffL, ((int) mask >> s) & 0xffffffffL);
        return new Tnum(value >> s, mask >> s);
    }

    /** Known bits of both: the values in both tnums. */
    Tnum intersect(Tnum b) {
        long v = value | b.value;
        long mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** The smallest tnum holding the values of both. */
    Tnum union(Tnum b) {
        long mu = mask | b.mask | (value ^ b.value);
        return new Tnum(value & ~mu, mu);
    }

    /** Whether every value of {@code b} is a value of this. */
    boolean contains(Tnum b) {
        if ((b.mask & ~mask) != 0) return false;
        return (b.value & ~mask) == value;
    }

    /** Whether {@code v} is one of the values. */
    boolean contains(long v) {
        return (v & ~mask) == value;
    }

    /** The low 32 bits, zero-extended. */
    Tnum subreg() {
        return new Tnum(value & 0xffffffffL, mask & 0xffffffffL);
    }

    /** The value truncated to {@code bytes} bytes, zero-extended. */
    Tnum cast(int bytes) {
        if (bytes >= 8) return this;
        long m = (1L << (bytes * 8)) - 1;
        return new Tnum(value & m, mask & m);
    }

    /** The upper 32 bits kept, the lower 32 from {@code low}. */
    Tnum withSubreg(Tnum low) {
        return new Tnum((value & ~0xffffffffL) | (low.value & 0xffffffffL), (mask & ~0xffffffffL) | (low.mask & 0xffffffffL));
    }

    @Override
    public String toString() {
        return isConst() ? Long.toString(value) : "(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ")";
    }
}
