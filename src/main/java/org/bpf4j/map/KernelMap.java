package org.bpf4j.map;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.BpfFs;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.ObjInfo;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A live kernel map: owns its file descriptor and works through bpf(2). Per-CPU maps take and give values as
 * one slot per possible CPU, each rounded up to 8 bytes ({@link #lookupPerCpu} splits them); keyless maps (queue,
 * stack, bloom filter) take an empty key.
 */
public final class KernelMap implements BpfMap {
    // union bpf_attr for BPF_MAP_CREATE (linux/bpf.h): offsets checked against the UAPI header.
    private static final int CREATE_SIZE = 72, MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12,
            MAP_FLAGS = 16, INNER_MAP_FD = 20, MAP_NAME = 28, BTF_FD = 48, BTF_KEY_TYPE_ID = 52,
            BTF_VALUE_TYPE_ID = 56, MAP_EXTRA = 64;
    // union bpf_attr for the element commands: map_fd @0, key @8, value/next_key @16, flags @24.
    private static final int ELEM_SIZE = 32, MAP_FD = 0, KEY = 8, VALUE = 16, FLAGS = 24;

    private final MapSpec spec;
    private final Fd fd;
    private final int valueBytes;

    private KernelMap(MapSpec spec, Fd fd) {
        this.spec = spec;
        this.fd = fd;
        this.valueBytes = spec.perCpu() ? perCpuStride(spec) * Cpus.possibleCount() : spec.valueSize();
    }

    /** Creates the map in the kernel (BPF_MAP_CREATE); a map of maps gets a temporary inner map as its template. */
    public static KernelMap create(MapSpec spec) {
        return create(spec, null, 0, 0);
    }

    /**
     * Creates the map with BTF types for its keys and values: {@code btf} is a loaded BTF object
     * ({@link org.bpf4j.btf.BtfLoader}) holding the two type ids. Tools such as {@code map dump} then print
     * entries as typed values. The map keeps its own reference to the BTF; the caller still owns {@code btf}.
     */
    public static KernelMap create(MapSpec spec, Fd btf, int keyTypeId, int valueTypeId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(CREATE_SIZE, 8);
            attr.set(JAVA_INT, MAP_TYPE, spec.type().value());
            attr.set(JAVA_INT, KEY_SIZE, spec.keySize());
            attr.set(JAVA_INT, VALUE_SIZE, spec.valueSize());
            attr.set(JAVA_INT, MAX_ENTRIES, spec.maxEntries());
            attr.set(JAVA_INT, MAP_FLAGS, spec.flags());
            attr.set(JAVA_LONG, MAP_EXTRA, spec.mapExtra());
            byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, attr, JAVA_BYTE, MAP_NAME, name.length);
            if (btf != null) {
                attr.set(JAVA_INT, BTF_FD, btf.value());
                attr.set(JAVA_INT, BTF_KEY_TYPE_ID, keyTypeId);
                attr.set(JAVA_INT, BTF_VALUE_TYPE_ID, valueTypeId);
            }
            KernelMap inner = spec.innerMap() == null ? null : create(spec.innerMap());
            try {
                if (inner != null) attr.set(JAVA_INT, INNER_MAP_FD, inner.fd.value());
                return new KernelMap(spec, new Fd(Syscalls.bpf(BpfCmd.MAP_CREATE, attr)));
            } catch (BpfException e) {
                throw new BpfException("creating " + spec.type().bpftoolName() + " map '" + spec.name() + "'", e);
            } finally {
                if (inner != null) inner.close(); // the outer map keeps the template's shape, not the map
            }
        }
    }

    /** Opens the map with kernel id {@code id} (BPF_MAP_GET_FD_BY_ID); its spec is read back from the kernel. */
    public static KernelMap openById(int id) {
        Fd fd;
        try {
            fd = ObjInfo.fdById(BpfCmd.MAP_GET_FD_BY_ID, id);
        } catch (BpfException e) {
            if (e.errno() == Errno.ENOENT) throw new UserException("no map with id " + id, e);
            throw e;
        }
        return fromFd(fd, "map id " + id);
    }

    /** Opens the map pinned at {@code path} on the BPF file system (BPF_OBJ_GET). */
    public static KernelMap open(Path path) {
        return fromFd(BpfFs.get(path, 0), path.toString());
    }

    /**
     * Takes ownership of a descriptor for an existing map (e.g. from BPF_MAP_GET_FD_BY_ID or a pinned path), with a
     * spec made from the kernel's info about it.
     */
    public static KernelMap open(Fd fd) {
        return fromFd(fd, "map");
    }

    private static KernelMap fromFd(Fd fd, String what) {
        try {
            MapInfo info = MapInfo.read(fd.value());
            if (info.type() == null)
                throw new UserException(what + " (id " + info.id() + ") has map type " + info.typeValue() + ", which bpf4j does not know");
            boolean ofMaps = info.type() == MapType.ARRAY_OF_MAPS || info.type() == MapType.HASH_OF_MAPS;
            // the inner template is not reported back: a placeholder keeps the spec valid
            MapSpec inner = ofMaps ? MapSpec.of("inner", MapType.ARRAY, 4, 4, 1) : null;
            MapSpec spec = new MapSpec(info.name(), info.type(), info.keySize(), info.valueSize(), info.maxEntries(),
                    info.flags(), info.mapExtra(), inner);
            return new KernelMap(spec, fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Whether values of this map type hold one slot per possible CPU. */
    public static boolean perCpu(MapType type) { return type.perCpu(); }

    @Override
    public MapSpec spec() { return spec; }

    /** The descriptor, for programs that reference this map. */
    public Fd fd() { return fd; }

    /** The kernel's metadata for this map (BPF_OBJ_GET_INFO_BY_FD). */
    public MapInfo info() { return MapInfo.read(fd.value()); }

    /** The kernel's id of this map. */
    public int id() { return info().id(); }

    /**
     * The bytes of one value as the element commands pass it: for a per-CPU map, one slot per possible CPU, each
     * rounded up to 8 bytes (the kernel writes all of them on lookup).
     */
    public int valueBytes() { return valueBytes; }

    static int perCpuStride(MapSpec spec) { return (spec.valueSize() + 7) & ~7; }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        return lookup(BpfCmd.MAP_LOOKUP_ELEM, key);
    }

    /** Removes and returns the value under {@code key} (BPF_MAP_LOOKUP_AND_DELETE_ELEM); for a queue or stack, pops. */
    @Override
    public Optional<byte[]> lookupAndDelete(byte[] key) {
        return lookup(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, key);
    }

    private Optional<byte[]> lookup(BpfCmd cmd, byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(1, valueBytes), 8);
            int r = Syscalls.bpfOrErrno(cmd, elem(arena, keySegment(arena, key), v, 0));
            if (r == -Errno.ENOENT) return Optional.empty();
            if (r < 0) throw fail(cmd, -r);
            return Optional.of(v.asSlice(0, valueBytes).toArray(JAVA_BYTE));
        }
    }

    /** The per-CPU values under {@code key}, one array of {@code valueSize} bytes per possible CPU. */
    @Override
    public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
        if (!spec.perCpu()) throw new IllegalStateException("map " + spec.name() + " is not a per-CPU map");
        return lookup(key).map(raw -> BpfMap.splitPerCpu(raw, spec.valueSize(), Cpus.possibleCount()));
    }

    /** Sets one value per possible CPU under {@code key}. */
    @Override
    public void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flags) {
        if (!spec.perCpu()) throw new IllegalStateException("map " + spec.name() + " is not a per-CPU map");
        update(key, BpfMap.joinPerCpu(values, spec.valueSize(), Cpus.possibleCount()), flags);
    }

    /** True when a bloom filter may hold {@code value} (false positives are possible, false negatives not). */
    public boolean mayContain(byte[] value) {
        if (spec.type() != MapType.BLOOM_FILTER) throw new IllegalStateException("map " + spec.name() + " is not a bloom filter");
        checkValue(value);
        try (Arena arena = Arena.ofConfined()) {
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_LOOKUP_ELEM,
                    elem(arena, MemorySegment.NULL, arena.allocateFrom(JAVA_BYTE, value), 0));
            if (r == -Errno.ENOENT) return false;
            if (r < 0) throw fail(BpfCmd.MAP_LOOKUP_ELEM, -r);
            return true;
        }
    }

    @Override
    public void update(byte[] key, byte[] value, UpdateFlag flags) {
        checkKey(key);
        checkValue(value);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_BYTE, value);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_UPDATE_ELEM, elem(arena, keySegment(arena, key), v, flags.value()));
            if (r < 0) throw fail(BpfCmd.MAP_UPDATE_ELEM, -r);
        }
    }

    /**
     * Stores a descriptor under {@code key}: a program in a program array, a map in a map of maps, a perf event in a
     * perf event array. Looking the key up later gives the object's id, not the descriptor.
     */
    public void putFd(byte[] key, Fd object) {
        int v = object.value();
        update(key, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}, UpdateFlag.ANY);
    }

    @Override
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_DELETE_ELEM, elem(arena, keySegment(arena, key), MemorySegment.NULL, 0));
            if (r == -Errno.ENOENT) return false;
            if (r < 0) throw fail(BpfCmd.MAP_DELETE_ELEM, -r);
            return true;
        }
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        if (key != null) checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = key == null ? MemorySegment.NULL : keySegment(arena, key);
            MemorySegment next = arena.allocate(Math.max(1, spec.keySize()), 8);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_GET_NEXT_KEY, elem(arena, k, next, 0));
            if (r == -Errno.ENOENT) return Optional.empty();
            if (r < 0) throw fail(BpfCmd.MAP_GET_NEXT_KEY, -r);
            return Optional.of(next.asSlice(0, spec.keySize()).toArray(JAVA_BYTE));
        }
    }

    @Override
    public List<Entry> lookupBatch() { return MapBatch.lookup(this, false); }

    /** Whether this kernel has the batch commands (5.6): a batch lookup of a small hash map is not refused. */
    public static boolean batchSupported() {
        try (KernelMap m = create(MapSpec.of("probe_batch", MapType.HASH, 4, 4, 1))) {
            m.lookupBatch();
            return !MapBatch.fellBack(MapType.HASH, 0);
        }
    }

    @Override
    public List<Entry> lookupAndDeleteBatch() { return MapBatch.lookup(this, true); }

    @Override
    public void updateBatch(List<Entry> entries, UpdateFlag flags) { MapBatch.update(this, entries, flags); }

    @Override
    public int deleteBatch(List<byte[]> keys) { return MapBatch.delete(this, keys); }

    /** Makes the map read-only for user space from now on (BPF_MAP_FREEZE); BPF programs may still write it. */
    public void freeze() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(8, 8);
            attr.set(JAVA_INT, 0, fd.value());
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_FREEZE, attr);
            if (r < 0) throw fail(BpfCmd.MAP_FREEZE, -r);
        }
    }

    /**
     * Pins the map at {@code path} on the BPF file system (mounted at /sys/fs/bpf first when needed), so that it
     * outlives this process until the pin is removed ({@link BpfFs#unpin}). Nothing is ever pinned implicitly.
     */
    public void pin(Path path) { BpfFs.pin(fd, path, "map '" + spec.name() + "'"); }

    private MemorySegment keySegment(Arena arena, byte[] key) {
        return key.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, key);
    }

    MemorySegment elem(Arena arena, MemorySegment key, MemorySegment value, long flags) {
        MemorySegment attr = arena.allocate(ELEM_SIZE, 8);
        attr.set(JAVA_INT, MAP_FD, fd.value());
        attr.set(JAVA_LONG, KEY, key.address());
        attr.set(JAVA_LONG, VALUE, value.address());
        attr.set(JAVA_LONG, FLAGS, flags);
        return attr;
    }

    void checkKey(byte[] key) {
        if (key.length != spec.keySize())
            throw new IllegalArgumentException("map " + spec.name() + ": key is " + key.length + " bytes, expected " + spec.keySize());
    }

    private void checkValue(byte[] value) {
        int expected = spec.type() == MapType.BLOOM_FILTER ? spec.valueSize() : valueBytes;
        if (value.length != expected)
            throw new IllegalArgumentException("map " + spec.name() + ": value is " + value.length + " bytes, expected " + expected
                    + (spec.perCpu() ? " (one " + perCpuStride(spec) + "-byte slot per possible CPU)" : ""));
    }

    BpfException fail(BpfCmd cmd, int errno) {
        return new BpfException(cmd.uapiName(), errno, "map '" + spec.name() + "'");
    }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return "KernelMap[" + spec.name() + ", " + fd + "]"; }
}
