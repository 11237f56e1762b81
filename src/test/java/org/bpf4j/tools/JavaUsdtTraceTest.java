package org.bpf4j.tools;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * HotSpot's USDT probes in bpf4j's tracing language on a running JVM, as bpftrace users write them: {@code bpf4j
 * trace -p PID} with libjvm.so's full path, with the library's short name, and with the target left to -p
 * ({@code usdt:*:...}, resolved from /proc/PID/maps).
 */
@Tag("kernel")
class JavaUsdtTraceTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void threadStartsOfARunningJvmByPid() throws Exception {
        String libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so").toString();
        try (JavaWorkload.Child jvm = JavaWorkload.Child.start()) {
            for (String target : List.of("libjvm", libjvm, "*")) {
                String script = "usdt:" + target + ":hotspot:thread__start /strncmp(str(arg0, arg1), \"bpf4j-worker-\", 13) == 0/ {"
                        + " printf(\"start %s %d\\n\", str(arg0, arg1), arg1); @n++; if (@n == " + JavaWorkload.THREADS + ") { exit(); } }";
                // the command line as a user runs it, in its own JVM
                ProcessBuilder trace = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                        "trace", "-p", Integer.toString(jvm.pid()), "-e", script).redirectErrorStream(true);
                trace.environment().put("__BPFTRACE_NOTIFY_PROBES_ATTACHED", "1");
                Process run = trace.start();
                String out;
                try (var reader = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
                    assertEquals("Attached 1 probe", reader.readLine(), target);   // bpftrace v0.26, on stderr
                    // bpftrace's test hook: said once every probe is attached
                    assertEquals("__BPFTRACE_NOTIFY_PROBES_ATTACHED", reader.readLine(), target);
                    jvm.run('t');
                    assertTrue(run.waitFor(20, TimeUnit.SECONDS), target + ": exit() after the third thread");
                    out = reader.lines().collect(Collectors.joining("\n"));
                } finally {
                    run.destroy();
                    run.waitFor();
                }
                assertEquals(0, run.exitValue(), target + ": " + out);
                List<String> starts = out.lines().filter(l -> l.startsWith("start ")).sorted().toList();
                assertEquals(List.of("start bpf4j-worker-0 14", "start bpf4j-worker-1 14", "start bpf4j-worker-2 14"), starts, target);
            }
        }
    }
}
