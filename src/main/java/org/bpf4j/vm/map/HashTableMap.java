package org.bpf4j.vm.map;

import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.vm.Region;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code BPF_MAP_TYPE_HASH}, {@code PERCPU_HASH}, {@code LRU_HASH} and {@code LRU_PERCPU_HASH}: a hash table
 * whose values sit in preallocated slots (as the kernel's default, preallocated hash maps); an LRU map evicts
 * its least recently used element when full, the others answer E2BIG. Keys iterate in insertion order
 * (LRU: least recently used first).
 */
public final class HashTableMap extends UserMap {
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(bytes, k.bytes); }

        @Override
        public int hashCode() { return Arrays.hashCode(bytes); }
    }

    private final Region pool;
    private final LinkedHashMap<Key, Integer> slots;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final boolean lru;

    HashTableMap(MapSpec spec, int cpus) {
        super(spec, cpus);
        if (spec.keySize() == 0 || spec.valueSize() == 0 || spec.maxEntries() == 0)
            throw new IllegalArgumentException("hash map " + spec.name() + ": key size, value size and max entries must be positive");
        this.lru = spec.type() == MapType.LRU_HASH || spec.type() == MapType.LRU_PERCPU_HASH;
        this.pool = pool(spec.maxEntries());
        this.slots = new LinkedHashMap<>(16, 0.75f, lru);
        for (int i = 0; i < spec.maxEntries(); i++) free.add(i);
    }

    @Override
    public Region values() { return pool; }

    /** The number of elements. */
    public int size() { return slots.size(); }

    @Override
    public int valueOffset(byte[] key, int cpu) {
        Integer slot = slots.get(new Key(key));
        return slot == null ? -1 : offsetOf(slot, cpu);
    }

    /** The slot for {@code key} per {@code flags}, allocating (or evicting) one for a new key; -errno otherwise. */
    private int slotFor(byte[] key, long flags, boolean[] fresh) {
        Key k = new Key(key.clone());
        Integer slot = slots.get(k);
        if (slot != null) {
            if (flags == UpdateFlag.NOEXIST.value()) return -EEXIST;
            return slot;
        }
        if (flags == UpdateFlag.EXIST.value()) return -ENOENT;
        if (free.isEmpty()) {
            if (!lru) return -E2BIG;
            Iterator<Map.Entry<Key, Integer>> eldest = slots.entrySet().iterator();
            free.add(eldest.next().getValue());
            eldest.remove();
        }
        int s = free.poll();
        slots.put(k, s);
        fresh[0] = true;
        return s;
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        boolean[] fresh = {false};
        int slot = slotFor(key, flags, fresh);
        if (slot < 0) return slot;
        if (fresh[0] && perCpu()) Arrays.fill(pool.data(), offsetOf(slot, 0), offsetOf(slot, 0) + spec.valueSize() * cpus, (byte) 0);
        System.arraycopy(value, 0, pool.data(), offsetOf(slot, cpu), spec.valueSize());
        return 0;
    }

    @Override
    int updateAllCpus(byte[] key, byte[] value, long flags) {
        int slot = slotFor(key, flags, new boolean[1]);
        if (slot < 0) return slot;
        setUserValue(pool, slot, value);
        return 0;
    }

    @Override
    public int deleteElement(byte[] key) {
        Integer slot = slots.remove(new Key(key));
        if (slot == null) return -ENOENT;
        free.add(slot);
        return 0;
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        Integer slot = slots.get(new Key(key));
        return slot == null ? Optional.empty() : Optional.of(userValue(pool, slot));
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        if (key != null) checkKey(key);
        Iterator<Key> it = slots.keySet().iterator();
        if (key != null && slots.containsKey(new Key(key))) {
            while (it.hasNext()) {
                if (Arrays.equals(it.next().bytes(), key)) break;
            }
        }
        return it.hasNext() ? Optional.of(it.next().bytes().clone()) : Optional.empty();
    }
}
