package org.bpf4j.sys;

import org.bpf4j.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before any kernel call, that this process may load BPF programs and open perf events. */
public final class Privileges {
    private Privileges() {}

    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    /** The effective capability set from /proc/self/status ({@code CapEff}), or 0 when it cannot be read. */
    public static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("CapEff:")) return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** True when the process has CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON. */
    public static boolean canTrace() {
        long caps = effectiveCapabilities();
        boolean admin = (caps & (1L << CAP_SYS_ADMIN)) != 0;
        boolean bpfAndPerfmon = (caps & (1L << CAP_BPF)) != 0 && (caps & (1L << CAP_PERFMON)) != 0;
        return admin || bpfAndPerfmon;
    }

    /** Throws a one-line {@link UserException} for {@code tool} when tracing is not allowed. */
    public static void requireTracing(String tool) {
        if (!canTrace())
            throw new UserException(tool + " needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run it as root, e.g. with sudo");
    }

    /** True when the process has CAP_SYS_ADMIN, which walking every BPF object id (GET_NEXT_ID) needs. */
    public static boolean isAdmin() {
        return (effectiveCapabilities() & (1L << CAP_SYS_ADMIN)) != 0;
    }

    /** Throws a one-line {@link UserException} for {@code command} when the process lacks CAP_SYS_ADMIN. */
    public static void requireBpf(String command) {
        if (!isAdmin())
            throw new UserException(command + " needs CAP_SYS_ADMIN to look at BPF objects: run it as root, e.g. with sudo");
    }
}
