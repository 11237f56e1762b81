package org.bpf4j.vm.interp;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.SyntheticEnvironment;
import org.bpf4j.vm.Vm;
import org.bpf4j.vm.VmFault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** Semantics that the conformance files do not cover (maps, helpers, faults), on both engines. */
class InterpreterTest {
    private static long run(Engine e, Program p, byte[] ctx) {
        try (Vm vm = Vm.builder(p).engine(e).verify(false).build()) {
            return vm.run(ctx);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void countedLoopSums(Engine e) {
        // r0 = sum of 1..100
        Program p = Program.builder()
                .mov64(Reg.R0, 0).mov64(Reg.R1, 1)
                .label("loop").alu64(AluOp.ADD, Reg.R0, Reg.R1).alu64(AluOp.ADD, Reg.R1, 1)
                .jmp(JmpOp.JLE, Reg.R1, 100, "loop").exit().build();
        assertEquals(5050, run(e, p, new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void mapsCountThroughHelpers(Engine e) {
        // key = 7 on the stack; value = lookup; if null insert 1 else atomically add 1
        Program p = Program.builder()
                .st(Size.W, Reg.R10, -4, 7)
                .loadMapFd(Reg.R1, "counts").mov64(Reg.R2, Reg.R10).alu64(AluOp.ADD, Reg.R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jmp(JmpOp.JEQ, Reg.R0, 0, "insert")
                .mov64(Reg.R1, 1).atomic(AtomicOp.ADD, Size.DW, Reg.R0, 0, Reg.R1)
                .mov64(Reg.R0, 0).exit()
                .label("insert")
                .st(Size.DW, Reg.R10, -16, 1)
                .loadMapFd(Reg.R1, "counts").mov64(Reg.R2, Reg.R10).alu64(AluOp.ADD, Reg.R2, -4)
                .mov64(Reg.R3, Reg.R10).alu64(AluOp.ADD, Reg.R3, -16).mov64(Reg.R4, 0)
                .call(Helper.MAP_UPDATE_ELEM).exit().build();
        try (Vm vm = Vm.builder(p).engine(e).verify(false).map(MapSpec.of("counts", MapType.HASH, 4, 8, 16)).build()) {
            for (int i = 0; i < 5; i++) assertEquals(0, vm.run());
            byte[] v = vm.map("counts").lookup(new byte[] {7, 0, 0, 0}).orElseThrow();
            assertEquals(5, ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void taskHelpersReadTheEnvironment(Engine e) {
        Program p = Program.builder()
                .call(Helper.GET_CURRENT_PID_TGID).mov64(Reg.R6, Reg.R0)
                .mov64(Reg.R1, Reg.R10).alu64(AluOp.ADD, Reg.R1, -16).mov64(Reg.R2, 16).call(Helper.GET_CURRENT_COMM)
                .ldx(Size.B, Reg.R0, Reg.R10, -16)   // first byte of comm
                .alu64(AluOp.RSH, Reg.R6, 32).alu64(AluOp.ADD, Reg.R0, Reg.R6).exit().build();
        var env = new SyntheticEnvironment().task(12, 34, "xyz");
        try (Vm vm = Vm.builder(p).engine(e).verify(false).environment(env).build()) {
            assertEquals('x' + 34, vm.run());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void traceFormats(Engine e) {
        // "n=%d\n" on the stack, then trace_printk(fmt, 6, -5)
        Program p = Program.builder()
                .lddw(Reg.R1, 0x0a64253d6eL).stx(Size.DW, Reg.R10, -8, Reg.R1)
                .mov64(Reg.R1, Reg.R10).alu64(AluOp.ADD, Reg.R1, -8).mov64(Reg.R2, 6).mov64(Reg.R3, -5)
                .call(Helper.TRACE_PRINTK).exit().build();
        var env = new SyntheticEnvironment();
        try (Vm vm = Vm.builder(p).engine(e).verify(false).environment(env).build()) {
            assertEquals(5, vm.run());
            assertEquals(java.util.List.of("n=-5"), env.trace());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void outOfBoundsReadFaultsNamingTheInstruction(Engine e) {
        Program p = Program.builder().mov64(Reg.R0, 0).ldx(Size.W, Reg.R0, Reg.R1, 6).exit().build();
        VmFault f = assertThrows(VmFault.class, () -> run(e, p, new byte[8]));
        assertEquals(1, f.instruction());
        assertTrue(f.getMessage().contains("outside context"), f.getMessage());
        assertEquals(0x04030201L, run(e, Program.builder().ldx(Size.W, Reg.R0, Reg.R1, 4).exit().build(),
                new byte[] {0, 0, 0, 0, 1, 2, 3, 4}));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void nullPointerFaults(Engine e) {
        Program p = Program.builder().mov64(Reg.R1, 0).st(Size.B, Reg.R1, 0, 1).mov64(Reg.R0, 0).exit().build();
        VmFault f = assertThrows(VmFault.class, () -> run(e, p, new byte[0]));
        assertTrue(f.getMessage().startsWith("instruction 1: invalid write of 1 byte at 0x0"), f.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void localCallsHaveTheirOwnFrame(Engine e) {
        // main stores 5 at r10-8, calls f (which stores 9 at its own r10-8 and returns r1*2), then adds its slot
        Program p = Program.builder()
                .st(Size.DW, Reg.R10, -8, 5).mov64(Reg.R1, 20).mov64(Reg.R6, 100)
                .callLocal("f").ldx(Size.DW, Reg.R1, Reg.R10, -8).alu64(AluOp.ADD, Reg.R0, Reg.R1)
                .alu64(AluOp.ADD, Reg.R0, Reg.R6).exit()
                .label("f").st(Size.DW, Reg.R10, -8, 9).mov64(Reg.R6, 0).mov64(Reg.R0, Reg.R1)
                .alu64(AluOp.MUL, Reg.R0, 2).exit().build();
        assertEquals(40 + 5 + 100, run(e, p, new byte[0]));
    }
}
