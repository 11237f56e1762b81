package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bpf4j offcputime on a Java program that sleeps in a known chain: mixed kernel and Java stacks, time summed. */
@Tag("kernel")
class OffcputimeTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void javaSleepChainOffCpuWithKernelFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (HotJvm jvm = HotJvm.start(true, null, false, List.of("sleep"))) {
            Offcputime tool = new Offcputime(new PrintStream(err, true, StandardCharsets.UTF_8));
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                assertEquals(0, tool.run(tool.args().parse(List.of("-p", String.valueOf(jvm.pid()), "-f", "2")), o, () -> false));
            }
        }
        Map<String, Long> folded = new HashMap<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp > 0) folded.merge(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)), Long::sum);
        }
        String report = err + out.toString(StandardCharsets.UTF_8);
        // the main thread waits most of the 2 s in a pipe's read below nap -> doze (its loop in main may still be
        // interpreted): Java frames, the JDK's read, libc's, then the kernel's, down from the thread's start
        long chain = folded.entrySet().stream()
                .filter(e -> e.getKey().startsWith("java;") && e.getKey().contains(";JavaMain;")
                        && e.getKey().contains(";HotChain.nap;HotChain.doze;") && e.getKey().contains(";read;")
                        && e.getKey().contains(";anon_pipe_read;schedule"))
                .mapToLong(Map.Entry::getValue).sum();
        assertTrue(chain >= 1_000_000, chain + " us off CPU under the chain, in the kernel's pipe read:\n" + report);
        assertTrue(chain <= 3_000_000, chain + " us in a 2 s trace:\n" + report);
    }
}
