package org.bpf4j.jvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The code cache's map: perf map lines read as HotSpot and agents write them, overlaps replaced, unloads. */
class CodeMapTest {
    @TempDir Path dir;

    @Test
    void readsHotSpotsPerfMapAndNamesClassDotMethod() throws Exception {
        Path f = dir.resolve("perf-1.map");
        Files.writeString(f, """
                0x00007f5763ec7f80 0x00000000000002b0 long Hot.delta(long)
                0x00007f5763ec8680 0x0000000000000098 void Hot.main(java.lang.String[])
                0x00007f5763e00000 0x0000000000001000 Interpreter
                7f5763ec9000 40 LHot;agent(J)J
                not a line
                """);
        CodeMap m = new CodeMap();
        assertTrue(m.readPerfMap(f));
        assertEquals(4, m.size());
        assertEquals("Hot.delta", m.find(0x7f5763ec7f80L).orElseThrow().name());
        assertEquals("Hot.delta", m.find(0x7f5763ec7f80L + 0x2afL).orElseThrow().name());
        assertTrue(m.find(0x7f5763ec7f80L + 0x2b0L).isEmpty());
        assertEquals("Hot.main", m.find(0x7f5763ec8700L).orElseThrow().name());
        assertEquals("Interpreter", m.find(0x7f5763e00800L).orElseThrow().name());
        assertEquals("LHot;agent", m.find(0x7f5763ec9010L).orElseThrow().name());
        assertFalse(m.readPerfMap(dir.resolve("missing.map")));
    }

    @Test
    void codeLoadedOverOldCodeReplacesIt() {
        CodeMap m = new CodeMap();
        m.load(0x1000, 0x100, "A.old");
        m.load(0x1100, 0x100, "B.next");
        long g = m.generation();
        m.load(0x1080, 0x100, "C.new"); // overlaps the end of A and the start of B
        assertTrue(m.generation() > g);
        assertEquals("C.new", m.find(0x1080).orElseThrow().name());
        assertEquals("C.new", m.find(0x117f).orElseThrow().name());
        assertTrue(m.find(0x1000).isEmpty(), "A's code was overwritten");
        assertTrue(m.find(0x1190).isEmpty(), "B's code was overwritten");
        assertEquals(1, m.size());
    }

    @Test
    void unloadDropsTheOldestVersionOfTheMethod() {
        CodeMap m = new CodeMap();
        m.load(0x1000, 0x10, "A.run");   // tier 3
        m.load(0x2000, 0x10, "A.run");   // tier 4, replacing it
        m.unload("A.run");
        assertTrue(m.find(0x1000).isEmpty());
        assertEquals("A.run", m.find(0x2000).orElseThrow().name());
        m.unload("B.none");
        assertEquals(1, m.size());
    }

    @Test
    void probeNamesAndPerfMapNames() {
        assertEquals("java.lang.String.indexOf", CodeMap.probeName("java/lang/String", "indexOf"));
        assertEquals("java.util.HashMap$Node.<init>", CodeMap.methodName("void java.util.HashMap$Node.<init>(int, java.lang.Object)"));
        assertEquals("Hot.delta", CodeMap.methodName("Hot::delta"));
        assertEquals("StubRoutines (1)", CodeMap.methodName("StubRoutines (1)"));
    }
}
