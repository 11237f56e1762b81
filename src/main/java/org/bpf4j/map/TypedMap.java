package org.bpf4j.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed keys and values over any {@link BpfMap}: each side goes through a {@link ByteCodec}. Does not own the map.
 * Per-CPU maps give one value per possible CPU ({@link #getPerCpu}); queues and stacks have no keys ({@link #push}).
 * Methods returning a {@link Map} key it by the decoded key: use keys with value equality (numbers, strings, records).
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final ByteCodec<K> keys;
    private final ByteCodec<V> values;

    private TypedMap(BpfMap map, ByteCodec<K> keys, ByteCodec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    /** A typed view of {@code map}; the codecs' sizes must be the map's key and value sizes. */
    public static <K, V> TypedMap<K, V> of(BpfMap map, ByteCodec<K> keys, ByteCodec<V> values) {
        MapSpec s = map.spec();
        if (keys != null && keys.size() != s.keySize())
            throw new IllegalArgumentException("map " + s.name() + ": key codec is " + keys.size() + " bytes, keys are " + s.keySize());
        if (values.size() != s.valueSize())
            throw new IllegalArgumentException("map " + s.name() + ": value codec is " + values.size() + " bytes, values are " + s.valueSize());
        return new TypedMap<>(map, keys, values);
    }

    /** A typed view of a keyless map (queue, stack, bloom filter). */
    public static <V> TypedMap<Void, V> values(BpfMap map, ByteCodec<V> values) {
        if (!map.spec().keyless()) throw new IllegalArgumentException("map " + map.spec().name() + " has keys");
        return of(map, null, values);
    }

    /** The map underneath. */
    public BpfMap map() { return map; }

    /** The value under {@code key}. */
    public Optional<V> get(K key) { return map.lookup(keys.encode(key)).map(this::value); }

    /** Stores {@code value} under {@code key}, creating or replacing it. */
    public void put(K key, V value) { map.put(keys.encode(key), values.encode(value)); }

    /** Stores with {@code flags} ({@code NOEXIST}, {@code EXIST}...). */
    public void update(K key, V value, BpfMap.UpdateFlag flags) { map.update(keys.encode(key), values.encode(value), flags); }

    /** Removes {@code key}; false when it was not there. */
    public boolean delete(K key) { return map.delete(keys.encode(key)); }

    /** Removes and returns the value under {@code key}. */
    public Optional<V> remove(K key) { return map.lookupAndDelete(keys.encode(key)).map(this::value); }

    /** Every key, in the map's order. */
    public List<K> keys() {
        List<K> out = new ArrayList<>();
        for (byte[] k : map.keys()) out.add(keys.decode(k));
        return out;
    }

    /** Every entry, fetched in batches where the map allows, in the map's order. */
    public Map<K, V> entries() { return decode(map.lookupBatch()); }

    /** Removes and returns every entry (a batch lookup-and-delete where the map allows). */
    public Map<K, V> drain() { return decode(map.lookupAndDeleteBatch()); }

    /** Stores every entry of {@code entries}, in batches where the map allows. */
    public void putAll(Map<K, V> entries) {
        List<BpfMap.Entry> raw = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> raw.add(new BpfMap.Entry(keys.encode(k), values.encode(v))));
        map.updateBatch(raw, BpfMap.UpdateFlag.ANY);
    }

    /** Removes every key given; returns how many were there. */
    public int deleteAll(List<K> toDelete) {
        List<byte[]> raw = new ArrayList<>(toDelete.size());
        for (K k : toDelete) raw.add(keys.encode(k));
        return map.deleteBatch(raw);
    }

    /** A per-CPU map's values under {@code key}, one per possible CPU. */
    public Optional<List<V>> getPerCpu(K key) {
        return map.lookupPerCpu(keys.encode(key)).map(list -> list.stream().map(values::decode).toList());
    }

    /** Sets a per-CPU map's values under {@code key}, one per possible CPU. */
    public void putPerCpu(K key, List<V> perCpu) {
        map.updatePerCpu(keys.encode(key), perCpu.stream().map(values::encode).toList(), BpfMap.UpdateFlag.ANY);
    }

    /** Appends to a queue or pushes on a stack. */
    public void push(V value) { map.push(values.encode(value)); }

    /** Takes the next value off a queue or stack. */
    public Optional<V> pop() { return map.pop().map(values::decode); }

    /** The next value of a queue or stack, left in place. */
    public Optional<V> peek() { return map.peek().map(values::decode); }

    /** Every entry of a per-CPU map, each key with its values, one per possible CPU. */
    public Map<K, List<V>> entriesPerCpu() {
        MapSpec s = map.spec();
        if (!s.perCpu()) throw new IllegalStateException("map " + s.name() + " is not a per-CPU map");
        int cpus = org.bpf4j.sys.Cpus.possibleCount();
        Map<K, List<V>> out = new LinkedHashMap<>();
        for (BpfMap.Entry e : map.lookupBatch())
            out.put(keys.decode(e.key()), BpfMap.splitPerCpu(e.value(), s.valueSize(), cpus).stream().map(values::decode).toList());
        return out;
    }

    private V value(byte[] raw) {
        if (map.spec().perCpu())
            throw new IllegalStateException("map " + map.spec().name() + " is per-CPU: use getPerCpu or entriesPerCpu");
        return values.decode(raw);
    }

    private Map<K, V> decode(List<BpfMap.Entry> raw) {
        Map<K, V> out = new LinkedHashMap<>();
        for (BpfMap.Entry e : raw) out.put(keys.decode(e.key()), value(e.value()));
        return out;
    }
}
