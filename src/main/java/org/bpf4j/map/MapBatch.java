package org.bpf4j.map;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The batch commands (kernel 5.6+) for {@link KernelMap}: BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
 * BPF_MAP_UPDATE_BATCH and BPF_MAP_DELETE_BATCH, each falling back to one call per key on a kernel or a map type
 * without them.
 */
final class MapBatch {
    private MapBatch() {}

    // union bpf_attr .batch: in_batch @0, out_batch @8, keys @16, values @24, count @32, map_fd @36, elem_flags @40,
    // flags @48. Offsets checked against the UAPI header.
    private static final int SIZE = 56, IN_BATCH = 0, OUT_BATCH = 8, KEYS = 16, VALUES = 24, COUNT = 32, MAP_FD = 36,
            ELEM_FLAGS = 40;
    private static final int CHUNK = 256;

    /** Which commands this kernel refused for which map type: [type][0 lookup, 1 lookup-and-delete, 2 update, 3 delete]. */
    private static final boolean[][] missing = new boolean[64][4];

    private static boolean unsupported(int errno) {
        return errno == Errno.EINVAL || errno == Errno.ENOTSUPP || errno == Errno.EOPNOTSUPP;
    }

    private static boolean known(KernelMap m, int op) {
        int t = m.spec().type().value();
        return t >= missing.length || !missing[t][op];
    }

    private static void remember(KernelMap m, int op) {
        int t = m.spec().type().value();
        if (t < missing.length) missing[t][op] = true;
    }

    static List<BpfMap.Entry> lookup(KernelMap m, boolean delete) {
        int op = delete ? 1 : 0;
        if (known(m, op)) {
            List<BpfMap.Entry> out = batchLookup(m, delete);
            if (out != null) return out;
            remember(m, op);
        }
        return delete ? perKeyLookupAndDelete(m) : m.entries();
    }

    private static List<BpfMap.Entry> perKeyLookupAndDelete(KernelMap m) {
        List<BpfMap.Entry> out = new ArrayList<>();
        for (BpfMap.Entry e : m.entries()) if (m.delete(e.key())) out.add(e);
        return out;
    }

    /** The whole map in chunks, or null when the kernel refuses the command before returning anything. */
    private static List<BpfMap.Entry> batchLookup(KernelMap m, boolean delete) {
        BpfCmd cmd = delete ? BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH : BpfCmd.MAP_LOOKUP_BATCH;
        int keySize = m.spec().keySize(), valueSize = m.valueBytes();
        List<BpfMap.Entry> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) Math.max(1, keySize) * CHUNK, 8);
            MemorySegment values = arena.allocate((long) Math.max(1, valueSize) * CHUNK, 8);
            // the batch token is opaque: a key for arrays, a bucket index for hashes; a key's size (at least 8) holds either
            MemorySegment in = arena.allocate(Math.max(8, keySize), 8), outToken = arena.allocate(Math.max(8, keySize), 8);
            MemorySegment attr = arena.allocate(SIZE, 8);
            boolean first = true;
            while (true) {
                attr.fill((byte) 0);
                attr.set(JAVA_LONG, IN_BATCH, first ? 0 : in.address());
                attr.set(JAVA_LONG, OUT_BATCH, outToken.address());
                attr.set(JAVA_LONG, KEYS, keys.address());
                attr.set(JAVA_LONG, VALUES, values.address());
                attr.set(JAVA_INT, COUNT, CHUNK);
                attr.set(JAVA_INT, MAP_FD, m.fd().value());
                int r = Syscalls.bpfOrErrno(cmd, attr);
                int count = attr.get(JAVA_INT, COUNT);
                if (r < 0 && -r != Errno.ENOENT) {
                    if (first && out.isEmpty() && unsupported(-r)) return null;
                    throw m.fail(cmd, -r);
                }
                for (int i = 0; i < count; i++)
                    out.add(new BpfMap.Entry(keys.asSlice((long) i * keySize, keySize).toArray(JAVA_BYTE),
                            values.asSlice((long) i * valueSize, valueSize).toArray(JAVA_BYTE)));
                if (r < 0) return out; // ENOENT: that was the last chunk
                MemorySegment.copy(outToken, 0, in, 0, in.byteSize());
                first = false;
            }
        }
    }

    static void update(KernelMap m, List<BpfMap.Entry> entries, BpfMap.UpdateFlag flags) {
        if (entries.isEmpty()) return;
        if (known(m, 2)) {
            int keySize = m.spec().keySize(), valueSize = m.valueBytes();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment keys = arena.allocate((long) Math.max(1, keySize) * entries.size(), 8);
                MemorySegment values = arena.allocate((long) Math.max(1, valueSize) * entries.size(), 8);
                for (int i = 0; i < entries.size(); i++) {
                    BpfMap.Entry e = entries.get(i);
                    m.checkKey(e.key());
                    if (e.value().length != valueSize)
                        throw new IllegalArgumentException("map " + m.spec().name() + ": value is " + e.value().length
                                + " bytes, expected " + valueSize);
                    MemorySegment.copy(e.key(), 0, keys, JAVA_BYTE, (long) i * keySize, keySize);
                    MemorySegment.copy(e.value(), 0, values, JAVA_BYTE, (long) i * valueSize, valueSize);
                }
                MemorySegment attr = batchAttr(arena, m, keys, values, entries.size(), flags.value());
                int r = Syscalls.bpfOrErrno(BpfCmd.MAP_UPDATE_BATCH, attr);
                if (r >= 0) return;
                if (!unsupported(-r) || attr.get(JAVA_INT, COUNT) != 0) throw m.fail(BpfCmd.MAP_UPDATE_BATCH, -r);
                remember(m, 2);
            }
        }
        for (BpfMap.Entry e : entries) m.update(e.key(), e.value(), flags);
    }

    static int delete(KernelMap m, List<byte[]> keysToDelete) {
        if (keysToDelete.isEmpty()) return 0;
        if (known(m, 3)) {
            int keySize = m.spec().keySize();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment keys = arena.allocate((long) Math.max(1, keySize) * keysToDelete.size(), 8);
                for (int i = 0; i < keysToDelete.size(); i++) {
                    m.checkKey(keysToDelete.get(i));
                    MemorySegment.copy(keysToDelete.get(i), 0, keys, JAVA_BYTE, (long) i * keySize, keySize);
                }
                MemorySegment attr = batchAttr(arena, m, keys, MemorySegment.NULL, keysToDelete.size(), 0);
                int r = Syscalls.bpfOrErrno(BpfCmd.MAP_DELETE_BATCH, attr);
                int done = attr.get(JAVA_INT, COUNT);
                if (r >= 0) return done;
                if (-r == Errno.ENOENT) { // stops at the first missing key: delete the rest one by one
                    int n = done;
                    for (int i = done + 1; i < keysToDelete.size(); i++) if (m.delete(keysToDelete.get(i))) n++;
                    return n;
                }
                if (!unsupported(-r) || done != 0) throw m.fail(BpfCmd.MAP_DELETE_BATCH, -r);
                remember(m, 3);
            }
        }
        int n = 0;
        for (byte[] k : keysToDelete) if (m.delete(k)) n++;
        return n;
    }

    private static MemorySegment batchAttr(Arena arena, KernelMap m, MemorySegment keys, MemorySegment values, int count,
                                           long elemFlags) {
        MemorySegment attr = arena.allocate(SIZE, 8);
        attr.set(JAVA_LONG, KEYS, keys.address());
        attr.set(JAVA_LONG, VALUES, values.address());
        attr.set(JAVA_INT, COUNT, count);
        attr.set(JAVA_INT, MAP_FD, m.fd().value());
        attr.set(JAVA_LONG, ELEM_FLAGS, elemFlags);
        return attr;
    }

    /** True when the batch form of {@code op} (0 lookup, 1 lookup-and-delete, 2 update, 3 delete) was refused for maps of this type. */
    static boolean fellBack(MapType type, int op) {
        return type.value() < missing.length && missing[type.value()][op];
    }
}
