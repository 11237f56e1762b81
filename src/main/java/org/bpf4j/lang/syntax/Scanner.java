package org.bpf4j.lang.syntax;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a script into tokens on demand. The parser asks for an {@link #attachPoint() attach point} where a probe
 * starts (its text is read whole, paths and wildcards included) and for ordinary {@link #next() tokens}
 * elsewhere. bpftrace's preprocessor lines are handled here: {@code #define NAME text} defines an object-like
 * macro that later identifiers expand to, {@code #include} lines are noted and skipped (there are no headers to
 * read), and other {@code #} lines (a {@code #!} line) are comments. In the SystemTap dialect {@code #} starts a
 * comment.
 */
public final class Scanner {
    /** Probe types whose attach points hold a path, so that '/' belongs to them rather than starting a predicate. */
    private static final Set<String> PATH_PROBES = Set.of("uprobe", "uretprobe", "u", "ur", "usdt", "U");

    private final Source source;
    private final String text;
    private final boolean stap;
    private final Map<String, String> macros = new HashMap<>();
    private final List<String> includes = new ArrayList<>();
    private final Deque<Token> expanded = new ArrayDeque<>();
    /** #if/#ifdef/#ifndef nesting: whether each level's lines are read. */
    private final Deque<Boolean> conditions = new ArrayDeque<>();
    /** Whether an {@code #include} (header, quoted) finds a file; null: headers are not looked up. */
    private java.util.function.BiPredicate<String, Boolean> headers;
    /** Lines of bpftrace's definitions.h the preprocessor lines so far take (its first line includes BTF's types). */
    private int definitionsLines = 1;
    private int pos;
    private int line = 1;
    private int lineStart;
    private boolean atLineStart = true;

    /** A scanner of bpftrace text ({@code stap} false) or SystemTap text. */
    public Scanner(Source source, boolean stap) {
        this.source = source;
        this.text = source.text();
        this.stap = stap;
        // as bpftrace, scripts can test for kernel type information (struct types come from BTF)
        if (!stap && java.nio.file.Files.exists(java.nio.file.Path.of("/sys/kernel/btf/vmlinux"))) macros.put("BPFTRACE_HAVE_BTF", "1");
    }

    private boolean active() { return conditions.isEmpty() || conditions.peek(); }

    /** The script being scanned. */
    public Source source() { return source; }

    /** The headers {@code #include} lines named, in order. */
    public List<String> includes() { return List.copyOf(includes); }

    /** Looks each {@code #include}d header up with {@code found} (header, quoted), refusing one it does not find. */
    public void headers(java.util.function.BiPredicate<String, Boolean> found) { headers = found; }

    /** Adds a macro as {@code #define name body} would (also for {@code -D}-like uses). */
    public void define(String name, String body) { macros.put(name, body); }

    private Span here(int start) {
        return new Span(line, start - lineStart + 1, Math.max(1, pos - start));
    }

    private SyntaxError error(int at, String message) {
        int col = at - lineStart + 1;
        return new SyntaxError(source, new Span(line, Math.max(1, col), 1), message);
    }

    private char peekChar(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    private void newline() {
        line++;
        lineStart = pos;
        atLineStart = true;
    }

    /** Skips white space, comments and preprocessor lines; true when text remains. */
    public boolean skipSpace() {
        if (!expanded.isEmpty()) return true;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (!active() && atLineStart && !(c == '#' || c == ' ' || c == '\t' || c == '\n')) {
                while (pos < text.length() && text.charAt(pos) != '\n') pos++; // a line #if left out
                continue;
            }
            if (c == '\n') {
                pos++;
                newline();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '/' && peekChar(1) == '/') {
                while (pos < text.length() && text.charAt(pos) != '\n') pos++;
            } else if (c == '/' && peekChar(1) == '*') {
                int startLine = line, startCol = pos - lineStart + 1;
                pos += 2;
                while (pos < text.length() && !(text.charAt(pos) == '*' && peekChar(1) == '/')) {
                    if (text.charAt(pos) == '\n') { pos++; newline(); } else pos++;
                }
                if (pos >= text.length())
                    throw new SyntaxError(source, new Span(startLine, startCol, 2), "unterminated comment");
                pos += 2;
            } else if (c == '#' && (stap || atLineStart)) {
                int start = pos, at = definitionsLines + 1;
                definitionsLines++;
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    if (text.charAt(pos) == '\\' && peekChar(1) == '\n') { pos += 2; newline(); definitionsLines++; } else pos++;
                }
                if (!stap) directive(text.substring(start, pos), start, at);
            } else {
                atLineStart = false;
                return true;
            }
        }
        return false;
    }

    /** A preprocessor line at {@code start}, line {@code at} of bpftrace's definitions.h. */
    private void directive(String lineText, int start, int at) {
        String d = lineText.substring(1).strip();
        String word = d.split("\\s+", 2)[0];
        String rest = d.substring(word.length()).strip();
        switch (word) {
            case "ifdef" -> { conditions.push(active() && macros.containsKey(rest)); return; }
            case "ifndef" -> { conditions.push(active() && !macros.containsKey(rest)); return; }
            case "if" -> { conditions.push(active() && !rest.equals("0")); return; }
            case "else" -> {
                if (conditions.isEmpty()) throw error(start, "#else without #if");
                boolean was = conditions.pop();
                conditions.push(active() && !was);
                return;
            }
            case "endif" -> {
                if (conditions.isEmpty()) throw error(start, "#endif without #if");
                conditions.pop();
                return;
            }
            default -> { }
        }
        if (!active()) return;
        if (word.equals("define")) {
            int i = 0;
            while (i < rest.length() && (Character.isLetterOrDigit(rest.charAt(i)) || rest.charAt(i) == '_')) i++;
            if (i == 0) throw error(start, "#define without a name");
            if (i < rest.length() && rest.charAt(i) == '(')
                throw error(start, "function-like macros are not supported: " + rest.substring(0, i));
            macros.put(rest.substring(0, i), rest.substring(i).replace("\\\n", " ").strip());
        } else if (word.equals("include")) {
            String header = rest.replaceAll("^[<\"]|[>\"]$", "");
            if (headers != null && !headers.test(header, rest.startsWith("\"")))
                throw new HeaderNotFound(source, here(start), at, Math.max(0, lineText.indexOf(rest.charAt(0))) + 1, header);
            includes.add(header);
            Headers.macros(header).forEach(macros::putIfAbsent);
        }
        // other lines (#!, #pragma, #undef...) are comments here
    }

    /** True when the next characters are {@code word} followed by something that cannot continue a word. */
    public boolean lookingAt(String word) {
        if (!expanded.isEmpty() || !text.startsWith(word, pos)) return false;
        char after = peekChar(word.length());
        return !(Character.isLetterOrDigit(after) || after == '_');
    }

    /** The next character, without consuming it ('\0' at the end). */
    public char peek() { return expanded.isEmpty() ? peekChar(0) : '\1'; }

    /**
     * Reads one attach point, e.g. {@code tracepoint:syscalls:sys_enter_kill}, {@code uprobe:/bin/bash:readline},
     * {@code uprobe:/bin/bash:"echo_builtin"+0}, {@code i:ms:$1}, {@code BEGIN}. It ends at white space, ',' or
     * '{', or at '/' unless the probe type takes a path.
     */
    public Token attachPoint() {
        skipSpace();
        int start = pos;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') { // a quoted part, kept with its quotes and escapes for Attach to read
                int close = pos + 1;
                while (close < text.length() && text.charAt(close) != '"' && text.charAt(close) != '\n')
                    close += text.charAt(close) == '\\' ? 2 : 1;
                if (close >= text.length() || text.charAt(close) != '"') throw error(pos, "unterminated string");
                sb.append(text, pos, close + 1);
                pos = close + 1;
                continue;
            }
            if (Character.isWhitespace(c) || c == ',' || c == '{' || c == '}' || c == ';') break;
            if (c == '/') {
                int colon = sb.indexOf(":");
                if (colon < 0 || !PATH_PROBES.contains(sb.substring(0, colon))) break;
            }
            if (c == '/' && (peekChar(1) == '/' || peekChar(1) == '*') && (sb.isEmpty() || sb.charAt(sb.length() - 1) != ':'))
                break;
            sb.append(c);
            pos++;
        }
        if (sb.isEmpty()) {
            if (pos >= text.length()) throw error(pos, "expected a probe, got end of file");
            throw error(pos, "expected a probe, got '" + text.charAt(pos) + "'");
        }
        return new Token(TokenKind.ATTACH, sb.toString(), 0, here(start));
    }

    /** The next token in ordinary mode; EOF at the end. */
    public Token next() {
        if (!expanded.isEmpty()) return expanded.pop();
        if (!skipSpace()) return new Token(TokenKind.EOF, "", 0, new Span(line, pos - lineStart + 1, 1));
        int start = pos;
        char c = text.charAt(pos);
        if (Character.isLetter(c) || c == '_') {
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
            String word = text.substring(start, pos);
            String body = macros.get(word);
            if (body != null) return expand(word, body, here(start));
            return new Token(TokenKind.IDENT, word, 0, here(start));
        }
        if (Character.isDigit(c)) return number(start);
        switch (c) {
            case '"': return string(start);
            case '\'': return character(start);
            case '$': return dollar(start);
            case '@': {
                pos++;
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
                return new Token(TokenKind.MAP, text.substring(start, pos), 0, here(start));
            }
            default: return operator(start);
        }
    }

    private Token expand(String name, String body, Span at) {
        if (expanded.size() > 10_000) throw new SyntaxError(source, at, "macro " + name + " expands without end");
        Scanner inner = new Scanner(new Source(source.name(), body), stap);
        inner.macros.putAll(macros);
        inner.macros.remove(name);
        List<Token> out = new ArrayList<>();
        for (Token t = inner.next(); !t.is(TokenKind.EOF); t = inner.next())
            out.add(new Token(t.kind(), t.text(), t.value(), at));
        if (out.isEmpty()) return next();
        for (int i = out.size() - 1; i > 0; i--) expanded.push(out.get(i));
        return out.getFirst();
    }

    private Token dollar(int start) {
        pos++;
        char c = peekChar(0);
        if (c == '#') {
            pos++;
            return new Token(TokenKind.PARAM_COUNT, "$#", 0, here(start));
        }
        if (Character.isDigit(c)) {
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            String digits = text.substring(start + 1, pos);
            if (digits.length() > 9) throw error(start, "positional parameter $" + digits + " is out of range");
            return new Token(TokenKind.POSITIONAL, digits, Long.parseLong(digits), here(start));
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
            return new Token(TokenKind.VAR, text.substring(start, pos), 0, here(start));
        }
        if (stap && c == '$') { // $$vars and friends
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == '$')) pos++;
            return new Token(TokenKind.VAR, text.substring(start, pos), 0, here(start));
        }
        throw error(start, "expected a variable name or a number after '$'");
    }

    private Token number(int start) {
        long value;
        if (peekChar(0) == '0' && (peekChar(1) == 'x' || peekChar(1) == 'X')) {
            pos += 2;
            int digits = pos;
            while (pos < text.length() && (Character.digit(text.charAt(pos), 16) >= 0 || text.charAt(pos) == '_')) pos++;
            String hex = text.substring(digits, pos).replace("_", "");
            if (hex.isEmpty() || hex.length() > 16) throw error(start, "bad hexadecimal number " + text.substring(start, pos));
            value = Long.parseUnsignedLong(hex, 16);
        } else {
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
            String digits = text.substring(start, pos).replace("_", "");
            if ((peekChar(0) == 'e' || peekChar(0) == 'E') && Character.isDigit(peekChar(1))) {
                pos++;
                int exp = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
                try {
                    value = scientific(start, Long.parseLong(digits), Integer.parseInt(text.substring(exp, pos)));
                } catch (NumberFormatException e) {
                    throw error(start, "number " + text.substring(start, pos) + " does not fit in 64 bits");
                }
            } else if (digits.length() > 1 && digits.charAt(0) == '0') {
                try {
                    value = Long.parseUnsignedLong(digits.substring(1), 8);
                } catch (NumberFormatException e) {
                    throw error(start, "bad octal number " + digits);
                }
            } else {
                try {
                    value = Long.parseUnsignedLong(digits);
                } catch (NumberFormatException e) {
                    throw error(start, "number " + digits + " does not fit in 64 bits");
                }
            }
        }
        if (!stap) value = duration(start, value);
        while (pos < text.length() && "uUlL".indexOf(text.charAt(pos)) >= 0) pos++;
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_'))
            throw error(pos, "unexpected '" + text.charAt(pos) + "' after a number");
        return new Token(TokenKind.INT, text.substring(start, pos), value, here(start));
    }

    /** v0.24's time units after a number ({@code 100ms}, {@code 1s}): the value in nanoseconds. */
    private long duration(int start, long value) {
        int end = pos;
        while (end < text.length() && Character.isLetter(text.charAt(end))) end++;
        long scale = switch (text.substring(pos, end)) {
            case "ns" -> 1;
            case "us" -> 1_000;
            case "ms" -> 1_000_000;
            case "s" -> 1_000_000_000;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> 0;
        };
        if (scale == 0 || end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '_')) return value;
        if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, scale)) > 0)
            throw error(start, "number " + text.substring(start, end) + " does not fit in 64 bits");
        pos = end;
        return value * scale;
    }

    private long scientific(int start, long mantissa, int exponent) {
        long v = mantissa;
        for (int i = 0; i < exponent; i++) {
            if (v > Long.MAX_VALUE / 10) throw error(start, "number does not fit in 64 bits");
            v *= 10;
        }
        return v;
    }

    private Token string(int start) {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') throw error(start, "unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') break;
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            sb.append(escape());
        }
        return new Token(TokenKind.STRING, sb.toString(), 0, here(start));
    }

    private char escape() {
        if (pos >= text.length()) throw error(pos, "unterminated escape");
        char e = text.charAt(pos++);
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'a' -> 7;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'v' -> 11;
            case 'e' -> 27;
            case '\\', '"', '\'', '?' -> e;
            case 'x' -> {
                int s = pos;
                while (pos < text.length() && pos - s < 2 && Character.digit(text.charAt(pos), 16) >= 0) pos++;
                if (pos == s) throw error(s, "\\x without hexadecimal digits");
                yield (char) Integer.parseInt(text.substring(s, pos), 16);
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int s = pos - 1;
                    while (pos < text.length() && pos - s < 3 && text.charAt(pos) >= '0' && text.charAt(pos) <= '7') pos++;
                    yield (char) (Integer.parseInt(text.substring(s, pos), 8) & 0xff);
                }
                throw error(pos - 2, "unknown escape '\\" + e + "'");
            }
        };
    }

    private Token character(int start) {
        pos++;
        if (pos >= text.length()) throw error(start, "unterminated character");
        char c = text.charAt(pos++);
        if (c == '\\') c = escape();
        if (peekChar(0) != '\'') throw error(start, "unterminated character");
        pos++;
        return new Token(TokenKind.INT, text.substring(start, pos), c, here(start));
    }

    private Token operator(int start) {
        TokenKind best = null;
        for (TokenKind k : TokenKind.values()) {
            String t = k.text();
            if (t == null || k == TokenKind.EOF || k == TokenKind.PARAM_COUNT) continue;
            if (!stap && (k == TokenKind.AGGREGATE || k == TokenKind.DOT_ASSIGN)) continue;
            if (stap && k == TokenKind.DOTDOT) continue;
            if (text.startsWith(t, pos) && (best == null || t.length() > best.text().length())) best = k;
        }
        if (best == null) throw error(start, "invalid character '" + text.charAt(pos) + "'");
        pos += best.text().length();
        return new Token(best, best.text(), 0, here(start));
    }
}
