package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every operation against its raw bytes (hex written from RFC 9669 tables), encoded and decoded. */
class EncodingTest {

    private static final List<Arguments> TABLE = new ArrayList<>();

    private static void row(Instruction insn, String hex) {
        TABLE.add(Arguments.of(insn, hex));
    }

    static {
        // ALU64, immediate (class 0x07, source K)
        row(AluOp.ADD.imm64(R1, 22), "07 01 00 00 16 00 00 00");
        row(AluOp.SUB.imm64(R2, -1), "17 02 00 00 ff ff ff ff");
        row(AluOp.MUL.imm64(R3, 3), "27 03 00 00 03 00 00 00");
        row(AluOp.DIV.imm64(R4, 2), "37 04 00 00 02 00 00 00");
        row(AluOp.SDIV.imm64(R4, -2), "37 04 01 00 fe ff ff ff");
        row(AluOp.OR.imm64(R5, 0x10), "47 05 00 00 10 00 00 00");
        row(AluOp.AND.imm64(R6, 0xff), "57 06 00 00 ff 00 00 00");
        row(AluOp.LSH.imm64(R7, 4), "67 07 00 00 04 00 00 00");
        row(AluOp.RSH.imm64(R8, 4), "77 08 00 00 04 00 00 00");
        row(AluOp.NEG.imm64(R9, 0), "87 09 00 00 00 00 00 00");
        row(AluOp.MOD.imm64(R1, 5), "97 01 00 00 05 00 00 00");
        row(AluOp.SMOD.imm64(R1, -5), "97 01 01 00 fb ff ff ff");
        row(AluOp.XOR.imm64(R2, 1), "a7 02 00 00 01 00 00 00");
        row(AluOp.MOV.imm64(R0, 0), "b7 00 00 00 00 00 00 00");
        row(AluOp.MOV.imm64(R10, -8), "b7 0a 00 00 f8 ff ff ff");
        row(AluOp.ARSH.imm64(R3, 63), "c7 03 00 00 3f 00 00 00");
        // ALU64, register (source X)
        row(AluOp.ADD.reg64(R1, R2), "0f 21 00 00 00 00 00 00");
        row(AluOp.SUB.reg64(R1, R2), "1f 21 00 00 00 00 00 00");
        row(AluOp.MUL.reg64(R1, R2), "2f 21 00 00 00 00 00 00");
        row(AluOp.DIV.reg64(R1, R2), "3f 21 00 00 00 00 00 00");
        row(AluOp.SDIV.reg64(R1, R2), "3f 21 01 00 00 00 00 00");
        row(AluOp.OR.reg64(R1, R2), "4f 21 00 00 00 00 00 00");
        row(AluOp.AND.reg64(R1, R2), "5f 21 00 00 00 00 00 00");
        row(AluOp.LSH.reg64(R1, R2), "6f 21 00 00 00 00 00 00");
        row(AluOp.RSH.reg64(R1, R2), "7f 21 00 00 00 00 00 00");
        row(AluOp.MOD.reg64(R1, R2), "9f 21 00 00 00 00 00 00");
        row(AluOp.SMOD.reg64(R1, R2), "9f 21 01 00 00 00 00 00");
        row(AluOp.XOR.reg64(R1, R2), "af 21 00 00 00 00 00 00");
        row(AluOp.MOV.reg64(R6, R1), "bf 16 00 00 00 00 00 00");
        row(AluOp.MOVSX8.reg64(R1, R2), "bf 21 08 00 00 00 00 00");
        row(AluOp.MOVSX16.reg64(R1, R2), "bf 21 10 00 00 00 00 00");
        row(AluOp.MOVSX32.reg64(R1, R2), "bf 21 20 00 00 00 00 00");
        row(AluOp.ARSH.reg64(R1, R2), "cf 21 00 00 00 00 00 00");
        // ALU (32-bit)
        row(AluOp.ADD.imm32(R1, 1), "04 01 00 00 01 00 00 00");
        row(AluOp.SUB.imm32(R1, 1), "14 01 00 00 01 00 00 00");
        row(AluOp.MUL.imm32(R1, 1), "24 01 00 00 01 00 00 00");
        row(AluOp.DIV.imm32(R1, 1), "34 01 00 00 01 00 00 00");
        row(AluOp.SDIV.imm32(R0, 3), "34 00 01 00 03 00 00 00");
        row(AluOp.OR.imm32(R1, 1), "44 01 00 00 01 00 00 00");
        row(AluOp.AND.imm32(R1, 1), "54 01 00 00 01 00 00 00");
        row(AluOp.LSH.imm32(R1, 1), "64 01 00 00 01 00 00 00");
        row(AluOp.RSH.imm32(R1, 1), "74 01 00 00 01 00 00 00");
        row(AluOp.NEG.imm32(R1, 0), "84 01 00 00 00 00 00 00");
        row(AluOp.MOD.imm32(R1, 1), "94 01 00 00 01 00 00 00");
        row(AluOp.SMOD.imm32(R1, 1), "94 01 01 00 01 00 00 00");
        row(AluOp.XOR.imm32(R1, 1), "a4 01 00 00 01 00 00 00");
        row(AluOp.MOV.imm32(R0, 1), "b4 00 00 00 01 00 00 00");
        row(AluOp.ARSH.imm32(R1, 1), "c4 01 00 00 01 00 00 00");
        row(AluOp.ADD.reg32(R0, R1), "0c 10 00 00 00 00 00 00");
        row(AluOp.SUB.reg32(R0, R1), "1c 10 00 00 00 00 00 00");
        row(AluOp.MUL.reg32(R0, R1), "2c 10 00 00 00 00 00 00");
        row(AluOp.DIV.reg32(R0, R1), "3c 10 00 00 00 00 00 00");
        row(AluOp.SDIV.reg32(R0, R1), "3c 10 01 00 00 00 00 00");
        row(AluOp.OR.reg32(R0, R1), "4c 10 00 00 00 00 00 00");
        row(AluOp.AND.reg32(R0, R1), "5c 10 00 00 00 00 00 00");
        row(AluOp.LSH.reg32(R0, R1), "6c 10 00 00 00 00 00 00");
        row(AluOp.RSH.reg32(R0, R1), "7c 10 00 00 00 00 00 00");
        row(AluOp.MOD.reg32(R0, R1), "9c 10 00 00 00 00 00 00");
        row(AluOp.SMOD.reg32(R0, R1), "9c 10 01 00 00 00 00 00");
        row(AluOp.XOR.reg32(R0, R1), "ac 10 00 00 00 00 00 00");
        row(AluOp.MOV.reg32(R0, R1), "bc 10 00 00 00 00 00 00");
        row(AluOp.MOVSX8.reg32(R0, R1), "bc 10 08 00 00 00 00 00");
        row(AluOp.MOVSX16.reg32(R0, R1), "bc 10 10 00 00 00 00 00");
        row(AluOp.ARSH.reg32(R0, R1), "cc 10 00 00 00 00 00 00");
        // byte swaps
        row(SwapOp.LE.of(R0, 16), "d4 00 00 00 10 00 00 00");
        row(SwapOp.LE.of(R0, 32), "d4 00 00 00 20 00 00 00");
        row(SwapOp.LE.of(R0, 64), "d4 00 00 00 40 00 00 00");
        row(SwapOp.BE.of(R1, 16), "dc 01 00 00 10 00 00 00");
        row(SwapOp.BE.of(R1, 32), "dc 01 00 00 20 00 00 00");
        row(SwapOp.BE.of(R1, 64), "dc 01 00 00 40 00 00 00");
        row(SwapOp.BSWAP.of(R2, 16), "d7 02 00 00 10 00 00 00");
        row(SwapOp.BSWAP.of(R2, 32), "d7 02 00 00 20 00 00 00");
        row(SwapOp.BSWAP.of(R2, 64), "d7 02 00 00 40 00 00 00");
        // jumps
        row(JmpOp.JEQ.imm(R1, 0x10, 2), "15 01 02 00 10 00 00 00");
        row(JmpOp.JEQ.reg(R1, R2, -1), "1d 21 ff ff 00 00 00 00");
        row(JmpOp.JGT.imm(R1, 1, 1), "25 01 01 00 01 00 00 00");
        row(JmpOp.JGT.reg(R1, R2, 1), "2d 21 01 00 00 00 00 00");
        row(JmpOp.JGE.imm(R1, 1, 1), "35 01 01 00 01 00 00 00");
        row(JmpOp.JGE.reg(R1, R2, 1), "3d 21 01 00 00 00 00 00");
        row(JmpOp.JSET.imm(R1, 1, 1), "45 01 01 00 01 00 00 00");
        row(JmpOp.JSET.reg(R1, R2, 1), "4d 21 01 00 00 00 00 00");
        row(JmpOp.JNE.imm(R1, 1, 1), "55 01 01 00 01 00 00 00");
        row(JmpOp.JNE.reg(R1, R2, 1), "5d 21 01 00 00 00 00 00");
        row(JmpOp.JSGT.imm(R1, -1, 1), "65 01 01 00 ff ff ff ff");
        row(JmpOp.JSGT.reg(R1, R2, 1), "6d 21 01 00 00 00 00 00");
        row(JmpOp.JSGE.imm(R1, 1, 1), "75 01 01 00 01 00 00 00");
        row(JmpOp.JSGE.reg(R1, R2, 1), "7d 21 01 00 00 00 00 00");
        row(JmpOp.JLT.imm(R1, 1, 1), "a5 01 01 00 01 00 00 00");
        row(JmpOp.JLT.reg(R1, R2, 1), "ad 21 01 00 00 00 00 00");
        row(JmpOp.JLE.imm(R1, 1, 1), "b5 01 01 00 01 00 00 00");
        row(JmpOp.JLE.reg(R1, R2, 1), "bd 21 01 00 00 00 00 00");
        row(JmpOp.JSLT.imm(R1, 1, 1), "c5 01 01 00 01 00 00 00");
        row(JmpOp.JSLT.reg(R1, R2, 1), "cd 21 01 00 00 00 00 00");
        row(JmpOp.JSLE.imm(R1, 1, 1), "d5 01 01 00 01 00 00 00");
        row(JmpOp.JSLE.reg(R1, R2, 1), "dd 21 01 00 00 00 00 00");
        row(JmpOp.JEQ.imm32(R1, 1, 1), "16 01 01 00 01 00 00 00");
        row(JmpOp.JEQ.reg32(R1, R2, 1), "1e 21 01 00 00 00 00 00");
        row(JmpOp.JGT.imm32(R1, 1, 1), "26 01 01 00 01 00 00 00");
        row(JmpOp.JGE.reg32(R1, R2, 1), "3e 21 01 00 00 00 00 00");
        row(JmpOp.JSET.imm32(R1, 1, 1), "46 01 01 00 01 00 00 00");
        row(JmpOp.JNE.reg32(R1, R2, 1), "5e 21 01 00 00 00 00 00");
        row(JmpOp.JSGT.imm32(R1, 1, 1), "66 01 01 00 01 00 00 00");
        row(JmpOp.JSGE.reg32(R1, R2, 1), "7e 21 01 00 00 00 00 00");
        row(JmpOp.JLT.imm32(R1, 1, 1), "a6 01 01 00 01 00 00 00");
        row(JmpOp.JLE.reg32(R1, R2, 1), "be 21 01 00 00 00 00 00");
        row(JmpOp.JSLT.imm32(R1, 1, 1), "c6 01 01 00 01 00 00 00");
        row(JmpOp.JSLE.reg32(R1, R2, -3), "de 21 fd ff 00 00 00 00");
        row(Instruction.ja(1), "05 00 01 00 00 00 00 00");
        row(JmpOp.JA.imm(R0, 0, -1), "05 00 ff ff 00 00 00 00");
        row(Instruction.gotol(0x10000), "06 00 00 00 00 00 01 00");
        row(JmpOp.JA.imm32(R0, -2, 0), "06 00 00 00 fe ff ff ff");
        // calls and exit
        row(Instruction.call(Helper.MAP_LOOKUP_ELEM), "85 00 00 00 01 00 00 00");
        row(Instruction.call(Helper.MAP_UPDATE_ELEM), "85 00 00 00 02 00 00 00");
        row(Instruction.callLocal(5), "85 10 00 00 05 00 00 00");
        row(Instruction.callLocal(-7), "85 10 00 00 f9 ff ff ff");
        row(Instruction.callKfunc(1234, 0), "85 20 00 00 d2 04 00 00");
        row(Instruction.callKfunc(7, 2), "85 20 02 00 07 00 00 00");
        row(Instruction.exit(), "95 00 00 00 00 00 00 00");
        // loads and stores
        row(Size.W.load(R0, R1, 4), "61 10 04 00 00 00 00 00");
        row(Size.H.load(R0, R1, 2), "69 10 02 00 00 00 00 00");
        row(Size.B.load(R0, R1, 1), "71 10 01 00 00 00 00 00");
        row(Size.DW.load(R7, R1, 104), "79 17 68 00 00 00 00 00");
        row(Size.W.loadSigned(R0, R1, 0), "81 10 00 00 00 00 00 00");
        row(Size.H.loadSigned(R0, R1, 0), "89 10 00 00 00 00 00 00");
        row(Size.B.loadSigned(R0, R10, -1), "91 a0 ff ff 00 00 00 00");
        row(Size.W.store(R10, -8, R1), "63 1a f8 ff 00 00 00 00");
        row(Size.H.store(R10, -8, R1), "6b 1a f8 ff 00 00 00 00");
        row(Size.B.store(R10, -8, R1), "73 1a f8 ff 00 00 00 00");
        row(Size.DW.store(R10, -8, R1), "7b 1a f8 ff 00 00 00 00");
        row(Size.W.storeImm(R10, -4, 0x11223344), "62 0a fc ff 44 33 22 11");
        row(Size.H.storeImm(R1, 2, 0x1122), "6a 01 02 00 22 11 00 00");
        row(Size.B.storeImm(R1, 2, 0x11), "72 01 02 00 11 00 00 00");
        row(Size.DW.storeImm(R10, -8, -1), "7a 0a f8 ff ff ff ff ff");
        // atomics
        row(AtomicOp.ADD.of(Size.W, R1, 0, R2), "c3 21 00 00 00 00 00 00");
        row(AtomicOp.ADD.of(Size.DW, R1, 8, R2), "db 21 08 00 00 00 00 00");
        row(AtomicOp.OR.of(Size.DW, R1, 0, R2), "db 21 00 00 40 00 00 00");
        row(AtomicOp.AND.of(Size.W, R1, 0, R2), "c3 21 00 00 50 00 00 00");
        row(AtomicOp.XOR.of(Size.DW, R1, 0, R2), "db 21 00 00 a0 00 00 00");
        row(AtomicOp.FETCH_ADD.of(Size.DW, R1, 0, R0), "db 01 00 00 01 00 00 00");
        row(AtomicOp.FETCH_OR.of(Size.W, R1, 0, R2), "c3 21 00 00 41 00 00 00");
        row(AtomicOp.FETCH_AND.of(Size.DW, R1, 0, R2), "db 21 00 00 51 00 00 00");
        row(AtomicOp.FETCH_XOR.of(Size.W, R1, 0, R2), "c3 21 00 00 a1 00 00 00");
        row(AtomicOp.XCHG.of(Size.DW, R10, -8, R1), "db 1a f8 ff e1 00 00 00");
        row(AtomicOp.CMPXCHG.of(Size.W, R10, -8, R1), "c3 1a f8 ff f1 00 00 00");
        row(AtomicOp.LOAD_ACQUIRE.of(Size.B, R0, 0, R1), "d3 10 00 00 00 01 00 00");
        row(AtomicOp.STORE_RELEASE.of(Size.H, R1, 0, R2), "cb 21 00 00 10 01 00 00");
        // legacy packet access
        row(Size.W.loadAbs(12), "20 00 00 00 0c 00 00 00");
        row(Size.H.loadAbs(12), "28 00 00 00 0c 00 00 00");
        row(Size.B.loadAbs(12), "30 00 00 00 0c 00 00 00");
        row(Size.W.loadInd(R1, 4), "40 10 00 00 04 00 00 00");
        row(Size.H.loadInd(R1, 4), "48 10 00 00 04 00 00 00");
        row(Size.B.loadInd(R1, 4), "50 10 00 00 04 00 00 00");
        // lddw, every src form
        row(Instruction.lddw(R0, 0x1122334455667788L), "18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11");
        row(Instruction.lddw(R9, -1L), "18 09 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff");
        row(Instruction.loadMapFd(R1, 3), "18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00");
        row(Instruction.loadMapValue(R1, 3, 8), "18 21 00 00 03 00 00 00 00 00 00 00 08 00 00 00");
        row(Pseudo.BTF_ID.of(R1, 100), "18 31 00 00 64 00 00 00 00 00 00 00 00 00 00 00");
        row(Pseudo.FUNC.of(R2, 5), "18 42 00 00 05 00 00 00 00 00 00 00 00 00 00 00");
        row(Pseudo.MAP_IDX.of(R1, 0), "18 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        row(Pseudo.MAP_IDX_VALUE.of(R1, (16L << 32) | 1), "18 61 00 00 01 00 00 00 00 00 00 00 10 00 00 00");
        // kernel extensions and the conformance suite's callx
        row(new Instruction(new Operation.MayGoto(), R0, R0, 3, 0), "e5 00 03 00 00 00 00 00");
        row(new Instruction(new Operation.GotoIndirect(), R1, R0, 0, 0), "0d 01 00 00 00 00 00 00");
        row(new Instruction(new Operation.NoSpec(), R0, R0, 0, 0), "c2 00 00 00 00 00 00 00");
        row(Instruction.movPercpu(R0, R0), "bf 00 ff ff 00 00 00 00");
        row(Instruction.addrSpaceCast(R1, R2, 1, 0), "bf 21 01 00 00 00 01 00");
        row(new Instruction(new Operation.CallRegister(), R2, R0, 0, 0), "8d 02 00 00 00 00 00 00");
    }

    static Stream<Arguments> table() {
        return TABLE.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("table")
    void encodes(Instruction insn, String hex) {
        assertEquals(hex, Hex.format(Program.of(List.of(insn)).encode()));
        assertEquals(hex.length() == 23 ? 1 : 2, insn.width());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("table")
    void decodes(Instruction insn, String hex) {
        assertEquals(List.of(insn), Program.decode(Hex.parse(hex)).instructions());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("table")
    void roundTrips(Instruction insn, String hex) {
        Program p = Program.of(List.of(insn, Instruction.exit()));
        assertEquals(p, Program.decode(p.encode()));
    }
}
