package org.bpf4j.asm;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder resolves labels and keeps map references; encode fills map fds. */
class ProgramTest {

    @Test
    void forwardAndBackwardLabelsCountSlots() {
        Program p = Program.builder()
                .label("top")
                .mov64(R0, 0)                        // 0
                .jmp(JmpOp.JEQ, R1, 0, "out")        // 1 -> 5: +3 (lddw is 2 slots)
                .lddw(R2, 1)                         // 2,3
                .jmp(JmpOp.JNE, R1, R2, "top")       // 4 -> 0: -5
                .label("out")
                .ja("end")                           // 5 -> 7: +1
                .jmp32(JmpOp.JSGT, R1, 4, "top")     // 6 -> 0: -7
                .label("end")
                .exit()
                .build();
        List<Instruction> insns = p.instructions();
        assertEquals(JmpOp.JEQ.imm(R1, 0, 3), insns.get(1));
        assertEquals(JmpOp.JNE.reg(R1, R2, -5), insns.get(3));
        assertEquals(Instruction.ja(1), insns.get(4));
        assertEquals(JmpOp.JSGT.imm32(R1, 4, -7), insns.get(5));
        assertEquals(8, p.slots());
        assertEquals(7, insns.size());
        assertEquals(Map.of("top", 0, "out", 4, "end", 6), p.labels());
        assertEquals(4, p.slotOf(3));
        assertEquals(p.instructions(), Program.decode(p.encode()).instructions());
    }

    @Test
    void localCallsGotolAndFuncAddressUseImm() {
        Program p = Program.builder()
                .callLocal("f")          // 0 -> 4: imm 3
                .loadFunc(R1, "f")       // 1,2 -> 4: imm 4 - (1 + 1)
                .exit()                  // 3
                .label("f")
                .gotol("f")              // 4 -> 4: imm -1
                .build();
        assertEquals(Instruction.callLocal(3), p.instructions().get(0));
        assertEquals(Pseudo.FUNC.of(R1, 2), p.instructions().get(1));
        assertEquals(Instruction.gotol(-1), p.instructions().get(3));
    }

    @Test
    void backwardSubprogAddressStaysInTheLowHalf() {
        Program p = Program.builder().label("f").exit().loadFunc(R1, "f").exit().build();
        assertEquals(Pseudo.FUNC.of(R1, 0xfffffffeL), p.instructions().get(1)); // slot 1 -> 0: 0 - (1 + 1)
        assertArrayEquals(Hex.parse("18 41 00 00 fe ff ff ff 00 00 00 00 00 00 00 00"),
                java.util.Arrays.copyOfRange(p.encode(), 8, 24));
    }

    @Test
    void undefinedLabel() {
        var e = assertThrows(IllegalArgumentException.class, () -> Program.builder().ja("nowhere").exit().build());
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void duplicateLabel() {
        var b = Program.builder().label("a").exit().label("a").exit();
        var e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("duplicate label 'a'"), e.getMessage());
    }

    @Test
    void offsetOutOfRange() {
        var b = Program.builder().ja("far");
        for (int i = 0; i < 40000; i++) {
            b.mov64(R0, 0);
        }
        b.label("far").exit();
        assertThrows(IllegalArgumentException.class, b::build);
    }

    @Test
    void gotolReachesFar() {
        var b = Program.builder().gotol("far");
        for (int i = 0; i < 40000; i++) {
            b.mov64(R0, 0);
        }
        Program p = b.label("far").exit().build();
        assertEquals(Instruction.gotol(40000), p.instructions().getFirst());
    }

    @Test
    void mapReferencesAreFilledAtEncode() {
        Program p = Program.builder()
                .mov64(R6, R1)
                .loadMapFd(R1, "counts")
                .loadMapValue(R2, "rodata", 8)
                .call(Helper.MAP_LOOKUP_ELEM)
                .exit()
                .build();
        assertEquals(List.of(new MapReference(1, "counts"), new MapReference(2, "rodata")), p.mapReferences());
        byte[] raw = p.encode(name -> name.equals("counts") ? 7 : 9);
        assertArrayEquals(Hex.parse("""
                bf 16 00 00 00 00 00 00
                18 11 00 00 07 00 00 00 00 00 00 00 00 00 00 00
                18 22 00 00 09 00 00 00 00 00 00 00 08 00 00 00
                85 00 00 00 01 00 00 00
                95 00 00 00 00 00 00 00"""), raw);
        assertThrows(IllegalStateException.class, p::encode);
        var e = assertThrows(IllegalArgumentException.class, () -> p.encode(name -> name.equals("counts") ? 7 : -1));
        assertTrue(e.getMessage().contains("rodata"), e.getMessage());
    }

    @Test
    void builderCoversTheContract() {
        Program p = Program.builder()
                .mov64(R1, R2).mov64(R1, 1).mov32(R1, R2).mov32(R1, 1)
                .alu64(AluOp.ADD, R1, R2).alu64(AluOp.ADD, R1, 1).alu32(AluOp.SUB, R1, R2).alu32(AluOp.SUB, R1, 1)
                .ldx(Size.DW, R1, R2, 8).stx(Size.W, R10, -4, R1).st(Size.B, R10, -1, 7)
                .lddw(R1, 5).loadMapFd(R1, "m")
                .label("l").jmp(JmpOp.JGT, R1, 1, "l").jmp(JmpOp.JGT, R1, R2, "l").jmp32(JmpOp.JLT, R1, 1, "l")
                .jmp32(JmpOp.JLT, R1, R2, "l").ja("l")
                .call(Helper.KTIME_GET_NS).callLocal("l").add(Instruction.exit()).exit()
                .build();
        assertEquals(22, p.instructions().size());
        assertEquals(24, p.slots());
        assertEquals(p.instructions(), Program.decode(p.encode(n -> 3)).instructions().stream()
                .map(i -> i.isMapLoad() ? i.withImm(0) : i).toList());
    }
}
