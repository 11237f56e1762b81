package org.bpf4j.jvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a JVM's perf map is and how bpf4j takes its own: the file is {@code /tmp/perf-PID.map} as the JVM sees it,
 * so for a JVM in its own pid and mount namespaces it is {@code /proc/PID/root/tmp/perf-NSPID.map} here, NSPID being
 * its pid inside. bpf4j's snapshot goes through the attach API ({@code Compiler.perfmap} to a file of its own,
 * read and deleted at once), so nothing is loaded into the target and nothing is left in its /tmp.
 */
public final class PerfMaps {
    private PerfMaps() {}

    /** The pid of {@code pid} in its own (innermost) pid namespace: the last of {@code NSpid}, or {@code pid}. */
    public static int namespacePid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (!line.startsWith("NSpid:")) continue;
                String[] f = line.substring(6).trim().split("\\s+");
                return Integer.parseInt(f[f.length - 1]);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or a kernel without NSpid: the pid is the pid
        }
        return pid;
    }

    /** {@code path} (absolute, as process {@code pid} sees it) seen from here, through the process's root. */
    public static Path inRoot(int pid, String path) {
        return Path.of("/proc", Integer.toString(pid), "root").resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** The perf map an agent of process {@code pid} would write, seen from here. */
    public static Path agentMap(int pid) {
        return inRoot(pid, "/tmp/perf-" + namespacePid(pid) + ".map");
    }

    /** True when process {@code pid} maps HotSpot's {@code libjvm.so}. */
    public static boolean isHotSpot(int pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "maps"));
            for (String l : lines) if (l.endsWith("/libjvm.so")) return true;
        } catch (IOException | RuntimeException e) {
            // gone or unreadable
        }
        return false;
    }

    /**
     * The code in JVM {@code pid} now: an agent's perf map first when there is one, then the JVM's own dump over it
     * (newer). Throws {@link JvmException} when the JVM cannot be asked; the agent's map, if any, is then in
     * {@code into} already.
     */
    public static void snapshot(int pid, CodeMap into) {
        Path agent = agentMap(pid);
        if (Files.isRegularFile(agent)) into.readPerfMap(agent);
        String inside = "/tmp/bpf4j-perfmap-" + namespacePid(pid) + "-" + System.nanoTime() + ".map";
        Path here = inRoot(pid, inside);
        try (JvmAttach vm = JvmAttach.attach(pid)) {
            vm.jcmd("Compiler.perfmap " + inside);
            if (!into.readPerfMap(here))
                throw new JvmException(JvmException.Reason.COMMAND_FAILED, pid, "JVM " + pid + " wrote no perf map at " + inside, null);
        } finally {
            try {
                Files.deleteIfExists(here);
            } catch (IOException e) {
                // its /tmp is not ours to clean further
            }
        }
    }
}
