package org.bpf4j.map;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The one map API: byte-level keys and values, the same for a kernel map ({@link KernelMap}) and a
 * userspace one (the VM's), so that a tool or a test works on either. {@link TypedMap} puts typed keys and
 * values over it. Keyless maps (queue, stack, bloom filter) take an empty key; per-CPU maps take one slot per
 * possible CPU, each rounded up to 8 bytes, in a value.
 */
public interface BpfMap extends AutoCloseable {
    /** The description this map was made from. */
    MapSpec spec();

    /** The value stored under {@code key}, if any. */
    Optional<byte[]> lookup(byte[] key);

    /** Stores {@code value} under {@code key}; {@code flags} is one of {@link UpdateFlag}. */
    void update(byte[] key, byte[] value, UpdateFlag flags);

    /** Stores {@code value} under {@code key}, creating or replacing it. */
    default void put(byte[] key, byte[] value) { update(key, value, UpdateFlag.ANY); }

    /** Removes {@code key}; returns false when it was not there. */
    boolean delete(byte[] key);

    /** The key after {@code key} in the map's order, or the first key when {@code key} is null; empty at the end. */
    Optional<byte[]> nextKey(byte[] key);

    /** Removes and returns the value under {@code key}; for a queue or stack (empty key) this pops. */
    default Optional<byte[]> lookupAndDelete(byte[] key) {
        Optional<byte[]> v = lookup(key);
        if (v.isPresent()) delete(key);
        return v;
    }

    /** Appends {@code value} to a queue or pushes it on a stack. */
    default void push(byte[] value) { update(new byte[0], value, UpdateFlag.ANY); }

    /** Takes the next value off a queue or stack; empty when there is none. */
    default Optional<byte[]> pop() { return lookupAndDelete(new byte[0]); }

    /** The next value of a queue or stack, left in place. */
    default Optional<byte[]> peek() { return lookup(new byte[0]); }

    /** Every key, in the map's order, walked with {@link #nextKey} (keys deleted meanwhile may be skipped). */
    default Iterable<byte[]> keys() {
        return () -> new Iterator<>() {
            private byte[] next = nextKey(null).orElse(null);

            @Override public boolean hasNext() { return next != null; }

            @Override public byte[] next() {
                if (next == null) throw new NoSuchElementException();
                byte[] k = next;
                next = nextKey(k).orElse(null);
                return k;
            }
        };
    }

    /** Every key and value, one lookup per key (a key deleted while walking is left out). */
    default List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (byte[] k : keys()) lookup(k).ifPresent(v -> out.add(new Entry(k, v)));
        return out;
    }

    /** Every key and value, in as few calls as the map allows (BPF_MAP_LOOKUP_BATCH for kernel maps). */
    default List<Entry> lookupBatch() { return entries(); }

    /** Removes and returns every entry (BPF_MAP_LOOKUP_AND_DELETE_BATCH for kernel maps). */
    default List<Entry> lookupAndDeleteBatch() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries()) if (delete(e.key())) out.add(e);
        return out;
    }

    /** Stores every entry (BPF_MAP_UPDATE_BATCH for kernel maps). */
    default void updateBatch(List<Entry> entries, UpdateFlag flags) {
        for (Entry e : entries) update(e.key(), e.value(), flags);
    }

    /** Removes every key given; returns how many were there (BPF_MAP_DELETE_BATCH for kernel maps). */
    default int deleteBatch(List<byte[]> keys) {
        int n = 0;
        for (byte[] k : keys) if (delete(k)) n++;
        return n;
    }

    /** A per-CPU map's values under {@code key}, one array of {@code valueSize} bytes per possible CPU. */
    default Optional<List<byte[]>> lookupPerCpu(byte[] key) {
        throw new UnsupportedOperationException("map " + spec().name() + ": per-CPU values");
    }

    /** Sets a per-CPU map's values under {@code key}, one per possible CPU. */
    default void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flags) {
        throw new UnsupportedOperationException("map " + spec().name() + ": per-CPU values");
    }

    /** Splits a per-CPU value of {@code cpus} slots, each {@code valueSize} bytes rounded up to 8. */
    static List<byte[]> splitPerCpu(byte[] raw, int valueSize, int cpus) {
        int stride = (valueSize + 7) & ~7;
        if (raw.length != stride * cpus)
            throw new IllegalArgumentException("per-CPU value of " + raw.length + " bytes is not " + cpus + " slots of " + stride);
        List<byte[]> out = new ArrayList<>(cpus);
        for (int c = 0; c < cpus; c++) out.add(java.util.Arrays.copyOfRange(raw, c * stride, c * stride + valueSize));
        return out;
    }

    /** Joins one value per CPU into the kernel's per-CPU layout (slots rounded up to 8 bytes). */
    static byte[] joinPerCpu(List<byte[]> values, int valueSize, int cpus) {
        if (values.size() != cpus)
            throw new IllegalArgumentException(values.size() + " per-CPU values given for " + cpus + " possible CPUs");
        int stride = (valueSize + 7) & ~7;
        byte[] raw = new byte[stride * cpus];
        for (int c = 0; c < cpus; c++) {
            byte[] v = values.get(c);
            if (v.length != valueSize) throw new IllegalArgumentException("CPU " + c + ": value is " + v.length + " bytes, expected " + valueSize);
            System.arraycopy(v, 0, raw, c * stride, valueSize);
        }
        return raw;
    }

    /** Releases the map; idempotent. */
    @Override
    void close();

    /** A key and its value. */
    record Entry(byte[] key, byte[] value) {}

    /** The flags of a map update ({@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}, {@code BPF_F_LOCK}). */
    enum UpdateFlag {
        ANY(0), NOEXIST(1), EXIST(2), LOCK(4);
        private final long value;
        UpdateFlag(long value) { this.value = value; }
        /** The kernel's flag value. */
        public long value() { return value; }
    }
}
