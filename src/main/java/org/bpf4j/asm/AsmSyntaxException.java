package org.bpf4j.asm;

/** Assembler input that does not parse; the message reads {@code "line L:C: detail"} (1-based). */
public final class AsmSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String detail;
    private final String sourceLine;

    /** A failure at {@code line}:{@code column} (1-based) of the input, whose text is {@code sourceLine}. */
    public AsmSyntaxException(int line, int column, String detail, String sourceLine) {
        super("line " + line + ":" + column + ": " + detail);
        this.line = line;
        this.column = column;
        this.detail = detail;
        this.sourceLine = sourceLine;
    }

    /** The 1-based line number. */
    public int line() {
        return line;
    }

    /** The 1-based column number. */
    public int column() {
        return column;
    }

    /** The message without the position. */
    public String detail() {
        return detail;
    }

    /** The offending source line followed by a caret line under the column. */
    public String caret() {
        return sourceLine + "\n" + " ".repeat(Math.max(0, column - 1)) + "^";
    }
}
