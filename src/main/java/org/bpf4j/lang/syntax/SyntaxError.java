package org.bpf4j.lang.syntax;

/** A script that does not parse: an unexpected character or token, an unterminated string or comment. */
public final class SyntaxError extends SourceError {
    private static final long serialVersionUID = 1L;

    /** A syntax error at {@code span}. */
    public SyntaxError(Source source, Span span, String detail) {
        super(source, span, detail);
    }
}
