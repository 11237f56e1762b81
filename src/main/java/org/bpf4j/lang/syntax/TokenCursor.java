package org.bpf4j.lang.syntax;

/**
 * A parser's view of the scanner: one token of lookahead, fetched only when asked for, so that a parser can hand
 * the scanner back to attach-point mode between probes.
 */
class TokenCursor {
    final Scanner scanner;
    private Token lookahead;

    TokenCursor(Scanner scanner) { this.scanner = scanner; }

    Token peek() {
        if (lookahead == null) lookahead = scanner.next();
        return lookahead;
    }

    /** Consumes the current token without reading the one after it. */
    Token advance() {
        Token t = peek();
        lookahead = null;
        return t;
    }

    boolean buffered() { return lookahead != null; }

    boolean at(TokenKind k) { return peek().kind() == k; }

    boolean atWord(String w) { return peek().isWord(w); }

    boolean accept(TokenKind k) {
        if (!at(k)) return false;
        advance();
        return true;
    }

    Token expect(TokenKind k) {
        if (!at(k)) throw error(peek(), "expected " + k.describe() + ", got " + peek().describe());
        return advance();
    }

    Token expectWord(String w) {
        if (!atWord(w)) throw error(peek(), "expected '" + w + "', got " + peek().describe());
        return advance();
    }

    SyntaxError error(Token at, String message) {
        return new SyntaxError(scanner.source(), at.span(), message);
    }
}
