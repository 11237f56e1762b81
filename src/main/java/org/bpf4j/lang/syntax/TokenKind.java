package org.bpf4j.lang.syntax;

/** The kinds of token the scanner makes, with the text of the fixed ones. */
public enum TokenKind {
    IDENT(null), INT(null), STRING(null),
    /** {@code $name}: a scratch variable (bpftrace) or a target variable (SystemTap). */
    VAR(null),
    /** {@code $1}: a positional parameter; the text is the number. */
    POSITIONAL(null),
    /** {@code $#}: the number of positional parameters. */
    PARAM_COUNT("$#"),
    /** {@code @name} or {@code @}: a map; the text is the name with its {@code @}. */
    MAP(null),
    /** A probe's attach point, read whole ({@code tracepoint:syscalls:sys_enter_*}). */
    ATTACH(null),
    LBRACE("{"), RBRACE("}"), LPAREN("("), RPAREN(")"), LBRACKET("["), RBRACKET("]"), SEMI(";"), COMMA(","),
    DOT("."), ARROW("->"), QUESTION("?"), COLON(":"),
    PLUS("+"), MINUS("-"), STAR("*"), SLASH("/"), PERCENT("%"), AMP("&"), PIPE("|"), CARET("^"), TILDE("~"),
    BANG("!"), LT("<"), GT(">"), LE("<="), GE(">="), EQ("=="), NE("!="), ANDAND("&&"), OROR("||"), SHL("<<"),
    SHR(">>"), ASSIGN("="), PLUS_ASSIGN("+="), MINUS_ASSIGN("-="), STAR_ASSIGN("*="), SLASH_ASSIGN("/="),
    PERCENT_ASSIGN("%="), AMP_ASSIGN("&="), PIPE_ASSIGN("|="), CARET_ASSIGN("^="), SHL_ASSIGN("<<="),
    SHR_ASSIGN(">>="), INC("++"), DEC("--"),
    /** SystemTap's statistics operator. */
    AGGREGATE("<<<"),
    /** SystemTap's string concatenation-assignment. */
    DOT_ASSIGN(".="),
    /** bpftrace v0.26's range of a {@code for} loop, {@code 0..10}. */
    DOTDOT(".."),
    EOF("end of file");

    private final String text;

    TokenKind(String text) { this.text = text; }

    /** The fixed text of this kind, or null for kinds whose text varies. */
    public String text() { return text; }

    /** How error messages name this kind. */
    public String describe() {
        return switch (this) {
            case IDENT -> "identifier";
            case INT -> "integer";
            case STRING -> "string";
            case VAR -> "variable";
            case POSITIONAL -> "positional parameter";
            case MAP -> "map";
            case ATTACH -> "probe";
            case EOF -> "end of file";
            default -> "'" + text + "'";
        };
    }
}
