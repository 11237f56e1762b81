package org.bpf4j.cli;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The command line as a user runs it: a separate JVM, stdout lines, SIGTERM, exit status. */
class KillsnoopCommandTest {
    static final Pattern ROW = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d  (\\d+) +(\\S+) +(\\d+) +(-?\\d+) +(-?\\d+)$");

    /** A JVM running bpf4j's main class with this test's class path. */
    static Process bpf4j(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        java.io.File err = java.io.File.createTempFile("bpf4j-test", ".err");
        err.deleteOnExit();
        Process p = new ProcessBuilder(cmd).redirectError(err).start();
        ERR.put(p, err);
        return p;
    }

    static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) q.add(l);
            } catch (Exception ignored) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    @Test
    @Tag("kernel")
    void printsTheKillWithinASecondAndCleansUpOnSigterm() throws Exception {
        Kernel.require();
        Process p = bpf4j("killsnoop");
        try {
            BlockingQueue<String> out = lines(p);
            String header = out.poll(30, TimeUnit.SECONDS);
            assertEquals("TIME      PID    COMM             SIG  TPID   RESULT", header, stderr(p));
            Process sender = new ProcessBuilder("/bin/sh", "-c", "kill -0 $$").start();
            assertEquals(0, sender.waitFor());
            long sent = System.nanoTime();
            String row = null;
            for (String l; (l = out.poll(1, TimeUnit.SECONDS)) != null; ) {
                var m = ROW.matcher(l);
                assertTrue(m.matches(), "row layout: '" + l + "'");
                if (Long.parseLong(m.group(1)) == sender.pid()) { row = l; break; }
            }
            assertNotNull(row, "no row for pid " + sender.pid());
            assertTrue(System.nanoTime() - sent < 1_000_000_000L, "row arrived after more than a second");
            var m = ROW.matcher(row);
            assertTrue(m.matches());
            assertEquals(List.of("sh", "0", String.valueOf(sender.pid()), "0"), List.of(m.group(2), m.group(3), m.group(4), m.group(5)));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "killsnoop did not exit on SIGTERM");
            assertEquals(0, p.exitValue(), stderr(p));
        } finally {
            p.destroyForcibly();
        }
        // LeakCheck (registered for every class) fails this class if the child left a program or map behind.
    }

    @Test
    void badOptionGetsArgparsesUsageAndError() throws Exception {
        Process p = bpf4j("killsnoop", "-p", "abc");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        String err = stderr(p);
        // BCC's killsnoop is a Python argparse program: its usage line, then the error, exit status 2
        assertEquals("usage: killsnoop [-h] [-x] [-p PID] [-s SIGNAL] [--kprobe]\nkillsnoop: error: argument -p/--pid: invalid int value: 'abc'", err.strip());
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void withoutPrivilegesItSaysWhatIsMissing() throws Exception {
        // setpriv drops every capability but keeps uid 0, which is what a non-root user looks like to bpf(2).
        Kernel.unless(new java.io.File("/usr/bin/setpriv").canExecute() ? null : "no setpriv");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all",
                ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "killsnoop"));
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = stderr(p);
        assertEquals(1, p.exitValue(), err);
        assertEquals("bpf4j: killsnoop needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run it as root, e.g. with sudo", err.strip());
    }

    private static final java.util.Map<Process, java.io.File> ERR = new java.util.concurrent.ConcurrentHashMap<>();

    /** What the process wrote to stderr so far. */
    static String stderr(Process p) throws Exception {
        java.io.File f = ERR.get(p);
        if (f == null) return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return java.nio.file.Files.readString(f.toPath());
    }
}
