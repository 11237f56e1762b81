package org.bpf4j.lang.syntax;

/**
 * A type as a cast or {@code sizeof} names it: {@code int8}, {@code uint64}, {@code struct Foo}, with
 * {@code pointers} stars after it.
 *
 * @param base     the type's name: an integer type or {@code struct X}/{@code union X}
 * @param pointers how many {@code *} follow
 * @param span     where it is written
 * @param length   v0.26's array casts: {@code (int8[8])} is 8, {@code (int8[])} 0 (its size from the value's), -1 for
 *                 a type that is not an array
 */
public record TypeName(String base, int pointers, Span span, int length) {
    /** A type that is not an array. */
    public TypeName(String base, int pointers, Span span) { this(base, pointers, span, -1); }

    @Override
    public String toString() { return base + " *".repeat(pointers).replace(" *", "*").replaceFirst("^([^*]+)\\*", "$1 *"); }
}
