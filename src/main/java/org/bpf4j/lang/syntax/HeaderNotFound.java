package org.bpf4j.lang.syntax;

/**
 * An {@code #include} of a header that is nowhere to be found: reported as bpftrace's clang reports it, at the line
 * the include has in bpftrace's generated {@code definitions.h} (which starts with one line of its own, then the
 * script's preprocessor lines in order): {@code definitions.h:2:10: fatal error: 'x.h' file not found}.
 */
public final class HeaderNotFound extends SourceError {
    private static final long serialVersionUID = 1L;
    private final String rendered;

    /** The include at {@code span} of the script, line {@code line} and column {@code col} of definitions.h. */
    HeaderNotFound(Source source, Span span, int line, int col, String header) {
        super(source, span, "'" + header + "' file not found");
        this.rendered = "definitions.h:" + line + ":" + col + ": fatal error: '" + header + "' file not found";
    }

    /** clang's line, without the script's line and caret (the place is in definitions.h). */
    @Override public String render() { return rendered; }
}
