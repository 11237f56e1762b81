package org.bpf4j.lang.syntax;

import java.util.ArrayList;
import java.util.List;

import static org.bpf4j.lang.syntax.TokenKind.*;

/**
 * C struct, union and enum definitions in a script's preamble: members with C integer types, pointers, arrays,
 * bit-fields and nested (named or anonymous) structs; enumerators with their values. Layout is computed later, by the type checker.
 */
final class CDeclParser {
    private final TokenCursor in;

    CDeclParser(TokenCursor in) { this.in = in; }

    /** {@code struct NAME { members }}; stops after the closing brace. */
    CStruct structDefinition() {
        Token kw = in.advance();
        boolean union = kw.isWord("union");
        String name = in.at(IDENT) ? in.advance().text() : "";
        return body(union, name, kw.span());
    }

    /**
     * {@code enum [NAME] { A [= N], B, ... }}: an enumerator without a value is the previous one's plus one (the
     * first is 0), as in C; stops after the closing brace.
     */
    CEnum enumDefinition() {
        Token kw = in.advance();
        String name = in.at(IDENT) ? in.advance().text() : "";
        in.expect(LBRACE);
        List<CEnum.Enumerator> out = new ArrayList<>();
        long next = 0;
        while (!in.at(RBRACE)) {
            if (in.at(EOF)) throw in.error(in.peek(), "expected '}' to close enum " + name);
            Token n = in.expect(IDENT);
            if (in.accept(ASSIGN)) {
                boolean negative = in.accept(MINUS);
                long v = in.expect(INT).value();
                next = negative ? -v : v;
            }
            out.add(new CEnum.Enumerator(n.text(), next, n.span()));
            next++;
            if (!in.accept(COMMA)) break;
        }
        in.expect(RBRACE);
        return new CEnum(name, out, kw.span());
    }

    /**
     * One {@code __attribute__((packed))} or {@code __attribute__((aligned(N)))} after {@code s}'s closing brace;
     * stops after its last parenthesis without reading further.
     */
    CStruct attribute(CStruct s) {
        boolean packed = s.packed();
        int aligned = s.aligned();
        in.expectWord("__attribute__");
        in.expect(LPAREN);
        in.expect(LPAREN);
        do {
            Token a = in.expect(IDENT);
            switch (a.text()) {
                case "packed", "__packed__" -> packed = true;
                case "aligned", "__aligned__" -> {
                    in.expect(LPAREN);
                    aligned = (int) in.expect(INT).value();
                    in.expect(RPAREN);
                }
                default -> throw in.error(a, "unknown struct attribute '" + a.text() + "' (packed and aligned(N) are known)");
            }
        } while (in.accept(COMMA));
        in.expect(RPAREN);
        in.expect(RPAREN);
        return new CStruct(s.union(), s.name(), s.fields(), s.span(), packed, aligned);
    }

    private CStruct body(boolean union, String name, Span span) {
        in.expect(LBRACE);
        List<CStruct.Member> members = new ArrayList<>();
        while (!in.at(RBRACE)) {
            if (in.at(EOF)) throw in.error(in.peek(), "expected '}' to close " + (union ? "union " : "struct ") + name);
            if (in.accept(SEMI)) continue;
            member(members);
            if (!in.at(RBRACE)) in.expect(SEMI);
        }
        in.advance();
        return new CStruct(union, name, members, span);
    }

    private void member(List<CStruct.Member> out) {
        Token start = in.peek();
        String type;
        CStruct nested = null;
        if (in.atWord("struct") || in.atWord("union")) {
            boolean union = in.advance().isWord("union");
            String tag = in.at(IDENT) ? in.advance().text() : "";
            if (in.at(LBRACE)) {
                nested = body(union, tag, start.span());
                type = nested.fullName();
            } else {
                type = (union ? "union " : "struct ") + tag;
            }
        } else {
            StringBuilder sb = new StringBuilder();
            while (in.at(IDENT) && (sb.isEmpty() || isTypeWord(in.peek().text()))) {
                String w = in.advance().text();
                if (w.equals("const") || w.equals("volatile")) continue;
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(w);
            }
            if (sb.isEmpty()) throw in.error(in.peek(), "expected a member type, got " + in.peek().describe());
            type = sb.toString();
        }
        while (true) {
            int pointers = 0;
            while (in.accept(STAR)) pointers++;
            Token name = in.at(IDENT) ? in.advance() : null;
            if (name == null && nested == null) throw in.error(in.peek(), "expected a member name, got " + in.peek().describe());
            List<Integer> dims = new ArrayList<>();
            while (in.accept(LBRACKET)) {
                dims.add((int) in.expect(INT).value());
                in.expect(RBRACKET);
            }
            int bits = 0;
            if (in.accept(COLON)) bits = (int) in.expect(INT).value();
            out.add(new CStruct.Member(type, nested, pointers, name == null ? "" : name.text(), dims, bits,
                    (name == null ? start : name).span()));
            if (!in.accept(COMMA)) break;
        }
    }

    /** Words that continue a multi-word C type such as {@code unsigned long int}. */
    private static boolean isTypeWord(String w) {
        return switch (w) {
            case "unsigned", "signed", "int", "long", "short", "char", "const", "volatile" -> true;
            default -> false;
        };
    }
}
