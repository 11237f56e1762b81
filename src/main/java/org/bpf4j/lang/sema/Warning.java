package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.lang.syntax.Span;

/**
 * Something legal that bpftrace warns about (integers of different signs compared or mixed in arithmetic, signed
 * division, arguments a function ignores): printed before the probes are attached, unless {@code --no-warnings}.
 */
public record Warning(Source source, Span span, String message) {
    /** bpftrace's layout: {@code FILE:LINE:COL: WARNING: message}, the source line and a caret. */
    public String render() { return SourceError.render(source, span, "WARNING", message); }
}
