package org.bpf4j.lang.syntax;

/**
 * Where a piece of a script is: 1-based line and column of its first character, and its length in characters
 * on that line (at least 1), for the caret line of error messages.
 *
 * @param line   1-based line
 * @param col    1-based column
 * @param length characters the piece covers on its first line
 */
public record Span(int line, int col, int length) {
    /** A span for things that have no place in the script (synthesised nodes). */
    public static final Span NONE = new Span(0, 0, 0);

    /** The span from the start of this one to the end of {@code other} when both are on one line. */
    public Span to(Span other) {
        if (other.line != line || other.col < col) return this;
        return new Span(line, col, Math.max(length, other.col + other.length - col));
    }

    @Override
    public String toString() {
        return line + ":" + col;
    }
}
