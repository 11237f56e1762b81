package org.bpf4j.lang.syntax;

import java.util.List;

/**
 * A C struct or union the script defines, to cast pointers to: {@code struct Foo { int a; char b[10]; }}.
 *
 * @param union  true for a union
 * @param name   its tag, or "" for an anonymous one
 * @param fields its members
 * @param span   where it is defined
 * @param packed {@code __attribute__((packed))}: members at any byte offset
 * @param aligned {@code __attribute__((aligned(N)))}'s N, or 0
 */
public record CStruct(boolean union, String name, List<Member> fields, Span span, boolean packed, int aligned) {
    /** Copies the fields. */
    public CStruct { fields = List.copyOf(fields); }

    /** A struct without attributes. */
    public CStruct(boolean union, String name, List<Member> fields, Span span) { this(union, name, fields, span, false, 0); }

    /** The name scripts refer to it by: {@code struct Foo}. */
    public String fullName() { return (union ? "union " : "struct ") + name; }

    /**
     * One member: its type as written (e.g. {@code unsigned int}, {@code uint32_t}, {@code struct Bar}),
     * an anonymous nested type, pointer depth, array dimensions and bit-field width (0 when not a bit-field).
     */
    public record Member(String type, CStruct nested, int pointers, String name, List<Integer> dims, int bits,
                         Span span) {
        /** Copies the dimensions. */
        public Member { dims = List.copyOf(dims); }
    }
}
