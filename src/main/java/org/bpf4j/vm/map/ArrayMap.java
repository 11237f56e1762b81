package org.bpf4j.vm.map;

import org.bpf4j.map.MapSpec;
import org.bpf4j.vm.Region;

import java.util.Optional;

/** {@code BPF_MAP_TYPE_ARRAY} and {@code PERCPU_ARRAY}: u32 keys 0 to max_entries-1, zero-filled values, no deletion. */
public final class ArrayMap extends UserMap {
    private final Region pool;

    ArrayMap(MapSpec spec, int cpus) {
        super(spec, cpus);
        if (spec.keySize() != 4) throw new IllegalArgumentException("array map " + spec.name() + ": key size must be 4, not " + spec.keySize());
        if (spec.valueSize() == 0) throw new IllegalArgumentException("array map " + spec.name() + ": value size 0");
        this.pool = pool(spec.maxEntries());
    }

    @Override
    public Region values() { return pool; }

    private int index(byte[] key) {
        int i = u32Key(key);
        return Integer.compareUnsigned(i, spec.maxEntries()) < 0 ? i : -1;
    }

    @Override
    public int valueOffset(byte[] key, int cpu) {
        int i = index(key);
        return i < 0 ? -1 : offsetOf(i, cpu);
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        int i = index(key);
        if (i < 0) return -E2BIG;
        if (flags == UpdateFlag.NOEXIST.value()) return -EEXIST;
        System.arraycopy(value, 0, pool.data(), offsetOf(i, cpu), spec.valueSize());
        return 0;
    }

    @Override
    int updateAllCpus(byte[] key, byte[] value, long flags) {
        int i = index(key);
        if (i < 0) return -E2BIG;
        if (flags == UpdateFlag.NOEXIST.value()) return -EEXIST;
        setUserValue(pool, i, value);
        return 0;
    }

    @Override
    public int deleteElement(byte[] key) { return -EINVAL; }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        int i = index(key);
        return i < 0 ? Optional.empty() : Optional.of(userValue(pool, i));
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        int next = 0;
        if (key != null) {
            checkKey(key);
            int i = index(key);
            next = i < 0 ? 0 : i + 1;
        }
        if (next >= spec.maxEntries()) return Optional.empty();
        return Optional.of(org.bpf4j.vm.Bytes.u32(next));
    }
}
