package org.bpf4j.lang.syntax;

/** Binary operators, with the text scripts write them as. */
public enum BinOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), AND("&"), OR("|"), XOR("^"), SHL("<<"), SHR(">>"),
    EQ("=="), NE("!="), LT("<"), GT(">"), LE("<="), GE(">="), LAND("&&"), LOR("||"),
    /** SystemTap's string concatenation. */
    CONCAT(".");

    private final String text;

    BinOp(String text) { this.text = text; }

    /** The operator as written. */
    public String text() { return text; }

    /** True for the comparisons, whose result is 0 or 1. */
    public boolean comparison() { return this == EQ || this == NE || this == LT || this == GT || this == LE || this == GE; }

    /** True for the logical operators, which short-circuit. */
    public boolean logical() { return this == LAND || this == LOR; }
}
