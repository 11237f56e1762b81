package org.bpf4j.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code key: value} lines of /proc/PID/fdinfo/FD: what the kernel says about a descriptor that
 * BPF_OBJ_GET_INFO_BY_FD does not (a map's or program's {@code memlock}, a map's {@code frozen}, the
 * {@code prog_id}/{@code map_id}/{@code link_id} behind a descriptor of another process).
 */
public final class FdInfo {
    private FdInfo() {}

    /** The fields of descriptor {@code fd} of process {@code pid}; empty when it is gone or we may not look. */
    public static Map<String, String> read(long pid, int fd) {
        return read(Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd)));
    }

    /** The fields of an fdinfo file; empty when it cannot be read (the descriptor closed meanwhile). */
    public static Map<String, String> read(Path fdinfo) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(fdinfo)) {
                int colon = line.indexOf(':');
                if (colon > 0) out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return Map.of();
        }
        return out;
    }

    /** One field of one of this process's descriptors. */
    public static Optional<String> self(Fd fd, String key) {
        return Optional.ofNullable(read(Path.of("/proc/self/fdinfo", Integer.toString(fd.value()))).get(key));
    }
}
