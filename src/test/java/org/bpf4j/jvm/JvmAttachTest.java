package org.bpf4j.jvm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Attaches to a JVM this test starts with known flags and checks what the JDK's attach API reports. */
class JvmAttachTest {
    private static Process target;

    @BeforeAll
    static void start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a JVM that waits on stdin, with one DTrace flag on and another off
        target = new ProcessBuilder(java, "-XX:+DTraceMethodProbes", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), Idle.class.getName())
                .redirectErrorStream(true).start();
        assertEquals('r', target.getInputStream().read(), "target JVM did not start");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        target.destroy();
        target.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void readsFlagsAsSet() {
        try (JvmAttach jvm = JvmAttach.attach((int) target.pid())) {
            assertTrue(jvm.flagOn("DTraceMethodProbes"));
            assertFalse(jvm.flagOn("DTraceAllocProbes"));
            assertEquals("67108864", jvm.flag("MaxHeapSize").orElseThrow());
            assertTrue(jvm.flag("ExtendedDTraceProbes").isEmpty(), "removed in JDK 20");
            assertEquals(System.getProperty("java.home"), jvm.systemProperties().getProperty("java.home"));
        }
    }

    @Test
    void runsDiagnosticCommands() throws IOException {
        Path map = Path.of("/tmp/perf-" + target.pid() + ".map");
        Files.deleteIfExists(map);
        try (JvmAttach jvm = JvmAttach.attach((int) target.pid())) {
            assertTrue(jvm.jcmd("VM.version").contains(System.getProperty("java.vm.version")));
            jvm.jcmd("Compiler.perfmap");
            // lines "START SIZE NAME", at least the interpreter and some stubs
            var lines = Files.readAllLines(map);
            assertTrue(lines.stream().anyMatch(l -> l.matches("0x[0-9a-f]+ 0x[0-9a-f]+ .*Interpreter.*")), lines.toString());
            JvmException e = assertThrows(JvmException.class, () -> jvm.jcmd("No.such.command"));
            assertEquals(JvmException.Reason.COMMAND_FAILED, e.reason());
        } finally {
            Files.deleteIfExists(map);
        }
    }

    @Test
    void refusesWhatIsNotAJvm() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            JvmException e = assertThrows(JvmException.class, () -> JvmAttach.attach((int) sleep.pid()));
            assertEquals(JvmException.Reason.NOT_A_JVM, e.reason());
            assertTrue(e.getMessage().startsWith("process " + sleep.pid() + " is not a JVM"), e.getMessage());
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
        JvmException gone = assertThrows(JvmException.class, () -> JvmAttach.attach(Integer.MAX_VALUE - 1));
        assertEquals(JvmException.Reason.NO_SUCH_PROCESS, gone.reason());
    }

    /** The target: says it is ready, then waits for its stdin to close. */
    public static final class Idle {
        public static void main(String[] args) throws IOException {
            System.out.print('r');
            System.out.flush();
            while (System.in.read() >= 0) { }
        }
    }
}
