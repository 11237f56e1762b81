package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** opensnoop sees this JVM's own opens of unique paths: the fd it got, and ERR for a missing file. */
@Tag("kernel")
class OpensnoopTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void seesOwnOpenWithItsFdAndAFailedOne() throws Exception {
        Path dir = Files.createTempDirectory("opensnoop");
        Path file = Files.writeString(dir.resolve("present-" + System.nanoTime()), "x");
        Path missing = dir.resolve("missing-" + System.nanoTime());
        long pid = ProcessHandle.current().pid();
        int[] fd = {-1};
        String out = ToolRun.run(new Opensnoop(), List.of("-p", String.valueOf(pid)), () -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                fd[0] = fdOf(file);
            }
            assertThrows(java.io.FileNotFoundException.class, () -> new RandomAccessFile(missing.toFile(), "r"));
        }, text -> text.contains(missing.toString()));
        String[] lines = out.split("\n");
        assertEquals("PID    COMM               FD ERR PATH", lines[0]);
        String ok = ToolRun.line(out, ".* " + file + "$");
        assertEquals(String.format("%-6d %-16s %4d %3d %s", pid, ok.substring(7, 23).strip(), fd[0], 0, file), ok);
        String bad = ToolRun.line(out, ".* " + missing + "$");
        assertTrue(bad.matches(pid + " +\\S.* +-1 +2 " + missing), bad); // ENOENT
        Files.delete(file);
        Files.delete(dir);
    }

    @Test
    void timestampsAndFailedOnly() throws Exception {
        Path missing = Path.of("/tmp/opensnoop-missing-" + System.nanoTime());
        String out = ToolRun.run(new Opensnoop(), List.of("-T", "-x", "-p", String.valueOf(ProcessHandle.current().pid())),
                () -> assertThrows(java.io.FileNotFoundException.class, () -> new java.io.FileInputStream(missing.toFile())),
                text -> text.contains(missing.toString()));
        ToolRun.line(out, "\\d+\\.\\d{9} +" + ProcessHandle.current().pid() + " +\\S.* +-1 +2 " + missing);
        assertTrue(out.startsWith("TIME(s)       PID    COMM               FD ERR PATH\n"), out);
        for (String l : out.split("\n")) {
            if (l.startsWith("TIME")) continue;
            assertTrue(l.matches("\\d+\\.\\d{9} +\\d+ +\\S.* +-1 +\\d+ .*"), "-x shows failed opens only: " + l);
        }
    }

    /** The descriptor this JVM has open on {@code file}, from /proc/self/fd. */
    private static int fdOf(Path file) throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).equals(file)) return Integer.parseInt(p.getFileName().toString());
                } catch (java.io.IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        return fail("no descriptor open on " + file);
    }
}
