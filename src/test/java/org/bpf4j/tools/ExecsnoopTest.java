package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** execsnoop sees this JVM's exec of a program with unique arguments: argv, its PID, our PID as PPID, result 0. */
@Tag("kernel")
class ExecsnoopTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void seesOwnExecWithArgvPpidAndResult() throws Exception {
        String marker = "marker-" + System.nanoTime();
        long[] child = {0};
        String out = ToolRun.run(new Execsnoop(), List.of(), () -> {
            Process p = new ProcessBuilder("/bin/echo", marker, "two words").start();
            child[0] = p.pid();
            assertEquals(0, p.waitFor());
        }, text -> text.contains(marker));
        assertTrue(out.startsWith("PCOMM            PID     PPID    RET ARGS\n"), out);
        String row = ToolRun.line(out, ".* " + marker + " two words$");
        assertEquals(String.format("%-16s %-7d %-7d %3d %s", "echo", child[0], ProcessHandle.current().pid(), 0,
                "/bin/echo " + marker + " two words"), row);
    }

    @Test
    void failedExecShownWithXAndItsErrno() throws Exception {
        String missing = "/nonexistent-" + System.nanoTime();
        String out = ToolRun.run(new Execsnoop(), List.of("-x", "-q"), () -> {
            assertThrows(java.io.IOException.class, () -> new ProcessBuilder(missing, "arg").start());
        }, text -> text.contains(missing));
        String row = ToolRun.line(out, ".*\"" + missing + "\" \"arg\"$");
        assertTrue(row.matches("\\S+ +\\d+ +" + ProcessHandle.current().pid() + " +-2 .*"), row);
    }
}
