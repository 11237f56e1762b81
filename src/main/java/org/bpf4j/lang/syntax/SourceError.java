package org.bpf4j.lang.syntax;

import org.bpf4j.UserException;

/**
 * A mistake in a script, found before any kernel call (or a kernel rejection traced back to a script line):
 * {@link #render()} gives bpftrace's layout, {@code FILE:LINE:COL: ERROR: message}, then the source line and
 * a caret under the place.
 */
public class SourceError extends UserException {
    private static final long serialVersionUID = 1L;
    private final transient Source source;
    private final Span span;
    private final String detail;

    /** An error at {@code span} of {@code source}. */
    public SourceError(Source source, Span span, String detail) {
        super(render(source, span, detail));
        this.source = source;
        this.span = span;
        this.detail = detail;
    }

    /** The bare message, without place or caret. */
    public String detail() { return detail; }

    /** Where it is. */
    public Span span() { return span; }

    /** The script it is in. */
    public Source source() { return source; }

    /** {@code FILE:LINE:COL: ERROR: message}, the source line and the caret line. */
    public String render() { return getMessage(); }

    static String render(Source source, Span span, String detail) {
        return render(source, span, "ERROR", detail);
    }

    /** {@code FILE:LINE:COL: LEVEL: message}, the source line and the caret line (LEVEL: ERROR or WARNING). */
    public static String render(Source source, Span span, String level, String detail) {
        if (source == null || span == null || span.line() <= 0) return level + ": " + detail;
        StringBuilder sb = new StringBuilder();
        sb.append(source.name()).append(':').append(span.line()).append(':').append(span.col())
                .append(": ").append(level).append(": ").append(detail);
        String line = source.line(span.line());
        sb.append('\n').append(line).append('\n');
        for (int i = 1; i < span.col(); i++) sb.append(i - 1 < line.length() && line.charAt(i - 1) == '\t' ? '\t' : ' ');
        sb.append('^');
        int len = Math.min(span.length(), Math.max(1, line.length() - span.col() + 1));
        sb.append("~".repeat(Math.max(0, len - 1)));
        return sb.toString();
    }
}
