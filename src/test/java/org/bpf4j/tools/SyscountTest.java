package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** syscount against children of the test's JVM whose system calls are known: dd's reads and writes, cat's ENOENT. */
@Tag("kernel")
class SyscountTest {
    private static final String ME = String.valueOf(ProcessHandle.current().pid());

    @BeforeEach
    void kernel() { Kernel.require(); }

    /** dd copying 3000 single bytes reads 3000 times and writes 3000 times, plus a few of its own. */
    private static void dd() throws Exception {
        Process p = new ProcessBuilder("dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=3000").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
    }

    private static long count(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(String.format("%-22s", name)) + " +(\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : fail("no " + name + " row in:\n" + out);
    }

    @Test
    void countsTheReadsAndWritesOfAChild() throws Exception {
        String out = ToolRun.run(new Syscount(), List.of("-c", ME), SyscountTest::dd, null);
        assertTrue(out.startsWith("Tracing syscalls, printing top 10... Ctrl+C to quit.\n"), out);
        assertTrue(out.matches("(?s).*\n\\[\\d\\d:\\d\\d:\\d\\d]\nSYSCALL                   COUNT\n.*"), out);
        assertTrue(out.endsWith("\nDetaching...\n"), out);
        // dd's own start-up reads a few files; its copy adds exactly 3000 of each
        long reads = count(out, "read"), writes = count(out, "write");
        assertTrue(reads >= 3000 && reads < 3100, out);
        assertTrue(writes >= 3000 && writes < 3100, out);
        assertTrue(out.lines().filter(l -> l.matches("\\S+ +\\d+")).count() <= 10, out);
    }

    @Test
    void latencyTopOneAndMilliseconds() throws Exception {
        String out = ToolRun.run(new Syscount(), List.of("-c", ME, "-L", "-m", "-T", "1", "--syscall", "write"), SyscountTest::dd, null);
        assertTrue(out.startsWith("Tracing syscall 'write'... Ctrl+C to quit.\n"), out);
        Matcher m = Pattern.compile("(?m)^SYSCALL                   COUNT        TIME \\(ms\\)\nwrite +(\\d+) +(\\d+\\.\\d{6})$").matcher(out);
        assertTrue(m.find(), out);
        long writes = Long.parseLong(m.group(1));
        assertTrue(writes >= 3000 && writes < 3100, out);
        assertTrue(Double.parseDouble(m.group(2)) > 0, out);
        assertFalse(out.contains("\nread "), "--syscall write counts only write:\n" + out);
    }

    @Test
    void failuresWithAnErrnoName() throws Exception {
        String missing = "/nonexistent-syscount-" + ME;
        String out = ToolRun.run(new Syscount(), List.of("-c", ME, "-x", "-e", "ENOENT"), () -> {
            for (int i = 0; i < 3; i++) {
                Process p = new ProcessBuilder("cat", missing).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                assertEquals(1, p.waitFor());
            }
        }, null);
        assertTrue(out.startsWith("Tracing failed syscalls, printing top 10... Ctrl+C to quit.\n"), out);
        assertTrue(count(out, "openat") >= 3, out);
        assertFalse(out.contains("\nwrite "), "cat's write of its message succeeds:\n" + out);
    }

    @Test
    void byProcessNamesTheProcess() throws Exception {
        String out = ToolRun.run(new Syscount(), List.of("-P", "-p", ME), () -> Thread.sleep(200), null);
        assertTrue(out.contains("\n" + String.format("%-22s %8s", "PID    COMM", "COUNT") + "\n"), out);
        // the process's name as the kernel has it ("java", unless a test before this one renamed the JVM)
        String comm = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + ME + "/comm")).strip();
        ToolRun.line(out, String.format("%-6s ", ME) + java.util.regex.Pattern.quote(comm) + " ".repeat(Math.max(0, 15 - comm.length())) + " +\\d+");
    }

    @Test
    void execRunsTheCommandOnceAttachedAndEndsWithIt() throws Exception {
        String out = ToolRun.run(new Syscount(), List.of("--exec", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=3000", "status=none"),
                () -> { }, text -> text.endsWith("Detaching...\n"));
        assertTrue(out.startsWith("Tracing syscalls, printing top 10... Ctrl+C to quit.\n"), out);
        assertTrue(out.endsWith("\nDetaching...\n"), "the command's exit ends the trace:\n" + out);
        // only the command's pid: the shell that became dd (its execve), then dd's 3000 single-byte copies
        long reads = count(out, "read"), writes = count(out, "write");
        assertTrue(reads >= 3000 && reads < 3100, out);
        assertTrue(writes >= 3000 && writes < 3100, out);
        assertTrue(count(out, "execve") >= 1, out);
    }

    @Test
    void execRefusesAPidAndAMissingCommand() throws Exception {
        Syscount s = new Syscount();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.PrintStream p = new java.io.PrintStream(b, true);
        assertEquals(1, s.run(s.args().parse(List.of("-p", "1", "--exec", "true")), p, () -> true));
        assertEquals(1, s.run(s.args().parse(List.of("--exec")), p, () -> true));
        assertEquals("ERROR: can only use -p or --exec. Exiting.\nERROR: --exec without command. Exiting.\n", b.toString());
        // argparse's REMAINDER: what follows --exec is the command's, options included
        assertEquals(List.of("ls", "-l", "-p", "/tmp"), s.args().parse(List.of("-L", "--exec", "ls", "-l", "-p", "/tmp")).rest("exec"));
    }

    @Test
    void aBadErrnoIsArgparsesError() {
        assertEquals(-1, Syscount.errno("EWHAT"));
        assertEquals(2, Syscount.errno("ENOENT"));
        assertEquals(13, Syscount.errno("-13"));
        assertEquals("openat", org.bpf4j.symbols.SyscallNames.name(257));
        assertEquals("[unknown: 9999]", org.bpf4j.symbols.SyscallNames.name(9999));
    }
}
