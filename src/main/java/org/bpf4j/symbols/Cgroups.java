package org.bpf4j.symbols;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Cgroup v2 ids as paths: a cgroup's id ({@code bpf_get_current_cgroup_id()}) is its directory's inode number. */
public final class Cgroups {
    private Cgroups() {}

    /** Where cgroup v2 is mounted. */
    public static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The directory under {@link #ROOT} whose inode is {@code id}, found by walking the hierarchy. */
    public static Optional<Path> path(long id) {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(Files::isDirectory).filter(d -> {
                try {
                    return ((Number) Files.getAttribute(d, "unix:ino")).longValue() == id;
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
