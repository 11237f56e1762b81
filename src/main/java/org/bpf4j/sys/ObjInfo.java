package org.bpf4j.sys;

import org.bpf4j.BpfException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** BPF_OBJ_GET_INFO_BY_FD and the id iteration commands, shared by maps, programs and links. */
public final class ObjInfo {
    private ObjInfo() {}

    // union bpf_attr .info: bpf_fd @0, info_len @4, info @8.
    private static final int INFO_ATTR_SIZE = 16;

    /** Fills a zeroed {@code size}-byte info struct for {@code fd}; {@code what} names the object in errors. */
    public static MemorySegment get(Arena arena, int fd, int size, String what) {
        MemorySegment info = arena.allocate(size, 8);
        return get(arena, fd, info, what);
    }

    /** Fills {@code info} (already set up, e.g. with buffer pointers) for {@code fd}. */
    public static MemorySegment get(Arena arena, int fd, MemorySegment info, String what) {
        MemorySegment attr = arena.allocate(INFO_ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd);
        attr.set(JAVA_INT, 4, (int) info.byteSize());
        attr.set(JAVA_LONG, 8, info.address());
        try {
            Syscalls.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
        } catch (BpfException e) {
            throw new BpfException(what + " info", e);
        }
        return info;
    }

    /** A NUL-terminated name of at most 16 bytes at {@code offset}. */
    public static String name(MemorySegment info, int offset) {
        byte[] b = info.asSlice(offset, 16).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /**
     * The id after {@code startId} for a GET_NEXT_ID command ({@code BPF_PROG_GET_NEXT_ID} etc.), or -1 at the end.
     */
    public static int nextId(BpfCmd cmd, int startId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(JAVA_INT, 0, startId);
            int r = Syscalls.bpfOrErrno(cmd, attr);
            if (r == -Errno.ENOENT) return -1;
            if (r < 0) throw new BpfException(cmd.uapiName(), -r);
            return attr.get(JAVA_INT, 4);
        }
    }

    /** A descriptor for the object with {@code id} ({@code BPF_PROG_GET_FD_BY_ID} etc.). */
    public static Fd fdById(BpfCmd cmd, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(JAVA_INT, 0, id);
            return new Fd(Syscalls.bpf(cmd, attr));
        } catch (BpfException e) {
            throw new BpfException("id " + id, e);
        }
    }

    /** A descriptor for the object pinned at {@code path} on a bpffs (BPF_OBJ_GET); a BpfException keeps the errno. */
    public static Fd fdByPath(String path) {
        return BpfFs.getRaw(java.nio.file.Path.of(path), 0);
    }
}
