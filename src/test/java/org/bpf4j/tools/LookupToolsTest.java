package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** statsnoop: stat(1) of a present and a missing unique path; gethostlatency: getent's getaddrinfo of a unique name. */
@Tag("kernel")
class LookupToolsTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    private static long run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        return p.pid();
    }

    @Test
    void statsnoopSeesStatOfPresentAndMissingPaths() throws Exception {
        Path file = Files.createTempFile("statsnoop", "");
        Path missing = Path.of(file + "-missing");
        long[] pids = new long[2];
        try {
            String out = ToolRun.run(new Statsnoop(), List.of(), () -> {
                pids[0] = run("stat", file.toString());
                pids[1] = run("stat", missing.toString());
            }, text -> text.contains(missing.toString()));
            assertTrue(out.startsWith("PID    COMM               FD ERR PATH\n"), out);
            ToolRun.line(out, pids[0] + " +stat +0 +0 " + file);
            ToolRun.line(out, pids[1] + " +stat +-1 +2 " + missing);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void gethostlatencySeesGetaddrinfo() throws Exception {
        String host = "bpf4j-" + System.nanoTime() + ".invalid";
        long[] pid = {0};
        String out = ToolRun.run(new Gethostlatency(), List.of(), () -> pid[0] = run("getent", "ahosts", host),
                text -> text.contains(host));
        assertTrue(out.startsWith("TIME      PID     COMM                  LATms HOST\n"), out);
        ToolRun.line(out, "\\d\\d:\\d\\d:\\d\\d  " + String.format("%-7d", pid[0]) + " getent +\\d+\\.\\d\\d " + host);
    }
}
