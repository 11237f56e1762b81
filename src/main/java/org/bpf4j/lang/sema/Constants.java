package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.UnOp;

import java.util.function.Function;

/**
 * Folds compile-time constant expressions: literals, numeric positional parameters, {@code $#}, sizeof, and
 * arithmetic on them (64-bit, as the program would compute it).
 */
public final class Constants {
    private Constants() {}

    /** The value of {@code e}, or null when it is not a constant; {@code sizeof} answers sizeof expressions. */
    public static Long of(Expr e, Params params, Function<Expr, Long> sizeof) {
        return switch (e) {
            case Expr.Int i -> i.value();
            case Expr.Positional p -> params.number(p.index());
            case Expr.ParamCount pc -> (long) params.count();
            case Expr.SizeofType s -> sizeof.apply(e);
            case Expr.Offsetof o -> sizeof.apply(e);
            case Expr.SizeofExpr s -> sizeof.apply(e);
            case Expr.Unary u -> {
                Long v = of(u.operand(), params, sizeof);
                if (v == null) yield null;
                yield switch (u.op()) {
                    case NEG -> -v;
                    case BNOT -> ~v;
                    case NOT -> v == 0 ? 1L : 0L;
                    default -> null;
                };
            }
            case Expr.Cast c -> {
                Long v = of(c.operand(), params, sizeof);
                if (v == null || c.type().pointers() > 0 || c.type().length() >= 0) yield null;
                Type t = CTypes.integer(c.type().base());
                if (!(t instanceof Type.Int it)) yield null;
                yield truncate(v, it);
            }
            case Expr.Binary b -> {
                Long l = of(b.left(), params, sizeof), r = of(b.right(), params, sizeof);
                if (l == null || r == null) yield null;
                yield switch (b.op()) {
                    case ADD -> l + r;
                    case SUB -> l - r;
                    case MUL -> l * r;
                    // as bpftrace: division is unsigned (BPF's), whatever the operands' signs
                    case DIV -> r == 0 ? null : Long.divideUnsigned(l, r);
                    case MOD -> r == 0 ? null : Long.remainderUnsigned(l, r);
                    case AND -> l & r;
                    case OR -> l | r;
                    case XOR -> l ^ r;
                    case SHL -> l << r;
                    case SHR -> l >> r;
                    case EQ -> l.equals(r) ? 1L : 0L;
                    case NE -> l.equals(r) ? 0L : 1L;
                    case LT -> compare(l, r, b) < 0 ? 1L : 0L;
                    case GT -> compare(l, r, b) > 0 ? 1L : 0L;
                    case LE -> compare(l, r, b) <= 0 ? 1L : 0L;
                    case GE -> compare(l, r, b) >= 0 ? 1L : 0L;
                    case LAND -> l != 0 && r != 0 ? 1L : 0L;
                    case LOR -> l != 0 || r != 0 ? 1L : 0L;
                    case CONCAT -> null;
                };
            }
            default -> null;
        };
    }

    /**
     * The text {@code str()} takes from a positional parameter: {@code $1}'s, or with bpftrace's pointer arithmetic on
     * a parameter that is not a number, {@code $1 + N}'s from its N-th byte on; null for other expressions.
     */
    public static String positionalText(Expr e, Params params) {
        if (e instanceof Expr.Positional p) return params.text(p.index());
        if (e instanceof Expr.Binary b && b.op() == org.bpf4j.lang.syntax.BinOp.ADD && b.left() instanceof Expr.Positional p
                && params.number(p.index()) == null) {
            Long n = of(b.right(), params, x -> null);
            byte[] text = params.text(p.index()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (n != null && n >= 0)
                return new String(text, (int) Math.min(n, text.length), text.length - (int) Math.min(n, text.length), java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    /** A comparison is signed only when both sides are, as bpftrace's: {@code (uint64)-1 > 0}, {@code -1 < (uint8)1 == 0}. */
    private static int compare(long l, long r, Expr.Binary b) {
        return unsignedOperand(b.left()) || unsignedOperand(b.right()) ? Long.compareUnsigned(l, r) : Long.compare(l, r);
    }

    /** Whether a constant expression has an unsigned type: a cast to one, or arithmetic on one. */
    private static boolean unsignedOperand(Expr e) {
        return switch (e) {
            case Expr.Cast c -> c.type().pointers() > 0 || (CTypes.integer(c.type().base()) instanceof Type.Int it && !it.signed());
            case Expr.Unary u -> (u.op() == UnOp.NEG || u.op() == UnOp.BNOT) && unsignedOperand(u.operand());
            case Expr.Binary b -> !b.op().comparison() && !b.op().logical() && (unsignedOperand(b.left()) || unsignedOperand(b.right()));
            default -> false;
        };
    }

    /** {@code v} as an integer of type {@code t} holds it, sign- or zero-extended back to 64 bits. */
    public static long truncate(long v, Type.Int t) {
        if (t.bool()) return v != 0 ? 1 : 0;
        return switch (t.size()) {
            case 1 -> t.signed() ? (byte) v : v & 0xff;
            case 2 -> t.signed() ? (short) v : v & 0xffff;
            case 4 -> t.signed() ? (int) v : v & 0xffffffffL;
            default -> v;
        };
    }
}
