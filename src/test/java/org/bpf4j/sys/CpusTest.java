package org.bpf4j.sys;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

class CpusTest {
    @Test
    void parsesKernelCpuLists() {
        BitSet s = Cpus.parse("0-3,6,8-9");
        assertEquals("{0, 1, 2, 3, 6, 8, 9}", s.toString());
        assertEquals(1, Cpus.parse("0").cardinality());
        assertTrue(Cpus.parse("").isEmpty());
    }

    @Test
    void errnoNamesAndMessages() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("Operation not permitted (EPERM)", Errno.describe(1));
        assertEquals("errno 200", Errno.name(200));
    }
}
