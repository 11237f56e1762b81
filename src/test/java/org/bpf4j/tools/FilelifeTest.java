package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** filelife sees the test's own file created, kept about 300 ms and deleted. */
@Tag("kernel")
class FilelifeTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void seesOwnShortLivedFile() throws Exception {
        Path file = Path.of("/tmp/bpf4j-filelife-" + System.nanoTime());
        String out = ToolRun.run(new Filelife(), List.of("-p", String.valueOf(ProcessHandle.current().pid())), () -> {
            Files.writeString(file, "short-lived");
            Thread.sleep(300);
            Files.delete(file);
        }, text -> text.contains(file.getFileName().toString()));
        assertTrue(out.startsWith("TIME     PID     COMM             AGE(s)  FILE\n"), out);
        String row = ToolRun.line(out, ".* " + file.getFileName() + "$");
        assertTrue(row.matches("\\d\\d:\\d\\d:\\d\\d " + String.format("%-7d", ProcessHandle.current().pid()) + " \\S+ +0\\.[3-9]\\d +"
                + file.getFileName()), row);
    }
}
