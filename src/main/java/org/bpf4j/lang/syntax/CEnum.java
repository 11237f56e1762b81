package org.bpf4j.lang.syntax;

import java.util.List;

/**
 * A C enum the script defines: {@code enum Foo { ONE = 1, TWO };}. Its enumerators name constants of the enum's
 * type, which v0.26 prints by name; {@code (enum Foo)x} gives a value that type.
 *
 * @param name        its tag, or "" for an anonymous one
 * @param enumerators its enumerators in order, with their values (implicit ones counted on from the previous)
 * @param span        where it is defined
 */
public record CEnum(String name, List<Enumerator> enumerators, Span span) {
    /** Copies the enumerators. */
    public CEnum { enumerators = List.copyOf(enumerators); }

    /** The name scripts refer to it by: {@code enum Foo}, or {@code enum} for an anonymous one. */
    public String fullName() { return name.isEmpty() ? "enum" : "enum " + name; }

    /** One enumerator: its name, its value and where it is written. */
    public record Enumerator(String name, long value, Span span) {}
}
