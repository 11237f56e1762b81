package org.bpf4j.map;

import java.util.regex.Pattern;

/**
 * A map as a plain description, with no kernel object behind it: loading it with {@link KernelMap#create}
 * makes a live map. {@code flags} are the {@code BPF_F_*} map flags; {@code mapExtra} is the type-specific
 * {@code map_extra} (a bloom filter's number of hash functions); {@code innerMap} describes the maps an
 * array or hash of maps holds (null for other types).
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra,
                      MapSpec innerMap) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");
    /** {@code BPF_F_NO_PREALLOC}: allocate hash entries on demand (required by LPM tries). */
    public static final int F_NO_PREALLOC = 1;
    /** {@code BPF_F_RDONLY_PROG}: BPF programs may read but not write the map. */
    public static final int F_RDONLY_PROG = 1 << 7;
    /** The deepest stack a stack trace map records by default ({@code PERF_MAX_STACK_DEPTH}). */
    public static final int MAX_STACK_DEPTH = 127;

    /** Validates the description: the kernel accepts names of up to 15 of [A-Za-z0-9_.]. */
    public MapSpec {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("map name '" + name + "': up to 15 characters of [A-Za-z0-9_.]");
        if (type == null) throw new IllegalArgumentException("map " + name + ": no type");
        if (keySize < 0 || valueSize < 0 || maxEntries < 0)
            throw new IllegalArgumentException("map " + name + ": negative size");
        boolean ofMaps = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        if (ofMaps && innerMap == null)
            throw new IllegalArgumentException("map " + name + ": a " + type.bpftoolName() + " needs an inner map spec");
        if (!ofMaps && innerMap != null)
            throw new IllegalArgumentException("map " + name + ": only maps of maps have an inner map spec");
    }

    /** A spec with {@code flags} and no type-specific extras. */
    public MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        this(name, type, keySize, valueSize, maxEntries, flags, 0, null);
    }

    /** A spec with no flags. */
    public static MapSpec of(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, 0);
    }

    /** A perf event array with a slot for every possible CPU (BCC's BPF_PERF_OUTPUT). */
    public static MapSpec perfEventArray(String name) {
        return of(name, MapType.PERF_EVENT_ARRAY, 4, 4, org.bpf4j.sys.Cpus.possibleCount());
    }

    /** A ring buffer of {@code bytes} bytes: a power of two and a multiple of the page size. */
    public static MapSpec ringBuffer(String name, int bytes) {
        if (Integer.bitCount(bytes) != 1 || bytes < org.bpf4j.sys.Native.pageSize())
            throw new IllegalArgumentException("ring buffer " + name + ": " + bytes + " bytes is not a power of two of at least a page");
        return of(name, MapType.RINGBUF, 0, 0, bytes);
    }

    /** A stack trace map: {@code entries} stacks of up to {@code depth} u64 addresses, keyed by stack id. */
    public static MapSpec stackTrace(String name, int depth, int entries) {
        return of(name, MapType.STACK_TRACE, 4, 8 * depth, entries);
    }

    /** A program array for tail calls: slot i holds a program. */
    public static MapSpec progArray(String name, int entries) {
        return of(name, MapType.PROG_ARRAY, 4, 4, entries);
    }

    /** An array of maps like {@code inner}. */
    public static MapSpec arrayOfMaps(String name, int entries, MapSpec inner) {
        return new MapSpec(name, MapType.ARRAY_OF_MAPS, 4, 4, entries, 0, 0, inner);
    }

    /** A hash of maps like {@code inner}, keyed by {@code keySize} bytes. */
    public static MapSpec hashOfMaps(String name, int keySize, int entries, MapSpec inner) {
        return new MapSpec(name, MapType.HASH_OF_MAPS, keySize, 4, entries, 0, 0, inner);
    }

    /** A FIFO queue of values (no keys). */
    public static MapSpec queue(String name, int valueSize, int entries) {
        return of(name, MapType.QUEUE, 0, valueSize, entries);
    }

    /** A LIFO stack of values (no keys). */
    public static MapSpec stack(String name, int valueSize, int entries) {
        return of(name, MapType.STACK, 0, valueSize, entries);
    }

    /** A bloom filter of values (no keys) with {@code hashes} hash functions (1 to 15; 0 lets the kernel pick 5). */
    public static MapSpec bloomFilter(String name, int valueSize, int entries, int hashes) {
        if (hashes < 0 || hashes > 15) throw new IllegalArgumentException("bloom filter " + name + ": " + hashes + " hash functions");
        return new MapSpec(name, MapType.BLOOM_FILTER, 0, valueSize, entries, 0, hashes, null);
    }

    /**
     * A longest-prefix-match trie whose keys are a u32 prefix length in bits followed by {@code dataBytes} bytes
     * (4 for IPv4, 16 for IPv6).
     */
    public static MapSpec lpmTrie(String name, int dataBytes, int valueSize, int entries) {
        return new MapSpec(name, MapType.LPM_TRIE, 4 + dataBytes, valueSize, entries, F_NO_PREALLOC);
    }

    /** This spec with other flags. */
    public MapSpec withFlags(int newFlags) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, newFlags, mapExtra, innerMap);
    }

    /** This spec under another name (e.g. the inner maps of a map of maps). */
    public MapSpec withName(String newName) {
        return new MapSpec(newName, type, keySize, valueSize, maxEntries, flags, mapExtra, innerMap);
    }

    /** True for the per-CPU types, whose values hold one slot per possible CPU. */
    public boolean perCpu() { return type.perCpu(); }

    /** True for the types without keys (queue, stack, bloom filter). */
    public boolean keyless() { return type == MapType.QUEUE || type == MapType.STACK || type == MapType.BLOOM_FILTER; }
}
