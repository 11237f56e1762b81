package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bashreadline sees a command typed into an interactive bash on a pseudo-terminal (script(1) provides it). */
@Tag("kernel")
class BashreadlineTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void seesATypedCommand() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) (util-linux) gives bash a terminal: not installed");
        String marker = "echo bpf4j-" + System.nanoTime();
        String out = ToolRun.run(new Bashreadline(), List.of(), () -> {
            Process p = new ProcessBuilder("sh", "-c", "printf '" + marker + "\\nexit\\n' | script -qec 'bash --norc --noprofile -i' /dev/null")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
        }, text -> text.contains(marker));
        assertTrue(out.startsWith("TIME      PID     COMMAND\n"), out);
        ToolRun.line(out, "\\d\\d:\\d\\d:\\d\\d  \\d+ +" + marker);
    }
}
