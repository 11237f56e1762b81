package org.bpf4j.lang.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * User frames of a running process that no mapped file holds: named from the perf map the process's JIT agent
 * writes ({@code /tmp/perf-PID.map}), as {@code ustack} and {@code ustack(perf)} print them; without a map, or
 * outside its entries, they stay hex.
 */
class SymbolsTest {
    @Test
    void codeNoFileHoldsIsNamedFromTheProcesssPerfMap() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        long pid = sleeper.pid();
        Path map = Path.of("/tmp/perf-" + pid + ".map");
        try (Symbols s = new Symbols()) {
            // nothing is mapped at 0x10000 in sleep: without a map the address stays as it is
            assertEquals("0x10010", s.usym(0x10010, pid, true));
            Files.writeString(map, "10000 40 Fake::run\n10040 20 long Other.work(long)\nnot a line\n");
            try (Symbols t = new Symbols()) {
                assertEquals("Fake.run+16", t.usym(0x10010, pid, true));
                assertEquals("Fake.run", t.usym(0x10010, pid, false));
                assertEquals("Other.work+8 (/tmp/perf-" + pid + ".map)", t.usymModule(0x10048, pid));
                assertEquals("0x10060", t.usym(0x10060, pid, true));
                assertEquals("0x10060 ([unknown])", t.usymModule(0x10060, pid));
            }
        } finally {
            Files.deleteIfExists(map);
            sleeper.destroy();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        }
    }
}
