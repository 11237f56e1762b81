package org.bpf4j.vm.verifier;

/**
 * What the verifier knows of a number: signed and unsigned ranges in 64 and 32 bits and a {@link Tnum}, as the
 * kernel's {@code bpf_reg_state} keeps them, kept consistent by {@link #sync()} (the kernel's
 * {@code reg_bounds_sync}). 32-bit bounds describe the low half; they are held in longs (u32 as 0..2^32-1,
 * s32 sign-extended). Immutable; a scalar with empty ranges is {@link #isEmpty() empty} (an impossible path).
 */
record Scalar(long smin, long smax, long umin, long umax, long s32min, long s32max, long u32min, long u32max, Tnum tnum) {
    static final long U32_MAX = 0xffffffffL;
    static final Scalar UNKNOWN = new Scalar(Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L,
            Integer.MIN_VALUE, Integer.MAX_VALUE, 0, U32_MAX, Tnum.UNKNOWN);

    static Scalar constant(long v) {
        return new Scalar(v, v, v, v, (int) v, (int) v, v & U32_MAX, v & U32_MAX, Tnum.constant(v));
    }

    /** An unknown value in the unsigned range [0, 2^bits - 1]. */
    static Scalar unsignedBits(int bits) {
        if (bits >= 64) return UNKNOWN;
        long max = (1L << bits) - 1;
        return UNKNOWN.withU64(0, max).sync();
    }

    /** An unknown value in the signed range of {@code bits} bits, sign-extended. */
    static Scalar signedBits(int bits) {
        if (bits >= 64) return UNKNOWN;
        long max = (1L << (bits - 1)) - 1;
        return UNKNOWN.withS64(-max - 1, max).sync();
    }

    /** An unknown value in the unsigned range [min, max]. */
    static Scalar unsignedRange(long min, long max) {
        return UNKNOWN.withU64(min, max).sync();
    }

    boolean isConst() {
        return tnum.isConst();
    }

    long value() {
        return tnum.value();
    }

    /** Whether no value fits these bounds. */
    boolean isEmpty() {
        return smin > smax || Long.compareUnsigned(umin, umax) > 0 || s32min > s32max || u32min > u32max
                || !tnum.contains(tnum.value()) || Long.compareUnsigned(tnum.umin(), umax) > 0
                || Long.compareUnsigned(tnum.umax(), umin) < 0;
    }

    Scalar withU64(long min, long max) {
        return new Scalar(smin, smax, min, max, s32min, s32max, u32min, u32max, tnum);
    }

    Scalar withS64(long min, long max) {
        return new Scalar(min, max, umin, umax, s32min, s32max, u32min, u32max, tnum);
    }

    Scalar withU32(long min, long max) {
        return new Scalar(smin, smax, umin, umax, s32min, s32max, min, max, tnum);
    }

    Scalar withS32(long min, long max) {
        return new Scalar(smin, smax, umin, umax, min, max, u32min, u32max, tnum);
    }

    Scalar withTnum(Tnum t) {
        return new Scalar(smin, smax, umin, umax, s32min, s32max, u32min, u32max, t);
    }

    // ---- reg_bounds_sync ----

    /** Tightens every bound from the others, as the kernel does after each operation. */
    Scalar sync() {
        Scalar s = this;
        for (int round = 0; round < 2; round++) {
            s = s.updateBounds().deduce32().deduce64().deduceMixed();
        }
        s = s.boundOffset().updateBounds();
        return s;
    }

    private Scalar updateBounds() {
        Tnum t = tnum;
        long t32v = t.value() & U32_MAX, t32m = t.mask() & U32_MAX;
        long ns32min = Math.max(s32min, (int) (t32v | (t32m & 0x80000000L)));
        long ns32max = Math.min(s32max, (int) (t32v | (t32m & 0x7fffffffL)));
        long nu32min = Math.max(u32min, t32v);
        long nu32max = Math.min(u32max, t32v | t32m);
        long nsmin = Math.max(smin, t.smin());
        long nsmax = Math.min(smax, t.smax());
        long numin = umaxOf(umin, t.umin());
        long numax = uminOf(umax, t.umax());
        return new Scalar(nsmin, nsmax, numin, numax, ns32min, ns32max, nu32min, nu32max, t);
    }

    private Scalar deduce32() {
        long ns32min = s32min, ns32max = s32max, nu32min = u32min, nu32max = u32max;
        // 64-bit bounds whose upper halves agree bound the lower half too
        if ((umin >>> 32) == (umax >>> 32)) {
            nu32min = Math.max(nu32min, umin & U32_MAX);
            nu32max = Math.min(nu32max, umax & U32_MAX);
            if ((int) umin <= (int) umax) {
                ns32min = Math.max(ns32min, (int) umin);
                ns32max = Math.min(ns32max, (int) umax);
            }
        }
        if ((smin >> 32) == (smax >> 32)) {
            if ((smin & U32_MAX) <= (smax & U32_MAX)) {
                nu32min = Math.max(nu32min, smin & U32_MAX);
                nu32max = Math.min(nu32max, smax & U32_MAX);
            }
            if ((int) smin <= (int) smax) {
                ns32min = Math.max(ns32min, (int) smin);
                ns32max = Math.min(ns32max, (int) smax);
            }
        }
        // a signed range that does not cross the sign boundary is an unsigned range, and the other way round
        if ((ns32min & U32_MAX) <= (ns32max & U32_MAX)) {
            nu32min = Math.max(nu32min, ns32min & U32_MAX);
            nu32max = Math.min(nu32max, ns32max & U32_MAX);
        }
        if ((int) nu32min <= (int) nu32max) {
            ns32min = Math.max(ns32min, (int) nu32min);
            ns32max = Math.min(ns32max, (int) nu32max);
        }
        return new Scalar(smin, smax, umin, umax, ns32min, ns32max, nu32min, nu32max, tnum);
    }

    private Scalar deduce64() {
        long nsmin = smin, nsmax = smax, numin = umin, numax = umax;
        if (Long.compareUnsigned(nsmin, nsmax) <= 0) {
            numin = umaxOf(numin, nsmin);
            numax = uminOf(numax, nsmax);
        }
        if (numin <= numax) {
            nsmin = Math.max(nsmin, numin);
            nsmax = Math.min(nsmax, numax);
        }
        return new Scalar(nsmin, nsmax, numin, numax, s32min, s32max, u32min, u32max, tnum);
    }

    private Scalar deduceMixed() {
        long newUmin = (umin & ~U32_MAX) | u32min;
        long newUmax = (umax & ~U32_MAX) | u32max;
        long newSmin = (smin & ~U32_MAX) | u32min;
        long newSmax = (smax & ~U32_MAX) | u32max;
        return new Scalar(Math.max(smin, newSmin), Math.min(smax, newSmax), umaxOf(umin, newUmin), uminOf(umax, newUmax),
                s32min, s32max, u32min, u32max, tnum);
    }

    private Scalar boundOffset() {
        Tnum t64 = tnum.intersect(Tnum.range(umin, umax));
        Tnum t32 = tnum.subreg().intersect(Tnum.range(u32min, u32max));
        return withTnum(t64.withSubreg(t32));
    }

    static long umaxOf(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long uminOf(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    // ---- lattice ----

    /** The smallest scalar holding the values of both. */
    Scalar join(Scalar o) {
        return new Scalar(Math.min(smin, o.smin), Math.max(smax, o.smax), uminOf(umin, o.umin), umaxOf(umax, o.umax),
                Math.min(s32min, o.s32min), Math.max(s32max, o.s32max), Math.min(u32min, o.u32min), Math.max(u32max, o.u32max),
                tnum.union(o.tnum));
    }

    /** Widening: every bound {@code next} moved beyond this one's jumps to its extreme. */
    Scalar widen(Scalar next) {
        return new Scalar(next.smin < smin ? Long.MIN_VALUE : smin, next.smax > smax ? Long.MAX_VALUE : smax,
                Long.compareUnsigned(next.umin, umin) < 0 ? 0 : umin, Long.compareUnsigned(next.umax, umax) > 0 ? -1L : umax,
                next.s32min < s32min ? Integer.MIN_VALUE : s32min, next.s32max > s32max ? Integer.MAX_VALUE : s32max,
                next.u32min < u32min ? 0 : u32min, next.u32max > u32max ? U32_MAX : u32max,
                tnum.union(next.tnum)).sync();
    }

    /** Whether every value {@code o} allows is allowed here. */
    boolean contains(Scalar o) {
        return smin <= o.smin && o.smax <= smax && Long.compareUnsigned(umin, o.umin) <= 0 && Long.compareUnsigned(o.umax, umax) <= 0
                && s32min <= o.s32min && o.s32max <= s32max && u32min <= o.u32min && o.u32max <= u32max && tnum.contains(o.tnum);
    }

    /** The low 32 bits, zero-extended (the result of any 32-bit operation). */
    Scalar zext32() {
        return new Scalar(u32min, u32max, u32min, u32max, s32min, s32max, u32min, u32max, tnum.subreg()).fromU32();
    }

    /** Rebuilds the 64-bit bounds from the 32-bit ones of a value whose upper half is zero. */
    private Scalar fromU32() {
        return new Scalar(u32min, u32max, u32min, u32max, s32min, s32max, u32min, u32max, tnum.subreg()).sync();
    }

    @Override
    public String toString() {
        if (isConst()) return Long.toString(value());
        StringBuilder b = new StringBuilder("scalar(");
        if (smin != Long.MIN_VALUE) b.append("smin=").append(smin).append(',');
        if (smax != Long.MAX_VALUE) b.append("smax=").append(smax).append(',');
        if (umin != 0) b.append("umin=").append(Long.toUnsignedString(umin)).append(',');
        if (umax != -1L) b.append("umax=").append(Long.toUnsignedString(umax)).append(',');
        if (!tnum.isUnknown()) b.append("var_off=").append(tnum).append(',');
        if (b.charAt(b.length() - 1) == ',') b.setLength(b.length() - 1);
        return b.append(')').toString();
    }
}
