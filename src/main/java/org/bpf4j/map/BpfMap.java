package org.bpf4j.map;

import java.util.Optional;

/**
 * The one map API: byte-level keys and values, the same for a kernel map ({@link KernelMap}) and a
 * userspace one (the VM's), so that a tool or a test works on either.
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

    /** Releases the map; idempotent. */
    @Override
    void close();

    /** The flags of a map update ({@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}, {@code BPF_F_LOCK}). */
    enum UpdateFlag {
        ANY(0), NOEXIST(1), EXIST(2), LOCK(4);
        private final long value;
        UpdateFlag(long value) { this.value = value; }
        /** The kernel's flag value. */
        public long value() { return value; }
    }
}
