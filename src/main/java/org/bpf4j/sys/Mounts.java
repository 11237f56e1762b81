package org.bpf4j.sys;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The kernel file systems bpf4j needs (tracefs, bpffs): where they are mounted, and mounting one when root. */
public final class Mounts {
    private Mounts() {}

    /** The mount points of file systems of type {@code fstype}, from /proc/mounts. */
    public static List<Path> of(String fstype) {
        List<Path> out = new ArrayList<>();
        try (Stream<String> lines = Files.lines(Path.of("/proc/mounts"))) {
            lines.map(l -> l.split(" ")).filter(f -> f.length > 2 && f[2].equals(fstype)).forEach(f -> out.add(Path.of(f[1])));
        } catch (IOException e) {
            throw new UserException("cannot read /proc/mounts: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * debugfs at /sys/kernel/debug, where people read the trace pipe that {@code debugf()} writes to
     * ({@code /sys/kernel/debug/tracing/trace_pipe}): mounted when it is not and this process is root; otherwise,
     * or when the mount fails, nothing (the pipe is also in tracefs).
     */
    public static void debugfs() {
        Path at = Path.of("/sys/kernel/debug");
        if (!of("debugfs").isEmpty() || !Files.isDirectory(at) || Native.geteuid() != 0) return;
        try {
            Syscalls.mount("debugfs", at.toString(), "debugfs");
        } catch (BpfException e) {
            // best effort: tracefs has the same pipe
        }
    }

    /**
     * Mounts {@code fstype} from {@code source} at {@code target}; a one-line {@link UserException} naming
     * {@code what} when this process is not root or the mount fails.
     */
    public static void mount(String source, Path target, String fstype, String what) {
        if (Native.geteuid() != 0)
            throw new UserException(what + " is not mounted and mounting it needs root: run as root, or 'mount -t "
                    + fstype + " " + source + " " + target + "'");
        try {
            Syscalls.mount(source, target.toString(), fstype);
        } catch (BpfException e) {
            throw new UserException("cannot mount " + what + " at " + target + ": " + e.getMessage(), e);
        }
    }
}
