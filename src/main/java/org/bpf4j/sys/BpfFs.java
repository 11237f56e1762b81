package org.bpf4j.sys;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The BPF file system, where maps, programs and links are pinned to outlive the process that made them
 * (BPF_OBJ_PIN) and opened again by path (BPF_OBJ_GET). Mounted at /sys/fs/bpf when it is not mounted and we are root.
 */
public final class BpfFs {
    /** Where bpffs is mounted when bpf4j mounts it. */
    public static final Path DEFAULT = Path.of("/sys/fs/bpf");
    /** {@code file_flags} of BPF_OBJ_GET. */
    public static final int F_RDONLY = 1 << 3, F_WRONLY = 1 << 4;
    // union bpf_attr for BPF_OBJ_PIN / BPF_OBJ_GET: pathname @0, bpf_fd @8, file_flags @12.
    private static final int SIZE = 16, PATHNAME = 0, BPF_FD = 8, FILE_FLAGS = 12;

    private BpfFs() {}

    /** Every bpffs mount point, from /proc/mounts. */
    public static List<Path> mounts() { return Mounts.of("bpf"); }

    /** A bpffs mount point, mounting one at {@link #DEFAULT} when there is none. */
    public static Path ensureMounted() {
        List<Path> mounts = mounts();
        if (!mounts.isEmpty()) return mounts.contains(DEFAULT) ? DEFAULT : mounts.getFirst();
        Mounts.mount("bpf", DEFAULT, "bpf", "the BPF file system");
        return DEFAULT;
    }

    /** Pins the object behind {@code fd} at {@code path}, which must be on bpffs (mounted first when needed). */
    public static void pin(Fd fd, Path path, String what) {
        Path abs = path.toAbsolutePath().normalize();
        ensureMounted();
        if (mounts().stream().noneMatch(abs::startsWith))
            throw new UserException("cannot pin " + what + " at " + abs + ": not on a BPF file system (mounted at "
                    + mounts() + ")");
        try {
            call(BpfCmd.OBJ_PIN, abs, fd.value(), 0);
        } catch (BpfException e) {
            if (e.errno() == Errno.EEXIST) throw new UserException("cannot pin " + what + " at " + abs + ": the path exists", e);
            if (e.errno() == Errno.ENOENT) throw new UserException("cannot pin " + what + " at " + abs + ": no such directory", e);
            throw new BpfException("pinning " + what + " at " + abs, e);
        }
    }

    /** Opens the object pinned at {@code path} (BPF_OBJ_GET); {@code flags} 0 or {@link #F_RDONLY}/{@link #F_WRONLY}. */
    public static Fd get(Path path, int flags) {
        Path abs = path.toAbsolutePath().normalize();
        try {
            return getRaw(abs, flags);
        } catch (BpfException e) {
            if (e.errno() == Errno.ENOENT) throw new UserException("nothing pinned at " + abs, e);
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.EPERM)
                throw new UserException(abs + " is not a pinned BPF object (" + e.getMessage() + ")", e);
            throw e;
        }
    }

    /** BPF_OBJ_GET of {@code path}, failing with a {@link BpfException} that keeps the errno. */
    static Fd getRaw(Path path, int flags) {
        try {
            return new Fd(call(BpfCmd.OBJ_GET, path, 0, flags));
        } catch (BpfException e) {
            throw new BpfException("pinned " + path, e);
        }
    }

    /** Removes a pin; the object lives on while something else holds it. False when nothing was pinned there. */
    public static boolean unpin(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UserException("cannot unpin " + path + ": " + e.getMessage(), e);
        }
    }

    private static int call(BpfCmd cmd, Path path, int fd, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            attr.set(JAVA_LONG, PATHNAME, arena.allocateFrom(path.toString()).address());
            attr.set(JAVA_INT, BPF_FD, fd);
            attr.set(JAVA_INT, FILE_FLAGS, flags);
            return Syscalls.bpf(cmd, attr);
        }
    }
}
