package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;

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
                if (v == null || c.type().pointers() > 0) yield null;
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
                    case DIV -> r == 0 ? null : l / r;
                    case MOD -> r == 0 ? null : l % r;
                    case AND -> l & r;
                    case OR -> l | r;
                    case XOR -> l ^ r;
                    case SHL -> l << r;
                    case SHR -> l >> r;
                    case EQ -> l.equals(r) ? 1L : 0L;
                    case NE -> l.equals(r) ? 0L : 1L;
                    case LT -> l < r ? 1L : 0L;
                    case GT -> l > r ? 1L : 0L;
                    case LE -> l <= r ? 1L : 0L;
                    case GE -> l >= r ? 1L : 0L;
                    case LAND -> l != 0 && r != 0 ? 1L : 0L;
                    case LOR -> l != 0 || r != 0 ? 1L : 0L;
                    case CONCAT -> null;
                };
            }
            default -> null;
        };
    }

    /** {@code v} as an integer of type {@code t} holds it, sign- or zero-extended back to 64 bits. */
    public static long truncate(long v, Type.Int t) {
        return switch (t.size()) {
            case 1 -> t.signed() ? (byte) v : v & 0xff;
            case 2 -> t.signed() ? (short) v : v & 0xffff;
            case 4 -> t.signed() ? (int) v : v & 0xffffffffL;
            default -> v;
        };
    }
}
