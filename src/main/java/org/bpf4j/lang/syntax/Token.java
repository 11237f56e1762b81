package org.bpf4j.lang.syntax;

/**
 * One token: its kind, its text (for a string, the value with escapes resolved; for an integer, its digits)
 * and where it is.
 *
 * @param kind  what it is
 * @param text  its text or value
 * @param value the value of an integer token (0 for others)
 * @param span  where it is
 */
public record Token(TokenKind kind, String text, long value, Span span) {
    /** True when this token is of {@code k}. */
    public boolean is(TokenKind k) { return kind == k; }

    /** True when this is the identifier {@code word}. */
    public boolean isWord(String word) { return kind == TokenKind.IDENT && text.equals(word); }

    /** How error messages show this token. */
    public String describe() {
        return switch (kind) {
            case EOF -> "end of file";
            case STRING -> "string \"" + text + "\"";
            case IDENT, INT, VAR, MAP, ATTACH -> "'" + text + "'";
            case POSITIONAL -> "'$" + text + "'";
            default -> "'" + kind.text() + "'";
        };
    }
}
