package org.bpf4j.vm;

import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.Program;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** Packet data: an XDP program reads the frame through data/data_end, checked against the end first. */
class XdpTest {
    static final String DROP_IPV4 = XdpTestPrograms.DROP_IPV4;

    static final String UNCHECKED = DROP_IPV4.replace("if r4 > r3 goto pass\n", "");

    private static byte[] frame(String ethType, int length) {
        byte[] f = new byte[length];
        if (length >= 14) System.arraycopy(HexFormat.of().parseHex(ethType), 0, f, 12, 2);
        return f;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void readsTheFrameAfterCheckingItsLength(Engine engine) {
        try (Vm vm = Vm.builder(Assembler.parse(DROP_IPV4)).engine(engine).programType(ProgramType.XDP).build()) {
            assertEquals(1, vm.runXdp(frame("0800", 60)), "IPv4");
            assertEquals(2, vm.runXdp(frame("0806", 60)), "ARP");
            assertEquals(2, vm.runXdp(frame("0800", 13)), "too short");
            assertEquals(1, vm.runXdp(frame("0800", 14)), "just long enough");
        }
    }

    @Test
    void readingThePacketWithoutCheckingItsEndIsRejected() {
        VerifierException e = assertThrows(VerifierException.class,
                () -> Vm.builder(Assembler.parse(UNCHECKED)).programType(ProgramType.XDP).build());
        assertEquals(4, e.instruction());
        assertTrue(e.reason().startsWith("invalid access to packet, off=12 size=2"), e.reason());
        // unverified, the interpreter still refuses to read past the frame
        try (Vm vm = Vm.builder(Assembler.parse(UNCHECKED)).programType(ProgramType.XDP).verify(false).build()) {
            VmFault f = assertThrows(VmFault.class, () -> vm.runXdp(frame("0800", 13)));
            assertEquals(4, f.instruction());
        }
    }

    @Test
    void theXdpContextIsReadOnly() {
        Program p = Assembler.parse("*(u32 *)(r1 +12) = 1\nr0 = 2\nexit\n");
        assertEquals("cannot write into ctx", assertThrows(VerifierException.class,
                () -> Vm.builder(p).programType(ProgramType.XDP).build()).reason());
    }

    @Test
    @Tag("kernel")
    void theKernelAgrees() {
        Kernel.require();
        try (KernelProgram k = KernelProgram.load("xdp_ok", ProgramType.XDP, Assembler.parse(DROP_IPV4).encode(), "GPL", 0)) {
            assertTrue(k.info().id() > 0);
        }
        VerifierException e = assertThrows(VerifierException.class,
                () -> KernelProgram.load("xdp_bad", ProgramType.XDP, Assembler.parse(UNCHECKED).encode(), "GPL", 0));
        assertTrue(e.log().contains("invalid access to packet"), e.log());
    }
}
