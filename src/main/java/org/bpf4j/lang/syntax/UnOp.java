package org.bpf4j.lang.syntax;

/** Unary operators. */
public enum UnOp {
    /** {@code -x}. */
    NEG("-"),
    /** {@code !x}: 1 when x is 0, else 0. */
    NOT("!"),
    /** {@code ~x}. */
    BNOT("~"),
    /** {@code *p}: the value p points to. */
    DEREF("*"),
    /** {@code &x}. */
    ADDR("&");

    private final String text;

    UnOp(String text) { this.text = text; }

    /** The operator as written. */
    public String text() { return text; }
}
