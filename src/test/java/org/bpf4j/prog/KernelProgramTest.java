package org.bpf4j.prog;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

@Tag("kernel")
class KernelProgramTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    // r0 = 0; exit
    static final byte[] RETURN_ZERO = HexFormat.of().parseHex("b700000000000000" + "9500000000000000");

    @Test
    void loadsAndReportsInfo() {
        try (KernelProgram p = KernelProgram.load("t_ret0", ProgramType.SOCKET_FILTER, RETURN_ZERO, "GPL", 0)) {
            ProgramInfo info = p.info();
            assertEquals("t_ret0", info.name());
            assertEquals(ProgramType.SOCKET_FILTER, info.type());
            assertTrue(info.gplCompatible());
            assertEquals(16, info.xlatedLength());
            assertArrayEquals(RETURN_ZERO, info.xlated(), "the kernel leaves this program as it was");
            assertEquals(16, info.tag().length());
            assertTrue(info.id() > 0);
        }
    }

    @Test
    void verifierRejectionCarriesTheLogAndTheInstruction() {
        // r1 = 1; exit  -- r0 was never written
        byte[] bad = HexFormat.of().parseHex("b701000001000000" + "9500000000000000");
        VerifierException e = assertThrows(VerifierException.class,
                () -> KernelProgram.load("t_bad", ProgramType.SOCKET_FILTER, bad, "GPL", 0));
        assertEquals(1, e.instruction(), e.log());
        assertTrue(e.log().contains("R0 !read_ok"), e.log());
        assertEquals("R0 !read_ok", e.reason());
        assertTrue(e.getMessage().contains("t_bad") && e.getMessage().contains("instruction 1"), e.getMessage());
    }

    @Test
    void longLogsGrowTheBuffer() {
        // 20000 x (r0 = 0), then a read of an uninitialised r2: a log far larger than the first buffer.
        int n = 20000;
        byte[] prog = new byte[(n + 2) * 8];
        for (int i = 0; i < n; i++) System.arraycopy(RETURN_ZERO, 0, prog, i * 8, 8);
        byte[] tail = HexFormat.of().parseHex("bf20000000000000" + "9500000000000000"); // r0 = r2; exit
        System.arraycopy(tail, 0, prog, n * 8, 16);
        VerifierException e = assertThrows(VerifierException.class,
                () -> KernelProgram.load("t_long", ProgramType.SOCKET_FILTER, prog, "GPL", 0));
        assertEquals(n, e.instruction());
        assertTrue(e.log().contains("R2 !read_ok"), e.reason());
    }

    @Test
    void testRunReturnsR0AndTime() {
        // r0 = *(u32 *)(r1 + 0) is not allowed for a socket filter's skb; use r0 = 42; exit
        byte[] prog = HexFormat.of().parseHex("b70000002a000000" + "9500000000000000");
        try (KernelProgram p = KernelProgram.load("t_run", ProgramType.SOCKET_FILTER, prog, "GPL", 0)) {
            TestRun r = p.testRun(new byte[64], null, 1000, 0);
            assertEquals(42, r.retval());
            assertTrue(r.durationNs() >= 0);
            assertEquals(64, r.dataOut().length);
        }
    }
}
