package org.bpf4j.lang.syntax;

/**
 * A type as a cast or {@code sizeof} names it: {@code int8}, {@code uint64}, {@code struct Foo}, with
 * {@code pointers} stars after it.
 *
 * @param base     the type's name: an integer type or {@code struct X}/{@code union X}
 * @param pointers how many {@code *} follow
 * @param span     where it is written
 */
public record TypeName(String base, int pointers, Span span) {
    @Override
    public String toString() { return base + " *".repeat(pointers).replace(" *", "*").replaceFirst("^([^*]+)\\*", "$1 *"); }
}
