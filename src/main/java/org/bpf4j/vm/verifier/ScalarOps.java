package org.bpf4j.vm.verifier;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.SwapOp;
import org.bpf4j.vm.Ops;

/**
 * Abstract arithmetic and comparison on {@link Scalar}s, in the 64-bit or the 32-bit view: each operation
 * is written once over a {@link View} (signed and unsigned range and tnum at one width). A 32-bit operation
 * zero-extends its result; a 64-bit one leaves the 32-bit bounds to {@link Scalar#sync()}. Every result is
 * sound (holds every concrete result); precision follows the kernel's adjust_scalar_min_max_vals.
 */
final class ScalarOps {
    private ScalarOps() {}

    /** Bounds at one width: 32-bit values in longs (s32 sign-extended, u32 zero-extended). */
    private record View(long smin, long smax, long umin, long umax, Tnum t, boolean wide) {
        static View of(Scalar s, boolean wide) {
            return wide ? new View(s.smin(), s.smax(), s.umin(), s.umax(), s.tnum(), true)
                    : new View(s.s32min(), s.s32max(), s.u32min(), s.u32max(), s.tnum().subreg(), false);
        }

        static View unknown(boolean wide) {
            return of(Scalar.UNKNOWN, wide);
        }

        long sMin() { return wide ? Long.MIN_VALUE : Integer.MIN_VALUE; }
        long sMax() { return wide ? Long.MAX_VALUE : Integer.MAX_VALUE; }
        long uMax() { return wide ? -1L : Scalar.U32_MAX; }

        View withT(Tnum nt) { return new View(smin, smax, umin, umax, nt, wide); }

        View unknownSigned() { return new View(sMin(), sMax(), umin, umax, t, wide); }

        View unknownUnsigned() { return new View(smin, smax, 0, uMax(), t, wide); }

        /** Signed bounds taken from the unsigned ones when those do not cross the sign bit. */
        View signedFromUnsigned() {
            long signBit = wide ? Long.MIN_VALUE : 0x80000000L;
            if ((umax & signBit) == 0 || wide && umax >= 0) return new View(umin, umax, umin, umax, t, wide);
            return unknownSigned();
        }

        boolean isConst() { return t.isConst() || smin == smax; }

        long value() { return smin == smax ? smin : (wide ? t.value() : (int) t.value()); }

        Scalar toScalar(Scalar old) {
            if (wide) return new Scalar(smin, smax, umin, umax, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, Scalar.U32_MAX, t).sync();
            Scalar s = new Scalar(Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L, smin, smax, umin, umax, t.subreg()).sync();
            return s.zext32();
        }
    }

    private static boolean addOverflowsSigned(long a, long b, boolean wide) {
        if (wide) return ((a + b) ^ a) < 0 && ((a + b) ^ b) < 0;
        long r = a + b;
        return r < Integer.MIN_VALUE || r > Integer.MAX_VALUE;
    }

    private static boolean subOverflowsSigned(long a, long b, boolean wide) {
        if (wide) return ((a ^ b) & (a ^ (a - b))) < 0;
        long r = a - b;
        return r < Integer.MIN_VALUE || r > Integer.MAX_VALUE;
    }

    /** The result of {@code a op b} (for NEG, b is ignored; for MOV, the result is b). */
    static Scalar alu(AluOp op, Scalar a, Scalar b, boolean wide) {
        View x = View.of(a, wide), y = View.of(b, wide);
        View r = switch (op) {
            case MOV -> y;
            case ADD -> add(x, y);
            case SUB -> sub(x, y);
            case NEG -> sub(View.of(Scalar.constant(0), wide), x);
            case MUL -> mul(x, y);
            case AND -> and(x, y);
            case OR -> or(x, y);
            case XOR -> xor(x, y);
            case LSH -> shift(x, y, 0);
            case RSH -> shift(x, y, 1);
            case ARSH -> shift(x, y, 2);
            case DIV, MOD, SDIV, SMOD -> divide(op, x, y);
            case MOVSX8, MOVSX16, MOVSX32 -> null;
            default -> View.unknown(wide);
        };
        if (r == null) return moveSigned(b, op == AluOp.MOVSX8 ? 8 : op == AluOp.MOVSX16 ? 16 : 32, wide);
        return r.toScalar(a);
    }

    private static View add(View x, View y) {
        Tnum t = x.t.add(y.t);
        long smin = x.smin + y.smin, smax = x.smax + y.smax;
        boolean sOv = addOverflowsSigned(x.smin, y.smin, x.wide) || addOverflowsSigned(x.smax, y.smax, x.wide);
        long umin = x.umin + y.umin, umax = x.umax + y.umax;
        boolean uOv = x.wide ? Long.compareUnsigned(umin, x.umin) < 0 || Long.compareUnsigned(umax, x.umax) < 0
                : umax > Scalar.U32_MAX;
        if (!x.wide) t = t.subreg();
        return new View(sOv ? x.sMin() : smin, sOv ? x.sMax() : smax, uOv ? 0 : umin, uOv ? x.uMax() : umax, t, x.wide);
    }

    private static View sub(View x, View y) {
        Tnum t = x.t.sub(y.t);
        long smin = x.smin - y.smax, smax = x.smax - y.smin;
        boolean sOv = subOverflowsSigned(x.smin, y.smax, x.wide) || subOverflowsSigned(x.smax, y.smin, x.wide);
        boolean uOv = Long.compareUnsigned(x.umin, y.umax) < 0;
        long umin = x.umin - y.umax, umax = x.umax - y.umin;
        if (!x.wide) t = t.subreg();
        return new View(sOv ? x.sMin() : smin, sOv ? x.sMax() : smax, uOv ? 0 : umin, uOv ? x.uMax() : umax, t, x.wide);
    }

    private static View mul(View x, View y) {
        Tnum t = x.t.mul(y.t);
        if (!x.wide) t = t.subreg();
        View r = new View(x.sMin(), x.sMax(), 0, x.uMax(), t, x.wide);
        long limit = x.wide ? Scalar.U32_MAX : 0xffffL;
        if (Long.compareUnsigned(x.umax, limit) <= 0 && Long.compareUnsigned(y.umax, limit) <= 0) {
            r = new View(r.smin, r.smax, x.umin * y.umin, x.umax * y.umax, t, x.wide).signedFromUnsigned();
        }
        return r;
    }

    private static View and(View x, View y) {
        Tnum t = x.t.and(y.t);
        long umax = Scalar.uminOf(x.umax, y.umax);
        View r = new View(x.sMin(), x.sMax(), t.umin(), umax, t, x.wide);
        return x.smin >= 0 || y.smin >= 0 ? r.signedFromUnsigned() : r;
    }

    private static View or(View x, View y) {
        Tnum t = x.t.or(y.t);
        long umin = Scalar.umaxOf(x.umin, y.umin);
        View r = new View(x.sMin(), x.sMax(), umin, t.umax() & x.uMax(), t, x.wide);
        return x.smin >= 0 && y.smin >= 0 ? r.signedFromUnsigned() : r;
    }

    private static View xor(View x, View y) {
        Tnum t = x.t.xor(y.t);
        View r = new View(x.sMin(), x.sMax(), t.umin(), t.umax() & x.uMax(), t, x.wide);
        return x.smin >= 0 && y.smin >= 0 ? r.signedFromUnsigned() : r;
    }

    /** kind 0: left, 1: logical right, 2: arithmetic right. The count is masked (RFC 9669). */
    private static View shift(View x, View y, int kind) {
        int bits = x.wide ? 64 : 32;
        if (!y.isConst()) {
            if (kind == 1) { // a right shift never grows an unsigned value
                return new View(0, x.umax, 0, x.umax, Tnum.range(0, x.umax), x.wide).signedFromUnsigned();
            }
            return View.unknown(x.wide);
        }
        int s = (int) (y.value() & (bits - 1));
        return switch (kind) {
            case 0 -> {
                Tnum t = x.t.lshift(s);
                if (!x.wide) t = t.subreg();
                boolean lost = s > 0 && (x.umax >>> (bits - s)) != 0;
                View r = new View(x.sMin(), x.sMax(), lost ? 0 : x.umin << s, lost ? x.uMax() : x.umax << s, t, x.wide);
                yield lost ? r : r.signedFromUnsigned();
            }
            case 1 -> {
                Tnum t = x.t.rshift(s);
                yield new View(x.sMin(), x.sMax(), x.umin >>> s, x.umax >>> s, t, x.wide).signedFromUnsigned();
            }
            default -> {
                Tnum t = x.t.arshift(s, bits);
                yield new View(x.smin >> s, x.smax >> s, 0, x.uMax(), t, x.wide);
            }
        };
    }

    private static View divide(AluOp op, View x, View y) {
        if (x.isConst() && y.isConst()) {
            long a = x.value(), b = y.value();
            long v = switch (op) {
                case DIV -> x.wide ? Ops.udiv64(a, b) : Ops.udiv32(a, b);
                case MOD -> x.wide ? Ops.umod64(a, b) : Ops.umod32(a, b);
                case SDIV -> x.wide ? Ops.sdiv64(a, b) : Ops.sdiv32(a, b);
                default -> x.wide ? Ops.smod64(a, b) : Ops.smod32(a, b);
            };
            return View.of(Scalar.constant(v), x.wide);
        }
        return switch (op) {
            // x / y <= x, and x / 0 = 0
            case DIV -> new View(0, 0, 0, x.umax, Tnum.range(0, x.umax), x.wide).signedFromUnsigned();
            // x % y <= x, x % y < y, and x % 0 = x
            case MOD -> {
                long max = x.umax;
                if (!y.t.contains(0) || Long.compareUnsigned(y.umin, 0) > 0) max = Scalar.uminOf(max, y.umax - 1);
                yield new View(0, 0, 0, max, Tnum.range(0, max), x.wide).signedFromUnsigned();
            }
            default -> View.unknown(x.wide);
        };
    }

    private static Scalar moveSigned(Scalar src, int bits, boolean wide) {
        long max = (1L << (bits - 1)) - 1, min = -max - 1;
        Scalar r;
        if (src.smin() >= min && src.smax() <= max) {
            r = src; // the low bits already are the value
        } else if (src.isConst()) {
            long v = src.value() << (64 - bits) >> (64 - bits);
            r = Scalar.constant(v);
        } else {
            r = Scalar.signedBits(bits);
        }
        return wide ? r : r.zext32();
    }

    /** Byte swap or truncation of {@code s} to {@code bits}. */
    static Scalar swap(SwapOp op, Scalar s, int bits) {
        if (op == SwapOp.LE) {
            if (bits == 64 || Long.compareUnsigned(s.umax(), (1L << bits) - 1) <= 0) return s;
            return Scalar.UNKNOWN.withTnum(s.tnum().cast(bits / 8)).sync();
        }
        if (s.isConst()) return Scalar.constant(Ops.swap(s.value(), bits));
        return Scalar.unsignedBits(bits);
    }

    // ---- comparisons ----

    /**
     * Narrows {@code a} and {@code b} to the values for which {@code a op b} is {@code taken} (or not), in the
     * 64-bit or 32-bit view. Returns null when no values fit: that branch cannot be taken.
     */
    static Scalar[] refine(JmpOp op, Scalar a, Scalar b, boolean wide, boolean taken) {
        JmpOp o = taken ? op : negate(op);
        if (o == null) { // not-taken JSET: a & b == 0
            if (!b.isConst()) return new Scalar[] {a, b};
            long c = wide ? b.value() : b.value() & Scalar.U32_MAX;
            Tnum t = a.tnum();
            if ((t.value() & c) != 0) return null;
            Scalar na = a.withTnum(new Tnum(t.value(), t.mask() & ~c)).sync();
            return na.isEmpty() ? null : new Scalar[] {na, b};
        }
        if (o == JmpOp.JSET) {
            if (b.isConst()) {
                long c = wide ? b.value() : b.value() & Scalar.U32_MAX;
                if (((a.tnum().value() | a.tnum().mask()) & c) == 0) return null;
            }
            return new Scalar[] {a, b};
        }
        View x = View.of(a, wide), y = View.of(b, wide);
        View nx = x, ny = y;
        switch (o) {
            case JEQ -> {
                long smin = Math.max(x.smin, y.smin), smax = Math.min(x.smax, y.smax);
                long umin = Scalar.umaxOf(x.umin, y.umin), umax = Scalar.uminOf(x.umax, y.umax);
                Tnum t = x.t.intersect(y.t);
                if (((x.t.value() ^ y.t.value()) & ~(x.t.mask() | y.t.mask())) != 0) return null;
                nx = new View(smin, smax, umin, umax, t, wide);
                ny = nx;
            }
            case JNE -> {
                if (x.isConst() && y.isConst() && x.value() == y.value()) return null;
                if (y.isConst()) nx = excludeEdge(x, y.value());
                if (x.isConst()) ny = excludeEdge(y, x.value());
            }
            case JGT -> { // x > y unsigned
                if (y.umin == x.uMax()) return null;
                nx = new View(x.smin, x.smax, Scalar.umaxOf(x.umin, y.umin + 1), x.umax, x.t, wide);
                if (x.umax == 0) return null;
                ny = new View(y.smin, y.smax, y.umin, Scalar.uminOf(y.umax, x.umax - 1), y.t, wide);
            }
            case JGE -> {
                nx = new View(x.smin, x.smax, Scalar.umaxOf(x.umin, y.umin), x.umax, x.t, wide);
                ny = new View(y.smin, y.smax, y.umin, Scalar.uminOf(y.umax, x.umax), y.t, wide);
            }
            case JLT -> {
                if (x.umin == x.uMax() || y.umax == 0) return null;
                nx = new View(x.smin, x.smax, x.umin, Scalar.uminOf(x.umax, y.umax - 1), x.t, wide);
                ny = new View(y.smin, y.smax, Scalar.umaxOf(y.umin, x.umin + 1), y.umax, y.t, wide);
            }
            case JLE -> {
                nx = new View(x.smin, x.smax, x.umin, Scalar.uminOf(x.umax, y.umax), x.t, wide);
                ny = new View(y.smin, y.smax, Scalar.umaxOf(y.umin, x.umin), y.umax, y.t, wide);
            }
            case JSGT -> {
                if (y.smin == x.sMax() || x.smax == x.sMin()) return null;
                nx = new View(Math.max(x.smin, y.smin + 1), x.smax, x.umin, x.umax, x.t, wide);
                ny = new View(y.smin, Math.min(y.smax, x.smax - 1), y.umin, y.umax, y.t, wide);
            }
            case JSGE -> {
                nx = new View(Math.max(x.smin, y.smin), x.smax, x.umin, x.umax, x.t, wide);
                ny = new View(y.smin, Math.min(y.smax, x.smax), y.umin, y.umax, y.t, wide);
            }
            case JSLT -> {
                if (y.smax == x.sMin() || x.smin == x.sMax()) return null;
                nx = new View(x.smin, Math.min(x.smax, y.smax - 1), x.umin, x.umax, x.t, wide);
                ny = new View(Math.max(y.smin, x.smin + 1), y.smax, y.umin, y.umax, y.t, wide);
            }
            case JSLE -> {
                nx = new View(x.smin, Math.min(x.smax, y.smax), x.umin, x.umax, x.t, wide);
                ny = new View(Math.max(y.smin, x.smin), y.smax, y.umin, y.umax, y.t, wide);
            }
            default -> { }
        }
        Scalar ra = writeBack(a, nx), rb = writeBack(b, ny);
        if (ra.isEmpty() || rb.isEmpty()) return null;
        return new Scalar[] {ra, rb};
    }

    private static View excludeEdge(View x, long c) {
        long smin = x.smin, smax = x.smax, umin = x.umin, umax = x.umax;
        if (smin == c && smin < smax) smin++;
        if (smax == c && smin < smax) smax--;
        if (umin == c && Long.compareUnsigned(umin, umax) < 0) umin++;
        if (umax == c && Long.compareUnsigned(umin, umax) < 0) umax--;
        if (smin == smax && smin == c || umin == umax && umin == c) return new View(1, 0, 1, 0, x.t, x.wide); // empty
        return new View(smin, smax, umin, umax, x.t, x.wide);
    }

    /** Narrows the {@code v} view back into the full scalar {@code s}. */
    private static Scalar writeBack(Scalar s, View v) {
        if (v.wide) {
            return new Scalar(v.smin, v.smax, v.umin, v.umax, s.s32min(), s.s32max(), s.u32min(), s.u32max(), s.tnum().intersect(v.t)).sync();
        }
        Tnum t = s.tnum().withSubreg(s.tnum().subreg().intersect(v.t));
        return new Scalar(s.smin(), s.smax(), s.umin(), s.umax(), v.smin, v.smax, v.umin, v.umax, t).sync();
    }

    /** The comparison that holds when {@code op} does not; null for JSET (its negation is a & b == 0). */
    static JmpOp negate(JmpOp op) {
        return switch (op) {
            case JEQ -> JmpOp.JNE;
            case JNE -> JmpOp.JEQ;
            case JGT -> JmpOp.JLE;
            case JLE -> JmpOp.JGT;
            case JGE -> JmpOp.JLT;
            case JLT -> JmpOp.JGE;
            case JSGT -> JmpOp.JSLE;
            case JSLE -> JmpOp.JSGT;
            case JSGE -> JmpOp.JSLT;
            case JSLT -> JmpOp.JSGE;
            default -> null;
        };
    }

    /** The comparison with its operands swapped: {@code a op b} iff {@code b flip(op) a}. */
    static JmpOp flip(JmpOp op) {
        return switch (op) {
            case JGT -> JmpOp.JLT;
            case JLT -> JmpOp.JGT;
            case JGE -> JmpOp.JLE;
            case JLE -> JmpOp.JGE;
            case JSGT -> JmpOp.JSLT;
            case JSLT -> JmpOp.JSGT;
            case JSGE -> JmpOp.JSLE;
            case JSLE -> JmpOp.JSGE;
            default -> op;
        };
    }
}
