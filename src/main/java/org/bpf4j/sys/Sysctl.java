package org.bpf4j.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Kernel settings under {@code /proc/sys}. They are read as a stream to its end: an integer sysctl answers a read
 * sized by the file's length (0 in procfs) with one byte, and nothing at the offsets after it, so
 * {@code Files.readString} gets "1" of "127".
 */
public final class Sysctl {
    private Sysctl() {}

    /** The setting at {@code /proc/sys/PATH} ({@code kernel/perf_event_max_stack}), stripped; empty when unreadable. */
    public static Optional<String> read(String path) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys", path))) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The setting as a number, or {@code otherwise} when it cannot be read or is not one. */
    public static long number(String path, long otherwise) {
        try {
            return read(path).map(Long::parseLong).orElse(otherwise);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
