package org.bpf4j.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A known workload for the exporter's tests: processes named {@value #COMM} (python3 run through a link of that
 * name, so the kernel's comm is it) each calling getppid(2) a given number of times.
 */
final class Workload implements AutoCloseable {
    /** The comm the scripts filter on. */
    static final String COMM = "ppidload";

    private final Path dir;
    private final Path exe;

    Workload() throws IOException {
        dir = Files.createTempDirectory("bpf4j-exporter-workload");
        exe = dir.resolve(COMM);
        Files.createSymbolicLink(exe, Path.of("/usr/bin/python3").toRealPath());
    }

    /** Runs {@code processes} processes one after the other, each calling getppid {@code calls} times. */
    void run(int processes, int calls) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            Process p = new ProcessBuilder(exe.toString(), "-S", "-c", "import os\nfor _ in range(" + calls + "): os.getppid()")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("workload did not finish");
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) throw new AssertionError("workload failed: " + out);
            ps.add(p);
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(exe);
        Files.deleteIfExists(dir);
    }
}
