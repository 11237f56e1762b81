package org.bpf4j.asm;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Factories validate their operands and throw IllegalArgumentException. */
class InstructionTest {

    static Stream<Arguments> invalid() {
        return Stream.<Arguments>of(
                Arguments.of("neg with imm", (Supplier<?>) () -> AluOp.NEG.imm64(R1, 1)),
                Arguments.of("neg register form", (Supplier<?>) () -> AluOp.NEG.reg64(R1, R2)),
                Arguments.of("movsx immediate", (Supplier<?>) () -> AluOp.MOVSX8.imm64(R1, 1)),
                Arguments.of("movsx32 in ALU", (Supplier<?>) () -> AluOp.MOVSX32.reg32(R1, R2)),
                Arguments.of("swap width", (Supplier<?>) () -> SwapOp.BE.of(R1, 8)),
                Arguments.of("signed DW load", (Supplier<?>) () -> Size.DW.loadSigned(R1, R2, 0)),
                Arguments.of("DW packet load", (Supplier<?>) () -> Size.DW.loadAbs(0)),
                Arguments.of("atomic byte add", (Supplier<?>) () -> AtomicOp.ADD.of(Size.B, R1, 0, R2)),
                Arguments.of("offset too big", (Supplier<?>) () -> Size.W.load(R1, R2, 40000)),
                Arguments.of("offset too small", (Supplier<?>) () -> JmpOp.JEQ.imm(R1, 0, -32769)),
                Arguments.of("imm too big", (Supplier<?>) () -> new Instruction(new Operation.Alu(AluOp.ADD, Source.K, true), R1, R0, 0, 1L << 32)),
                Arguments.of("imm too small", (Supplier<?>) () -> new Instruction(new Operation.Alu(AluOp.ADD, Source.K, true), R1, R0, 0, Integer.MIN_VALUE - 1L)),
                Arguments.of("src on K form", (Supplier<?>) () -> new Instruction(new Operation.Alu(AluOp.ADD, Source.K, true), R1, R2, 0, 0)),
                Arguments.of("imm on X form", (Supplier<?>) () -> new Instruction(new Operation.Alu(AluOp.ADD, Source.X, true), R1, R2, 0, 5)),
                Arguments.of("exit with dst", (Supplier<?>) () -> new Instruction(new Operation.Exit(), R1, R0, 0, 0)),
                Arguments.of("ja with imm", (Supplier<?>) () -> JmpOp.JA.imm(R0, 1, 0)),
                Arguments.of("ja with dst", (Supplier<?>) () -> JmpOp.JA.imm(R1, 0, 0)),
                Arguments.of("gotol with offset", (Supplier<?>) () -> JmpOp.JA.imm32(R0, 0, 1)),
                Arguments.of("JA as conditional", (Supplier<?>) () -> JmpOp.JA.reg(R1, R2, 0)),
                Arguments.of("helper call with offset", (Supplier<?>) () -> new Instruction(new Operation.Call(CallKind.HELPER), R0, R0, 1, 0)),
                Arguments.of("ST with src", (Supplier<?>) () -> new Instruction(new Operation.StoreImm(Size.W), R1, R2, 0, 0)),
                Arguments.of("STX with imm", (Supplier<?>) () -> new Instruction(new Operation.Store(Size.W), R1, R2, 0, 1)),
                Arguments.of("LDX with imm", (Supplier<?>) () -> new Instruction(new Operation.Load(Size.W, false), R1, R2, 0, 1)),
                Arguments.of("map fd high bits", (Supplier<?>) () -> Pseudo.MAP_FD.of(R1, 1L << 32)),
                Arguments.of("addr space range", (Supplier<?>) () -> Instruction.addrSpaceCast(R1, R2, 0x10000, 0)),
                Arguments.of("register 11", (Supplier<?>) () -> Reg.of(11)),
                Arguments.of("register -1", (Supplier<?>) () -> Reg.of(-1)),
                Arguments.of("lddw src 7", (Supplier<?>) () -> Pseudo.of(7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String what, Supplier<?> factory) {
        assertThrows(IllegalArgumentException.class, factory::get);
    }

    @Test
    void unsignedImmediateIsNormalised() {
        Instruction a = new Instruction(new Operation.Alu(AluOp.MOV, Source.K, false), R0, R0, 0, 0xffffffffL);
        assertEquals(AluOp.MOV.imm32(R0, -1), a);
        assertEquals(-1, a.imm());
    }

    @Test
    void xlatedFormsDecode() {
        // a bpf-to-bpf call as the kernel dumps it: original pc-relative imm in offset, subprog index in imm
        Instruction call = new Instruction(new Operation.Call(CallKind.LOCAL), R0, R0, 5, 1);
        assertEquals(List.of(call), Program.decode(Hex.parse("85 10 05 00 01 00 00 00")).instructions());
        // a subprog address after JIT: the whole kernel address
        Instruction func = Pseudo.FUNC.of(R1, 0xffffffffa0001234L);
        assertEquals(List.of(func),
                Program.decode(Hex.parse("18 41 00 00 34 12 00 a0 00 00 00 00 ff ff ff ff")).instructions());
        assertEquals("(18) r1 = subprog[-1610608076]", Disassembler.format(func, CallNames.HELPERS));
    }

    @Test
    void fieldAccessors() {
        Instruction sdiv = AluOp.SDIV.reg64(R1, R2);
        assertEquals(0x3f, sdiv.opcode());
        assertEquals(0, sdiv.offset());
        assertEquals(1, sdiv.offsetField());
        Instruction map = Instruction.loadMapValue(R1, 7, 16);
        assertEquals(2, map.width());
        assertEquals(Instruction.PSEUDO_MAP_VALUE, map.srcField());
        assertEquals(7, map.immField());
        assertEquals(16, map.immHigh());
        assertEquals(Instruction.PSEUDO_KFUNC_CALL, Instruction.callKfunc(9, 0).srcField());
        assertEquals(0xe1, AtomicOp.XCHG.of(Size.DW, R1, 0, R2).immField());
    }

    @Test
    void registersAndSizes() {
        for (int i = 0; i <= 10; i++) {
            assertEquals(i, Reg.of(i).index());
        }
        assertEquals(List.of(4, 2, 1, 8), Stream.of(Size.values()).map(Size::bytes).toList());
    }
}
