package org.bpf4j.lang.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.bpf4j.lang.syntax.TokenKind.*;

/**
 * Recursive-descent parser of bpftrace's language (v0.17): preamble (macros, includes, C struct definitions),
 * then probes {@code attach[, attach...] [/predicate/] { statements }}. Operators follow C's precedence.
 */
public final class Parser {
    /** Names that start a type in a cast or sizeof. */
    static final Set<String> TYPE_WORDS = Set.of("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
            "uint64", "struct", "union", "enum", "char", "short", "int", "long", "unsigned", "signed", "bool",
            "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
            "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "size_t", "pid_t", "void");

    final TokenCursor in;
    private final Scanner scanner;
    private boolean inPredicate;
    /**
     * The statements of the block expressions in the statement being parsed ({@code $x = { $y = 1; $y + 1 }}),
     * which run before it; null outside a statement, where a block expression has nowhere to go.
     */
    private List<Stmt> hoisted;

    private Parser(Scanner scanner) {
        this.scanner = scanner;
        this.in = new TokenCursor(scanner);
    }

    /** Parses a whole bpftrace script; throws {@link SyntaxError} at the first mistake. */
    public static Script parse(Source source) {
        return new Parser(new Scanner(source, false)).script();
    }

    /**
     * Parses {@code source}, refusing an {@code #include} whose header {@code found} (header, quoted) does not find,
     * as bpftrace's clang does.
     */
    public static Script parse(Source source, java.util.function.BiPredicate<String, Boolean> found) {
        Scanner scanner = new Scanner(source, false);
        scanner.headers(found);
        return new Parser(scanner).script();
    }

    /** Parses one expression (for tests and tools). */
    public static Expr parseExpression(Source source) {
        Parser p = new Parser(new Scanner(source, false));
        Expr e = p.expr();
        p.in.expect(EOF);
        return e;
    }

    private Script script() {
        List<CStruct> structs = new ArrayList<>();
        List<CEnum> enums = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        java.util.Map<String, String> config = new java.util.LinkedHashMap<>();
        int configs = 0;
        java.util.Map<String, Macros.Macro> macros = new java.util.HashMap<>();
        java.util.Map<String, MapDeclaration> declared = new java.util.HashMap<>();
        while (scanner.skipSpace()) {
            if (scanner.lookingAt("config")) {
                if (!probes.isEmpty()) throw in.error(in.peek(), "the config block must come before the probes");
                if (configs++ > 0) throw in.error(in.peek(), "only one config block is allowed");
                V026.config(in, config);
            } else if (scanner.lookingAt("macro")) {
                Macros.Macro m = V026.macro(this, in);
                if (macros.put(m.name(), m) != null) throw in.error(in.peek(), "macro " + m.name() + " is defined twice");
            } else if (scanner.lookingAt("let") || scanner.lookingAt("import")) {
                MapDeclaration d = V026.declaration(this, in);
                if (declared.put(d.name(), d) != null) throw in.error(in.peek(), "map " + d.name() + " is declared twice");
            } else if (scanner.lookingAt("struct") || scanner.lookingAt("union")) {
                CStruct s = new CDeclParser(in).structDefinition();
                scanner.skipSpace();
                while (scanner.lookingAt("__attribute__")) {
                    s = new CDeclParser(in).attribute(s);
                    scanner.skipSpace();
                }
                structs.add(s);
                if (scanner.peek() == ';') in.advance();
            } else if (scanner.lookingAt("enum")) {
                enums.add(new CDeclParser(in).enumDefinition());
                scanner.skipSpace();
                if (scanner.peek() == ';') in.advance();
            } else {
                probes.add(probe());
            }
        }
        if (probes.isEmpty()) {
            Token eof = in.peek();
            throw in.error(eof, "no probes in the script");
        }
        return new Script(scanner.source(), structs, Macros.expand(probes, macros, scanner.source()), scanner.includes(),
                java.util.Set.of(), false, config, declared, enums);
    }

    private Probe probe() {
        List<Probe.AttachPoint> points = new ArrayList<>();
        Token first = scanner.attachPoint();
        points.add(new Probe.AttachPoint(first.text(), first.span()));
        while (true) {
            scanner.skipSpace();
            if (scanner.peek() != ',') break;
            in.advance(); // the comma
            Token t = scanner.attachPoint();
            points.add(new Probe.AttachPoint(t.text(), t.span()));
        }
        Expr predicate = null;
        if (in.at(SLASH)) {
            in.advance();
            inPredicate = true;
            predicate = expr();
            inPredicate = false;
            in.expect(SLASH);
        }
        if (!in.at(LBRACE)) throw in.error(in.peek(), "expected '{' or a predicate after the probe, got " + in.peek().describe());
        List<Stmt> body = block();
        return new Probe(points, predicate, body, first.span());
    }

    /** A block, for {@link V026}'s lowerings. */
    List<Stmt> blockOf() { return block(); }

    /** An expression of additive precedence or tighter (a range's bound: {@code 0..$n + 1}). */
    Expr additive() { return binary(8); }

    /** {@code { stmt; stmt; ... }}; the closing brace is consumed without reading further. */
    private List<Stmt> block() {
        return in.block(this::statement, true);
    }

    private Stmt statement() {
        Token t = in.peek();
        in.enter(t);
        List<Stmt> outer = hoisted;
        hoisted = new ArrayList<>();
        try {
            Stmt s = plainStatement(t);
            if (hoisted.isEmpty()) return s;
            if (s instanceof Stmt.While) throw in.error(t, "a block expression in a while condition is not supported by bpf4j");
            List<Stmt> all = new ArrayList<>(hoisted);
            all.add(s);
            return new Stmt.Block(all, s.span());
        } finally {
            hoisted = outer;
            in.leave();
        }
    }

    private Stmt plainStatement(Token t) {
        if (t.isWord("if")) return ifStatement();
        if (t.isWord("unroll")) {
            in.advance();
            Expr count = expr(); // v0.26: the parentheses are optional (a parenthesised expression is one)
            return new Stmt.Unroll(count, block(), t.span());
        }
        if (t.isWord("while")) {
            in.advance();
            Expr cond = expr();
            return new Stmt.While(cond, block(), t.span());
        }
        if (t.isWord("for")) return V026.forLoop(this, in, t);
        if (t.isWord("let")) return V026.let(this, in, t);
        if (t.isWord("return")) {
            in.advance();
            // v0.26: `return EXPR;` (the value only matters to test probes, which bpf4j does not run)
            if (!in.at(SEMI) && !in.at(RBRACE)) expr();
            return new Stmt.Return(t.span());
        }
        if (t.isWord("break")) { in.advance(); return new Stmt.Break(t.span()); }
        if (t.isWord("continue")) { in.advance(); return new Stmt.Continue(t.span()); }
        if (t.is(LBRACE)) return new Stmt.Block(block(), t.span());
        Expr e = expr();
        BinOp op = assignOp(in.peek().kind());
        if (in.at(ASSIGN) || op != null) {
            if (!(e instanceof Expr.Var || e instanceof Expr.MapRef))
                throw in.error(in.peek(), "only a variable or a map can be assigned to");
            in.advance();
            Expr value = expr();
            return new Stmt.Assign(e, op, value, e.span());
        }
        return new Stmt.ExprStmt(e, e.span());
    }

    private Stmt ifStatement() {
        Token t = in.expectWord("if");
        Expr cond = expr(); // v0.26: `if cond { }`; `(cond)` is a parenthesised expression

        List<Stmt> then = block();
        List<Stmt> otherwise = List.of();
        if (in.atWord("else")) {
            in.advance();
            otherwise = in.atWord("if") ? List.of(statement()) : block(); // statement(): an else-if chain nests
        }
        return new Stmt.If(cond, then, otherwise, t.span());
    }

    public static BinOp assignOp(TokenKind k) {
        return switch (k) {
            case PLUS_ASSIGN -> BinOp.ADD;
            case MINUS_ASSIGN -> BinOp.SUB;
            case STAR_ASSIGN -> BinOp.MUL;
            case SLASH_ASSIGN -> BinOp.DIV;
            case PERCENT_ASSIGN -> BinOp.MOD;
            case AMP_ASSIGN -> BinOp.AND;
            case PIPE_ASSIGN -> BinOp.OR;
            case CARET_ASSIGN -> BinOp.XOR;
            case SHL_ASSIGN -> BinOp.SHL;
            case SHR_ASSIGN -> BinOp.SHR;
            default -> null;
        };
    }

    // ---- expressions, lowest precedence first ----

    Expr expr() {
        in.enter(in.peek());
        try {
            return ternary();
        } finally {
            in.leave();
        }
    }

    private Expr ternary() {
        Expr cond = binary(0);
        if (!in.at(QUESTION)) return cond;
        in.advance();
        Expr then = in.at(COLON) ? cond : expr(); // v0.26: `a ?: b`
        Token colon = in.expect(COLON);
        in.enter(colon); // a ?: chain nests to the right
        Expr otherwise = ternary();
        in.leave();
        return new Expr.Ternary(cond, then, otherwise, cond.span());
    }

    /** Binary operators by precedence level, loosest first. */
    private static final TokenKind[][] LEVELS = {
            {OROR}, {ANDAND}, {PIPE}, {CARET}, {AMP}, {EQ, NE}, {LT, GT, LE, GE}, {SHL, SHR}, {PLUS, MINUS},
            {STAR, SLASH, PERCENT}};

    private Expr binary(int level) {
        return in.binary(LEVELS, level, this::unary, Parser::binOp, k -> k == SLASH && inPredicate && endsPredicate());
    }

    /** In a predicate, a '/' followed by '{' closes it rather than dividing. */
    private boolean endsPredicate() {
        scanner.skipSpace();
        return scanner.peek() == '{';
    }


    /** The binary operator a token stands for (C's operators). */
    public static BinOp binOp(TokenKind k) {
        return switch (k) {
            case OROR -> BinOp.LOR;
            case ANDAND -> BinOp.LAND;
            case PIPE -> BinOp.OR;
            case CARET -> BinOp.XOR;
            case AMP -> BinOp.AND;
            case EQ -> BinOp.EQ;
            case NE -> BinOp.NE;
            case LT -> BinOp.LT;
            case GT -> BinOp.GT;
            case LE -> BinOp.LE;
            case GE -> BinOp.GE;
            case SHL -> BinOp.SHL;
            case SHR -> BinOp.SHR;
            case PLUS -> BinOp.ADD;
            case MINUS -> BinOp.SUB;
            case STAR -> BinOp.MUL;
            case SLASH -> BinOp.DIV;
            case PERCENT -> BinOp.MOD;
            default -> throw new IllegalArgumentException(k.toString());
        };
    }

    private Expr unary() {
        Token t = in.peek();
        in.enter(t);
        try {
            return plainUnary(t);
        } finally {
            in.leave();
        }
    }

    private Expr plainUnary(Token t) {
        UnOp op = switch (t.kind()) {
            case MINUS -> UnOp.NEG;
            case BANG -> UnOp.NOT;
            case TILDE -> UnOp.BNOT;
            case STAR -> UnOp.DEREF;
            case AMP -> UnOp.ADDR;
            default -> null;
        };
        if (op != null) {
            in.advance();
            Expr operand = unary();
            if (op == UnOp.NEG && operand instanceof Expr.Int i && i.value() >= 0)
                return new Expr.Int(-i.value(), t.span().to(i.span()));
            return new Expr.Unary(op, operand, t.span());
        }
        if (t.is(INC) || t.is(DEC)) {
            in.advance();
            Expr target = unary();
            return new Expr.IncDec(target, t.is(INC), true, t.span());
        }
        if (t.is(LPAREN)) {
            in.advance();
            if (in.peek().is(IDENT) && TYPE_WORDS.contains(in.peek().text())) {
                TypeName type = typeName();
                in.expect(RPAREN);
                Expr operand = unary();
                return new Expr.Cast(type, operand, t.span());
            }
            // as bpftrace, a parenthesised expression is placed where its content starts (a tuple at its '(')
            Expr inner = parenthesised(t);
            return postfix(inner, inner instanceof Expr.Tuple ? t.span() : inner.span());
        }
        return postfix(primary(), t.span());
    }

    /** After '(': a parenthesised expression, a tuple, or (v0.26) a record {@code (a=1, b=2)}. */
    private Expr parenthesised(Token open) {
        Expr first = expr();
        if (first instanceof Expr.Builtin name && in.at(ASSIGN)) return record(open, name);
        if (!in.at(COMMA)) {
            in.expect(RPAREN);
            return first;
        }
        List<Expr> elements = new ArrayList<>(List.of(first));
        while (in.accept(COMMA)) elements.add(expr());
        in.expect(RPAREN);
        return new Expr.Tuple(elements, open.span());
    }

    /** The rest of a record after its first field's name. */
    private Expr record(Token open, Expr.Builtin first) {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        Token name = null;
        while (true) {
            String n = name == null ? first.name() : name.text();
            if (names.contains(n)) throw in.error(name == null ? in.peek() : name, "the record has two fields named " + n);
            in.expect(ASSIGN);
            names.add(n);
            values.add(expr());
            if (!in.accept(COMMA)) break;
            name = in.expect(IDENT);
        }
        in.expect(RPAREN);
        return new Expr.Record(names, values, open.span());
    }

    /** A type name after a cast's '(' or a {@code let}'s ':'. */
    TypeName typeName() {
        Token t = in.advance();
        StringBuilder base = new StringBuilder(t.text());
        if (t.isWord("struct") || t.isWord("union") || t.isWord("enum")) {
            base.append(' ').append(in.expect(IDENT).text());
        } else {
            while (in.peek().is(IDENT) && TYPE_WORDS.contains(in.peek().text()) && !in.peek().isWord("struct"))
                base.append(' ').append(in.advance().text());
        }
        int pointers = 0;
        while (in.accept(STAR)) pointers++;
        int length = -1;
        if (in.accept(LBRACKET)) { // v0.26: (int8[8])x, (int8[])x
            length = in.at(INT) ? (int) in.advance().value() : 0;
            in.expect(RBRACKET);
        }
        return new TypeName(base.toString(), pointers, t.span(), length);
    }

    /**
     * The postfix operators after {@code e}, whose text starts at {@code start}: a field access spans the whole
     * expression, parentheses included, as bpftrace places it ({@code ((struct foo *)0)->a} starts at the first '(').
     */
    private Expr postfix(Expr e, Span start) {
        int saved = in.depth();
        while (true) {
            Token t = in.peek();
            if (t.is(DOT) || t.is(ARROW) || t.is(LBRACKET) || t.is(INC) || t.is(DEC)) in.enter(t);
            switch (t.kind()) {
                case DOT -> {
                    in.advance();
                    Token f = in.advance();
                    if (f.is(INT) && (f.value() < 0 || f.value() > Integer.MAX_VALUE))
                        throw in.error(f, "tuple index " + Long.toUnsignedString(f.value()) + " out of range");
                    if (f.is(INT)) e = new Expr.TupleIndex(e, (int) f.value(), f.span());
                    else if (f.is(IDENT)) e = new Expr.Field(e, f.text(), false, start.to(f.span()));
                    else throw in.error(f, "expected a field name or a tuple index after '.', got " + f.describe());
                }
                case ARROW -> {
                    in.advance();
                    Token f = in.expect(IDENT);
                    e = new Expr.Field(e, f.text(), true, start.to(f.span()));
                }
                case LBRACKET -> {
                    in.advance();
                    Expr index = expr();
                    in.expect(RBRACKET);
                    e = new Expr.Index(e, index, t.span());
                }
                case INC, DEC -> {
                    in.advance();
                    e = new Expr.IncDec(e, t.is(INC), false, t.span());
                }
                default -> {
                    in.leaveTo(saved);
                    return e;
                }
            }
        }
    }

    /**
     * v0.26's block expression {@code { stmt; ...; expr }}: the statements run before the statement that holds it
     * (a block in a condition or a macro argument runs once, first), the last expression is its value.
     */
    private Expr blockExpression() {
        Token open = in.peek();
        if (hoisted == null) throw in.error(open, "a block expression can only be used inside a probe's statements");
        List<Stmt> body = block();
        if (body.isEmpty() || !(body.getLast() instanceof Stmt.ExprStmt last))
            throw in.error(open, "a block expression must end in an expression, its value");
        hoisted.addAll(body.subList(0, body.size() - 1));
        return last.expr();
    }

    /** v0.26's {@code if cond { a } else { b }} as an expression: {@code cond ? a : b}, each branch one expression. */
    private Expr ifExpression() {
        Token t = in.peek();
        Stmt s = ifStatement();
        Expr e = value(List.of(s));
        if (e == null) throw in.error(t, "each branch of an if expression must be one expression (bpf4j), with an else");
        return e;
    }

    /** The value of a branch that is one expression or an if of such branches, or null. */
    private static Expr value(List<Stmt> branch) {
        if (branch.size() != 1) return null;
        return switch (branch.getFirst()) {
            case Stmt.ExprStmt es -> es.expr();
            case Stmt.If i -> {
                Expr a = value(i.then()), b = value(i.otherwise());
                yield a == null || b == null ? null : new Expr.Ternary(i.cond(), a, b, i.span());
            }
            default -> null;
        };
    }

    private Expr primary() {
        if (in.at(LBRACE)) return blockExpression();
        if (in.atWord("if")) return ifExpression();
        Token t = in.advance();
        switch (t.kind()) {
            case INT: // a literal past int64's range is a uint64, as in bpftrace
                return t.value() >= 0 ? new Expr.Int(t.value(), t.span())
                        : new Expr.Cast(new TypeName("uint64", 0, t.span()), new Expr.Int(t.value(), t.span()), t.span());
            case STRING: return new Expr.Str(t.text(), t.span());
            case VAR: return new Expr.Var(t.text(), t.span());
            case POSITIONAL: return new Expr.Positional((int) t.value(), t.span());
            case PARAM_COUNT: return new Expr.ParamCount(t.span());
            case MAP: {
                List<Expr> keys = new ArrayList<>();
                if (in.at(LBRACKET)) {
                    in.advance();
                    keys.add(expr());
                    while (in.accept(COMMA)) keys.add(expr());
                    in.expect(RBRACKET);
                }
                // v0.26: @m[(a, b)] is the same key as @m[a, b]
                if (keys.size() == 1 && keys.getFirst() instanceof Expr.Tuple tu) keys = new ArrayList<>(tu.elements());
                return new Expr.MapRef(t.text(), keys, t.span());
            }
            case IDENT: {
                if (t.isWord("sizeof")) return sizeof(t);
                if (t.isWord("offsetof") && in.at(LPAREN)) return offsetof(t);
                if (in.at(LPAREN)) {
                    in.advance();
                    List<Expr> args = new ArrayList<>();
                    if (!in.at(RPAREN)) {
                        args.add(expr());
                        while (in.accept(COMMA)) args.add(expr());
                    }
                    Token close = in.expect(RPAREN);
                    return V026.call(t, args, t.span().to(close.span()));
                }
                return V026.builtin(t);
            }
            default:
                throw in.error(t, "expected an expression, got " + t.describe());
        }
    }

    /** {@code offsetof(struct Foo, a.b)}; v0.26 also takes a bare name ({@code offsetof(qspinlock, tail)}). */
    private Expr offsetof(Token t) {
        in.expect(LPAREN);
        TypeName type = in.peek().is(IDENT) && TYPE_WORDS.contains(in.peek().text()) ? typeName()
                : new TypeName(in.peek().text(), 0, in.expect(IDENT).span());
        in.expect(COMMA);
        List<String> fields = new ArrayList<>(List.of(in.expect(IDENT).text()));
        while (in.accept(DOT)) fields.add(in.expect(IDENT).text());
        in.expect(RPAREN);
        return new Expr.Offsetof(type, fields, t.span());
    }

    private Expr sizeof(Token t) {
        in.expect(LPAREN);
        if (in.peek().is(IDENT) && TYPE_WORDS.contains(in.peek().text())) {
            TypeName type = typeName();
            in.expect(RPAREN);
            return new Expr.SizeofType(type, t.span());
        }
        Expr e = expr();
        in.expect(RPAREN);
        return new Expr.SizeofExpr(e, t.span());
    }
}
