package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Span;

/**
 * A map of the script, as its uses determine it: the stored key (null for a map without keys; a tuple for
 * several keys) and the stored value (integers widened to 64 bits, strings to the longest stored).
 */
public final class MapDecl {
    private final String name;
    private final Span firstUse;
    private Type key;
    private Type writtenKey;
    private int keyCount = -1;
    private Type value;

    MapDecl(String name, Span firstUse) {
        this.name = name;
        this.firstUse = firstUse;
    }

    /** The name with its {@code @}. */
    public String name() { return name; }

    /** Where it is first used. */
    public Span firstUse() { return firstUse; }

    /** The stored key, or null for a map without keys. */
    public Type key() { return key; }

    /** The key's type as the accesses write it (integers not widened), which v0.26's messages name. */
    Type writtenKey() { return writtenKey; }

    void writtenKey(Type k) { writtenKey = k; }

    /** How many keys each access gives (0 for none), or -1 before the first keyed use. */
    public int keyCount() { return keyCount; }

    /** The stored value, or null while unknown. */
    public Type value() { return value; }

    /** The value as an aggregation, or null. */
    public Type.Agg agg() { return value instanceof Type.Agg a ? a : null; }

    void key(Type k, int count) {
        key = k;
        keyCount = count;
    }

    void value(Type v) { value = v; }

    @Override
    public String toString() { return name + "[" + (key == null ? "" : key.describe()) + "] " + (value == null ? "?" : value.describe()); }
}
