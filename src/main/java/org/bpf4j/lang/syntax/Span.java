package org.bpf4j.lang.syntax;

/**
 * Where a piece of a script is: 1-based line and column of its first character, and its length in characters
 * on that line (at least 1), for the caret line of error messages; for a piece a macro brought in, the call it
 * was expanded from (v0.26 names that call too, "expanded from").
 *
 * @param line         1-based line
 * @param col          1-based column
 * @param length       characters the piece covers on its first line
 * @param expandedFrom the macro call this piece was expanded from, or null
 */
public record Span(int line, int col, int length, Span expandedFrom) {
    /** A span for things that have no place in the script (synthesised nodes). */
    public static final Span NONE = new Span(0, 0, 0);

    /** A span written in the script itself (not brought in by a macro). */
    public Span(int line, int col, int length) { this(line, col, length, null); }

    /** The span from the start of this one to the end of {@code other} when both are on one line. */
    public Span to(Span other) {
        if (other.line != line || other.col < col) return this;
        return new Span(line, col, Math.max(length, other.col + other.length - col), expandedFrom);
    }

    /** This span as brought in by the macro call at {@code call} (after any expansion it already went through). */
    public Span expandedFrom(Span call) {
        return new Span(line, col, length, expandedFrom == null ? call : expandedFrom.expandedFrom(call));
    }

    @Override
    public String toString() {
        return line + ":" + col;
    }
}
