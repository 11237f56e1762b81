package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** exitsnoop and oomkill: a child's exit code and signal; an OOM kill inside a memory-limited cgroup. */
@Tag("kernel")
class ProcessToolsTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void exitsnoopShowsCodesAndSignals() throws Exception {
        long[] pids = new long[2];
        String out = ToolRun.run(new Exitsnoop(), List.of(), () -> {
            Process code = new ProcessBuilder("sh", "-c", "exit 3").start();
            pids[0] = code.pid();
            assertEquals(3, code.waitFor());
            Process killed = new ProcessBuilder("sleep", "30").start();
            pids[1] = killed.pid();
            killed.destroyForcibly().waitFor();
        }, text -> text.contains("SIGKILL"));
        assertTrue(out.startsWith("PCOMM            PID    PPID   TID    AGE(s)  EXIT_CODE \n"), out);
        long me = ProcessHandle.current().pid();
        ToolRun.line(out, String.format("sh +%-6d %-6d %-6d \\d+\\.\\d\\d +code 3", pids[0], me, pids[0]));
        ToolRun.line(out, String.format("sleep +%-6d %-6d %-6d \\d+\\.\\d\\d +signal 9 \\(SIGKILL\\)", pids[1], me, pids[1]));
    }

    @Test
    void oomkillSeesAKillInAMemoryLimitedCgroup() throws Exception {
        Path memory = Path.of("/sys/fs/cgroup/memory");
        Path group;
        String limitFile;
        if (Files.exists(memory.resolve("memory.limit_in_bytes"))) {
            group = memory.resolve("bpf4j-oom-" + System.nanoTime());
            limitFile = "memory.limit_in_bytes";
        } else {
            group = Path.of("/sys/fs/cgroup/bpf4j-oom-" + System.nanoTime());
            limitFile = "memory.max";
        }
        Files.createDirectory(group);
        try {
            Files.writeString(group.resolve(limitFile), String.valueOf(32 << 20));
            long[] hog = {0};
            String out = ToolRun.run(new Oomkill(), List.of(), () -> {
                // tail buffers a line that never ends: it grows until the cgroup's limit kills it
                Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + group.resolve("cgroup.procs") + " && exec tail /dev/zero")
                        .redirectErrorStream(true).start();
                hog[0] = p.pid();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the hog was not killed");
                assertEquals(137, p.exitValue(), "SIGKILL");
            }, text -> text.contains("OOM kill of PID"));
            assertTrue(out.startsWith("Tracing OOM kills... Ctrl-C to stop.\n"), out);
            ToolRun.line(out, "\\d\\d:\\d\\d:\\d\\d Triggered by PID " + hog[0] + " \\(\"tail\"\\), OOM kill of PID " + hog[0]
                    + " \\(\"tail\"\\), \\d+ pages, loadavg: [\\d.]+ [\\d.]+ [\\d.]+ \\d+/\\d+ \\d+");
        } finally {
            for (int i = 0; i < 50 && Files.exists(group); i++) {
                try {
                    Files.delete(group);
                } catch (java.io.IOException busy) {
                    Thread.sleep(100); // the killed task leaves the group a moment later
                }
            }
        }
    }
}
