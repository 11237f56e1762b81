package org.bpf4j.lang.syntax;

/**
 * The calls the SystemTap dialect lowers its own constructs to, in the tree bpftrace's scripts share: names no
 * script can write (each has a character an identifier cannot), which the checker types and the code generator
 * compiles beside bpftrace's functions.
 */
public final class LoweredCalls {
    private LoweredCalls() {}

    /** SystemTap's {@code map <<< value}. */
    public static final String STATISTIC = "<<<";
    /** SystemTap's {@code print(v)}: the value without a newline. */
    public static final String PRINT_INLINE = "print-";
    /** SystemTap's {@code k in a} and {@code [k1, k2] in a}: whether the global array has the key. */
    public static final String CONTAINS = "in-";
    /** An integer's digits as a string: {@code itoa-(value, base, signed)}, for {@code sprintf}'s conversions. */
    public static final String ITOA = "itoa-";
    /** The most {@link #ITOA}'s string takes: 20 digits (2^64 - 1) or a sign and 19, and the NUL. */
    public static final int ITOA_SIZE = 22;
    /** SystemTap's {@code substr(s, start, length)}. */
    public static final String SUBSTR = "substr-";
    /** {@code print(@hist_log(s))}: HIST_PRINT(@s__hist, linear, start, interval), SystemTap's histogram layout. */
    public static final String HIST_PRINT = "print-hist-";
    /** SystemTap's {@code strlen(s)}: the bytes before the NUL (bpftrace 0.17 has no such function). */
    public static final String STRLEN = "strlen-";
    /** SystemTap's {@code println(v)}: the value and a newline (a global's value, not bpftrace's map printout). */
    public static final String PRINT_LINE = "println-";

    /** The operands of a chain of '.' (string concatenations), left to right, into {@code out}. */
    public static void flatten(Expr e, java.util.List<Expr> out) {
        if (e instanceof Expr.Binary b && b.op() == BinOp.CONCAT) {
            flatten(b.left(), out);
            flatten(b.right(), out);
        } else {
            out.add(e);
        }
    }
}
