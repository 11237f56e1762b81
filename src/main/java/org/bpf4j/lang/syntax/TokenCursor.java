package org.bpf4j.lang.syntax;

/**
 * A parser's view of the scanner: one token of lookahead, fetched only when asked for, so that a parser can hand
 * the scanner back to attach-point mode between probes.
 */
public final class TokenCursor {
    /**
     * How deep expressions and statements may nest: the checker and the code generator walk the tree recursively,
     * so a deeper one (400 nested parentheses, a 2,000-term sum) would overflow the stack instead of ending in an
     * error. No script written by hand comes near it.
     */
    static final int MAX_DEPTH = 200;

    final Scanner scanner;
    private Token lookahead;
    private int depth;

    public TokenCursor(Scanner scanner) { this(scanner, 0); }

    /** A cursor that starts {@code depth} levels deep (a SystemTap function inlined where it is called). */
    public TokenCursor(Scanner scanner, int depth) {
        this.scanner = scanner;
        this.depth = depth;
    }

    public int depth() { return depth; }

    /** One level deeper at {@code at}: a {@link SyntaxError} past {@link #MAX_DEPTH}. Pair with {@link #leave}. */
    public void enter(Token at) {
        if (++depth > MAX_DEPTH)
            throw error(at, "too deeply nested: more than " + MAX_DEPTH + " levels of expressions and statements");
    }

    public void leave() { depth--; }

    /** Back to {@code saved} levels, after a chain of operators each of which was one level deeper. */
    public void leaveTo(int saved) { depth = saved; }

    public Token peek() {
        if (lookahead == null) lookahead = scanner.next();
        return lookahead;
    }

    /** Consumes the current token without reading the one after it. */
    public Token advance() {
        Token t = peek();
        lookahead = null;
        return t;
    }

    public boolean buffered() { return lookahead != null; }

    public boolean at(TokenKind k) { return peek().kind() == k; }

    public boolean atWord(String w) { return peek().isWord(w); }

    public boolean accept(TokenKind k) {
        if (!at(k)) return false;
        advance();
        return true;
    }

    public Token expect(TokenKind k) {
        if (!at(k)) throw error(peek(), "expected " + k.describe() + ", got " + peek().describe());
        return advance();
    }

    public Token expectWord(String w) {
        if (!atWord(w)) throw error(peek(), "expected '" + w + "', got " + peek().describe());
        return advance();
    }

    /**
     * Left-associative binary operators by precedence: {@code levels} from loosest to tightest, {@code operand}
     * parses what binds tighter than all of them, {@code op} names the operator of a token, and a token for
     * which {@code stop} holds ends the expression instead (a predicate's closing '/').
     */
    public Expr binary(TokenKind[][] levels, int level, java.util.function.Supplier<Expr> operand,
                java.util.function.Function<TokenKind, BinOp> op, java.util.function.Predicate<TokenKind> stop) {
        if (level == levels.length) return operand.get();
        Expr left = binary(levels, level + 1, operand, op, stop);
        int saved = depth;
        while (true) {
            TokenKind k = peek().kind();
            boolean found = false;
            for (TokenKind x : levels[level]) found |= x == k;
            if (!found || stop.test(k)) {
                leaveTo(saved);
                return left;
            }
            Token t = advance();
            enter(t); // each operator of a chain nests the tree one level deeper
            Expr right = binary(levels, level + 1, operand, op, stop);
            left = new Expr.Binary(op.apply(k), left, right, t.span());
        }
    }

    /**
     * {@code { stmt stmt ... }}, consuming the closing brace without reading further. With {@code separated}
     * (bpftrace) a statement other than a block-ending one is followed by ';' or the '}'; SystemTap needs none.
     */
    public java.util.List<Stmt> block(java.util.function.Supplier<Stmt> statement, boolean separated) {
        expect(TokenKind.LBRACE);
        java.util.List<Stmt> out = new java.util.ArrayList<>();
        while (!at(TokenKind.RBRACE)) {
            if (at(TokenKind.EOF)) throw error(peek(), "expected '}', got end of file");
            if (accept(TokenKind.SEMI)) continue;
            Stmt s = statement.get();
            out.add(s);
            if (!separated || s instanceof Stmt.If || s instanceof Stmt.While || s instanceof Stmt.Unroll
                    || s instanceof Stmt.Block || s instanceof Stmt.Foreach || s instanceof Stmt.ForMap) continue;
            if (!at(TokenKind.RBRACE)) {
                if (!at(TokenKind.SEMI)) throw error(peek(), "expected ';' or '}', got " + peek().describe());
                advance();
            }
        }
        advance();
        return out;
    }

    public SyntaxError error(Token at, String message) {
        return new SyntaxError(scanner.source(), at.span(), message);
    }
}
