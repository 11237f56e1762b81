package org.bpf4j.map;

import org.bpf4j.BpfException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** A live kernel map: owns its file descriptor and works through bpf(2). */
public final class KernelMap implements BpfMap {
    // union bpf_attr for BPF_MAP_CREATE (linux/bpf.h): offsets checked against the UAPI header.
    private static final int CREATE_SIZE = 72, MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12,
            MAP_FLAGS = 16, MAP_NAME = 28, BTF_FD = 48, BTF_KEY_TYPE_ID = 52, BTF_VALUE_TYPE_ID = 56;
    // union bpf_attr for the element commands: map_fd @0, key @8, value/next_key @16, flags @24.
    private static final int ELEM_SIZE = 32, MAP_FD = 0, KEY = 8, VALUE = 16, FLAGS = 24;

    private final MapSpec spec;
    private final Fd fd;

    private KernelMap(MapSpec spec, Fd fd) {
        this.spec = spec;
        this.fd = fd;
    }

    /** Creates the map in the kernel (BPF_MAP_CREATE). */
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
            byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, attr, JAVA_BYTE, MAP_NAME, name.length);
            if (btf != null) {
                attr.set(JAVA_INT, BTF_FD, btf.value());
                attr.set(JAVA_INT, BTF_KEY_TYPE_ID, keyTypeId);
                attr.set(JAVA_INT, BTF_VALUE_TYPE_ID, valueTypeId);
            }
            try {
                return new KernelMap(spec, new Fd(Syscalls.bpf(BpfCmd.MAP_CREATE, attr)));
            } catch (BpfException e) {
                throw new BpfException("creating " + spec.type().bpftoolName() + " map '" + spec.name() + "'", e);
            }
        }
    }

    /**
     * Takes ownership of a descriptor for an existing map (e.g. from BPF_MAP_GET_FD_BY_ID or a pinned path), with a
     * spec made from the kernel's info about it.
     */
    public static KernelMap open(Fd fd) {
        MapInfo info = MapInfo.read(fd.value());
        if (info.type() == null) {
            fd.close();
            throw new IllegalArgumentException("map id " + info.id() + " has map type " + info.typeValue() + ", which bpf4j does not know");
        }
        return new KernelMap(new MapSpec(info.name(), info.type(), info.keySize(), info.valueSize(), info.maxEntries(), info.flags()), fd);
    }

    /** Whether values of this map type hold one slot per possible CPU. */
    public static boolean perCpu(MapType type) {
        return switch (type) {
            case PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE -> true;
            default -> false;
        };
    }

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
    public int valueBytes() {
        if (!perCpu(spec.type())) return spec.valueSize();
        return (spec.valueSize() + 7) / 8 * 8 * org.bpf4j.sys.Cpus.possibleCount();
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_BYTE, key);
            MemorySegment v = arena.allocate(Math.max(1, valueBytes()), 8);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_LOOKUP_ELEM, elem(arena, k, v, 0));
            if (r == -Errno.ENOENT) return Optional.empty();
            if (r < 0) throw fail(BpfCmd.MAP_LOOKUP_ELEM, -r);
            return Optional.of(v.asSlice(0, valueBytes()).toArray(JAVA_BYTE));
        }
    }

    @Override
    public void update(byte[] key, byte[] value, UpdateFlag flags) {
        checkKey(key);
        if (value.length != valueBytes())
            throw new IllegalArgumentException("map " + spec.name() + ": value is " + value.length + " bytes, expected " + valueBytes());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_BYTE, key);
            MemorySegment v = arena.allocateFrom(JAVA_BYTE, value);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_UPDATE_ELEM, elem(arena, k, v, flags.value()));
            if (r < 0) throw fail(BpfCmd.MAP_UPDATE_ELEM, -r);
        }
    }

    @Override
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_BYTE, key);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_DELETE_ELEM, elem(arena, k, MemorySegment.NULL, 0));
            if (r == -Errno.ENOENT) return false;
            if (r < 0) throw fail(BpfCmd.MAP_DELETE_ELEM, -r);
            return true;
        }
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        if (key != null) checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = key == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, key);
            MemorySegment next = arena.allocate(Math.max(1, spec.keySize()), 8);
            int r = Syscalls.bpfOrErrno(BpfCmd.MAP_GET_NEXT_KEY, elem(arena, k, next, 0));
            if (r == -Errno.ENOENT) return Optional.empty();
            if (r < 0) throw fail(BpfCmd.MAP_GET_NEXT_KEY, -r);
            return Optional.of(next.asSlice(0, spec.keySize()).toArray(JAVA_BYTE));
        }
    }

    private MemorySegment elem(Arena arena, MemorySegment key, MemorySegment value, long flags) {
        MemorySegment attr = arena.allocate(ELEM_SIZE, 8);
        attr.set(JAVA_INT, MAP_FD, fd.value());
        attr.set(JAVA_LONG, KEY, key.address());
        attr.set(JAVA_LONG, VALUE, value.address());
        attr.set(JAVA_LONG, FLAGS, flags);
        return attr;
    }

    private void checkKey(byte[] key) {
        if (key.length != spec.keySize())
            throw new IllegalArgumentException("map " + spec.name() + ": key is " + key.length + " bytes, expected " + spec.keySize());
    }

    private BpfException fail(BpfCmd cmd, int errno) {
        return new BpfException(cmd.uapiName(), errno, "map '" + spec.name() + "'");
    }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return "KernelMap[" + spec.name() + ", " + fd + "]"; }
}
