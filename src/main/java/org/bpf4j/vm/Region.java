package org.bpf4j.vm;

import java.util.Objects;

/**
 * One block of memory a program can reach: the stack, the context, a packet, a map's value pool. A
 * {@link Memory} maps it at {@code id << 32} (one region may be mapped in several address spaces); every access is checked against its length and, for a
 * pool of equal-sized values ({@code stride > 0}), against the one value the access starts in.
 */
public final class Region {
    /** What a region holds; the verifier's pointer kinds name the same things. */
    public enum Kind { STACK, CONTEXT, PACKET, MAP_VALUE, MAP_HANDLE, SCRATCH }

    final byte[] data;
    final int length;
    final int stride;
    final boolean writable;
    final Kind kind;
    final String name;
    final Object owner;
    /** 4-byte fields whose loads give a 64-bit address instead of the bytes (offset, value pairs), or null. */
    long[] pointerFields;

    /**
     * A region over {@code data[0, length)}; {@code stride} splits it into values no access may cross (0: none);
     * {@code owner} is what the region belongs to (a map, for its values and its handle).
     */
    public Region(Kind kind, String name, byte[] data, int length, int stride, boolean writable, Object owner) {
        this.kind = Objects.requireNonNull(kind);
        this.name = Objects.requireNonNull(name);
        this.data = Objects.requireNonNull(data);
        if (length < 0 || length > data.length) throw new IllegalArgumentException("region " + name + ": bad length " + length);
        if (stride < 0) throw new IllegalArgumentException("region " + name + ": bad stride " + stride);
        this.length = length;
        this.stride = stride;
        this.writable = writable;
        this.owner = owner;
    }

    /** A writable region over the whole array. */
    public static Region of(Kind kind, String name, byte[] data) {
        return new Region(kind, name, data, data.length, 0, true, null);
    }

    /**
     * Makes a 4-byte load at {@code offset} give {@code address}: how a context hands out pointers that do not fit
     * its u32 fields (xdp_md's data and data_end), as the kernel rewrites those loads.
     */
    public Region pointerField(int offset, long address) {
        long[] f = pointerFields == null ? new long[0] : pointerFields;
        f = java.util.Arrays.copyOf(f, f.length + 2);
        f[f.length - 2] = offset;
        f[f.length - 1] = address;
        pointerFields = f;
        return this;
    }

    /** The bytes behind the region (shared, not copied). */
    public byte[] data() { return data; }

    /** The number of addressable bytes. */
    public int length() { return length; }

    /** The kind of memory. */
    public Kind kind() { return kind; }

    /** The name used in fault messages, e.g. {@code "stack"} or {@code "map counts"}. */
    public String name() { return name; }

    /** The object the region belongs to, or null. */
    public Object owner() { return owner; }

    @Override
    public String toString() {
        return "Region[" + name + ", " + length + " bytes]";
    }
}
