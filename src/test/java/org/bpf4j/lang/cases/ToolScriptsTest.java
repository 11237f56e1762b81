package org.bpf4j.lang.cases;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpftrace's tool scripts (shared/bpftrace/tools), run unchanged through bpf4j trace: each attaches, sees the
 * event a small load makes (a kill, an exec, an open, a stat, a setuid, a sync, a name look-up, a nanosleep),
 * prints it in the tool's own columns, and exits cleanly on Ctrl-C. naptime follows kernel struct pointers
 * ({@code curtask->real_parent}, a syscall's {@code struct __kernel_timespec *}) through the kernel's BTF.
 */
@Tag("kernel")
class ToolScriptsTest {
    static final Path TOOLS = BpftraceCasesTest.SHARED.resolveSibling("tools");
    static Path bpftrace;
    @org.junit.jupiter.api.io.TempDir
    static Path tmp;

    @BeforeAll
    static void launcher() throws Exception {
        Kernel.require();
        Kernel.unless(Files.isDirectory(TOOLS) ? null : "no bpftrace tools at " + TOOLS);
        bpftrace = Launcher.create(tmp);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "killsnoop => kill -0 $$; echo $$ => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+(<PID>)\\s+\\S+\\s+0\\s+<PID>\\s+0$",
            "execsnoop => /bin/echo bpf4j-exec-marker => (?m)^\\d+\\s+\\d+\\s+/bin/echo bpf4j-exec-marker$",
            "opensnoop => cat /etc/hostname > /dev/null; echo $$ => (?m)^\\d+\\s+cat\\s+\\d+\\s+0 /etc/hostname$",
            "statsnoop => stat /etc/hostname > /dev/null => (?m)^\\d+\\s+stat\\s+0 /etc/hostname$",
            "syscount => true => (?s)Top 10 syscalls IDs:\\n@syscall\\[\\d+\\]: \\d+.*Top 10 processes:\\n@process\\[.+\\]: \\d+",
            "pidpersec => true; true; sleep 1.2 => (?m)^\\d\\d:\\d\\d:\\d\\d PIDs/sec: @: \\d+$",
            "setuids => python3 -c 'import os; os.setuid(0)' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+0\\s+setuid\\s+uid=0 \\(0\\)$",
            "syncsnoop => sync => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+sync\\s+tracepoint:syscalls:sys_enter_sync$",
            "cpuwalk => sleep 0.5 => (?m)^@cpu:\\n\\[\\d+, \\d+\\)\\s+\\d+ \\|@*\\s*\\|$",
            "gethostlatency => getent hosts localhost > /dev/null => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+getent\\s+\\d+ localhost$",
            "bashreadline => true => (?m)^TIME\\s+PID\\s+COMMAND$",
            // data queued on a connection the listener never accepted is dropped when the listener closes
            "tcpdrop => python3 -c 'import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); c = socket.create_connection(s.getsockname()); c.send(b\"x\" * 100); time.sleep(0.2); s.close()' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+127\\.0\\.0\\.1:\\d+\\s+127\\.0\\.0\\.1:\\d+\\s+[A-Z_0-9]+\\s*$",
            "runqlat => sleep 0.3 => (?m)^@usecs:\\n(\\[\\d+(, \\d+[KM]?\\))?\\]?\\s+\\d+ \\|@*\\s*\\|\\n)+",
            "naptime => python3 -c 'import ctypes; t = (ctypes.c_long * 2)(0, 100000000); ctypes.CDLL(None).syscall(35, t, None)' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+\\S+\\s+\\d+\\s+python3\\s+0\\.100$",
    })
    void toolRunsUnchangedAndShowsTheEvent(String tool, String load, String expect) throws Exception {
        runUnderLoad(bpftrace, TOOLS.resolve(tool + ".bt"), load, expect);
    }

    /**
     * Runs {@code script} with the {@code bpftrace} launcher, starts {@code load} (bash) once it has attached, and
     * asserts that the output matches {@code expect} ({@code <PID>} is the load's last output line) and that Ctrl-C
     * ends it cleanly without an ERROR.
     */
    static void runUnderLoad(Path bpftrace, Path script, String load, String expect) throws Exception {
        String tool = script.getFileName().toString();
        ProcessBuilder pb = new ProcessBuilder(bpftrace.toString(), script.toString()).redirectErrorStream(true);
        pb.environment().put("__BPFTRACE_NOTIFY_PROBES_ATTACHED", "1");
        Process p = pb.start();
        StringBuffer out = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] b = new byte[4096];
                for (int n; (n = in.read(b)) > 0; ) out.append(new String(b, 0, n, StandardCharsets.UTF_8));
            } catch (Exception ignored) {
                // ended
            }
        });
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (out.indexOf("__BPFTRACE_NOTIFY_PROBES_ATTACHED") < 0 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(out.indexOf("__BPFTRACE_NOTIFY_PROBES_ATTACHED") >= 0, tool + " did not attach:\n" + out);
            Process loader = new ProcessBuilder("/bin/bash", "-c", load).redirectErrorStream(true).start();
            String loadOut = new String(loader.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(loader.waitFor(20, TimeUnit.SECONDS));
            String pattern = expect.replace("<PID>", loadOut.isEmpty() ? "\\d+" : Pattern.quote(loadOut.lines().reduce((a, b) -> b).orElse("")));
            Pattern want = Pattern.compile(pattern);
            // events come as the load makes them; tools that print at exit (syscount, cpuwalk) match after Ctrl-C
            for (long until = System.nanoTime() + 5_000_000_000L; System.nanoTime() < until && !want.matcher(out).find(); ) Thread.sleep(50);
            Thread.sleep(200);
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), tool + " did not stop on SIGINT");
            reader.join(5000);
            assertEquals(0, p.exitValue(), out.toString());
            assertTrue(Pattern.compile(pattern).matcher(out).find(), tool + ": no match for " + pattern + " in:\n" + out);
            assertFalse(out.toString().contains("ERROR"), out.toString());
        } finally {
            p.destroyForcibly();
        }
    }
}
