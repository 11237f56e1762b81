package org.bpf4j.vm.map;

import org.bpf4j.map.BpfMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.vm.Region;

import java.util.Optional;

/**
 * A map that lives in the JVM, behind the same {@link BpfMap} API as a kernel map, for programs run by the
 * VM. Values sit in one {@link Region} (a pool of equal slots), so a pointer a program gets from
 * {@code map_lookup_elem} is an ordinary checked address. Per-CPU maps keep one slot per CPU and value, and
 * their userspace values are the kernel's layout: every CPU's value, each rounded up to 8 bytes.
 * Not thread-safe.
 */
public abstract sealed class UserMap implements BpfMap
        permits ArrayMap, HashTableMap, EventOutputMap, ProgramArrayMap {
    /** {@code ENOENT}, {@code E2BIG}, {@code EEXIST}, {@code EINVAL}, {@code EAGAIN}: what helpers return negated. */
    public static final int ENOENT = 2, E2BIG = 7, EAGAIN = 11, EEXIST = 17, EINVAL = 22;

    protected final MapSpec spec;
    protected final int cpus;
    private boolean closed;

    UserMap(MapSpec spec, int cpus) {
        if (cpus < 1) throw new IllegalArgumentException("map " + spec.name() + ": " + cpus + " CPUs");
        this.spec = spec;
        this.cpus = cpus;
    }

    /** A userspace map of {@code spec}'s type for a machine of {@code cpus} CPUs. */
    public static UserMap create(MapSpec spec, int cpus) {
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY -> new ArrayMap(spec, cpus);
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> new HashTableMap(spec, cpus);
            case PERF_EVENT_ARRAY, RINGBUF -> new EventOutputMap(spec, cpus);
            case PROG_ARRAY -> new ProgramArrayMap(spec, cpus);
            default -> throw new IllegalArgumentException("map " + spec.name() + ": the VM has no "
                    + spec.type().bpftoolName() + " maps (it has hash, array, percpu, LRU, perf event array, ring buffer, prog array)");
        };
    }

    /** A userspace map of {@code spec}'s type for a one-CPU machine. */
    public static UserMap create(MapSpec spec) {
        return create(spec, 1);
    }

    @Override
    public MapSpec spec() { return spec; }

    /** The number of CPUs per-CPU values are kept for. */
    public int cpus() { return cpus; }

    /** Whether each key has one value per CPU. */
    public boolean perCpu() {
        return switch (spec.type()) {
            case PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH -> true;
            default -> false;
        };
    }

    /** The pool the values live in, or null (the default) for maps whose values a program cannot point into. */
    public Region values() { return null; }

    /**
     * For {@code map_lookup_elem}: the offset within {@link #values()} of {@code key}'s value as {@code cpu}
     * sees it, or -1 when there is none (always, for maps without values).
     */
    public int valueOffset(byte[] key, int cpu) { return -1; }

    /** For {@code map_update_elem}: stores {@code value} as {@code cpu}'s value; 0 or a negative errno (EINVAL without values). */
    public int update(byte[] key, byte[] value, long flags, int cpu) { return -EINVAL; }

    /** For {@code map_delete_elem}: 0 or a negative errno. */
    public abstract int deleteElement(byte[] key);

    /** The size of a value as the BpfMap API sees it: per-CPU maps give every CPU's value, 8-byte aligned. */
    public int userValueSize() {
        return perCpu() ? ((spec.valueSize() + 7) & ~7) * cpus : spec.valueSize();
    }

    @Override
    public void update(byte[] key, byte[] value, UpdateFlag flags) {
        checkKey(key);
        if (value.length != userValueSize())
            throw new IllegalArgumentException("map " + spec.name() + ": value is " + value.length + " bytes, expected " + userValueSize());
        int r = updateAllCpus(key, value, flags.value());
        if (r < 0) throw new IllegalArgumentException("map " + spec.name() + ": update failed: " + errnoName(-r));
    }

    /** Stores a userspace value (every CPU's for per-CPU maps); 0 or a negative errno (EINVAL without values). */
    int updateAllCpus(byte[] key, byte[] value, long flags) { return -EINVAL; }

    /** A u32 key (array index), little endian. */
    static int u32Key(byte[] key) {
        return (int) org.bpf4j.vm.Bytes.u32(key, 0);
    }

    @Override
    public boolean delete(byte[] key) {
        checkKey(key);
        int r = deleteElement(key);
        if (r == -ENOENT) return false;
        if (r < 0) throw new IllegalArgumentException("map " + spec.name() + ": delete failed: " + errnoName(-r));
        return true;
    }

    /** Copies a value out of the pool at {@code offset} (all CPUs' for per-CPU maps, slot {@code slot}). */
    byte[] userValue(Region pool, int slot) {
        int vs = spec.valueSize();
        if (!perCpu()) {
            byte[] out = new byte[vs];
            System.arraycopy(pool.data(), slot * vs, out, 0, vs);
            return out;
        }
        int rounded = (vs + 7) & ~7;
        byte[] out = new byte[rounded * cpus];
        for (int c = 0; c < cpus; c++) System.arraycopy(pool.data(), (slot * cpus + c) * vs, out, c * rounded, vs);
        return out;
    }

    /** Copies a userspace value into slot {@code slot} of the pool. */
    void setUserValue(Region pool, int slot, byte[] value) {
        int vs = spec.valueSize();
        if (!perCpu()) {
            System.arraycopy(value, 0, pool.data(), slot * vs, vs);
            return;
        }
        int rounded = (vs + 7) & ~7;
        for (int c = 0; c < cpus; c++) System.arraycopy(value, c * rounded, pool.data(), (slot * cpus + c) * vs, vs);
    }

    /** The offset of {@code cpu}'s value of slot {@code slot}. */
    int offsetOf(int slot, int cpu) {
        return perCpu() ? (slot * cpus + Math.floorMod(cpu, cpus)) * spec.valueSize() : slot * spec.valueSize();
    }

    /** A pool of {@code slots} values (times the CPUs for per-CPU maps), each value its own bounds. */
    Region pool(int slots) {
        long bytes = (long) slots * spec.valueSize() * (perCpu() ? cpus : 1);
        if (bytes > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("map " + spec.name() + ": " + bytes + " bytes of values is too large for the VM");
        byte[] data = new byte[(int) bytes];
        return new Region(Region.Kind.MAP_VALUE, "map " + spec.name(), data, data.length, spec.valueSize(), true, this);
    }

    void checkKey(byte[] key) {
        if (key.length != spec.keySize())
            throw new IllegalArgumentException("map " + spec.name() + ": key is " + key.length + " bytes, expected " + spec.keySize());
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG (map is full)";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case EAGAIN -> "EAGAIN";
            default -> "errno " + errno;
        };
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() { return closed; }

    @Override
    public void close() { closed = true; }

    @Override
    public String toString() { return getClass().getSimpleName() + "[" + spec + "]"; }

    /** An empty optional: for the maps whose elements cannot be read from userspace. */
    static Optional<byte[]> none() { return Optional.empty(); }
}
