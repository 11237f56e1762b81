package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.lang.syntax.Span;

/** A script that parses but does not make sense: a type mismatch, an unknown function, a bad argument. */
public final class SemanticError extends SourceError {
    private static final long serialVersionUID = 1L;

    /** An error at {@code span}. */
    public SemanticError(Source source, Span span, String detail) {
        super(source, span, detail);
    }
}
