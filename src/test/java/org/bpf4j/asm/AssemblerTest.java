package org.bpf4j.asm;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Both assembler dialects, labels, comments and error positions. */
class AssemblerTest {

    @Test
    void bpftoolDumpWithPrefixesAndOpcodes() {
        Program p = Assembler.parse("""
                int handle(struct pt_regs * ctx):
                ; int handle(struct pt_regs *ctx)
                   0: (bf) r6 = r1
                       bf 16 00 00 00 00 00 00
                   1: (79) r7 = *(u64 *)(r1 +104)
                   2: (b7) r1 = 0
                   3: (7b) *(u64 *)(r10 -8) = r1
                   4: (bf) r2 = r10
                   5: (07) r2 += -8
                   6: (18) r1 = map[id:3]
                       18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00
                   8: (85) call bpf_map_lookup_elem#1
                   9: (15) if r0 == 0x0 goto pc+1
                  10: (db) lock *(u64 *)(r0 +0) += r7
                  11: (b7) r0 = 0
                  12: (95) exit
                """);
        assertArrayEquals(Hex.parse("""
                bf 16 00 00 00 00 00 00  79 17 68 00 00 00 00 00  b7 01 00 00 00 00 00 00
                7b 1a f8 ff 00 00 00 00  bf a2 00 00 00 00 00 00  07 02 00 00 f8 ff ff ff
                18 11 00 00 03 00 00 00  00 00 00 00 00 00 00 00  85 00 00 00 01 00 00 00
                15 00 01 00 00 00 00 00  db 70 00 00 00 00 00 00  b7 00 00 00 00 00 00 00
                95 00 00 00 00 00 00 00"""), p.encode());
    }

    @Test
    void conformanceDialect() {
        Program p = Assembler.parse("""
                # comment line
                mov32 %r0, 1          # trailing comment
                add %r0, %r1
                lddw %r0, 0x1122334455667788
                ldxw %r0, [%r1+4]
                stxdw [%r10-8], %r1
                stw [%r10], 0xffffffff
                jeq %r1, 0x10, +2
                ja +1
                lock fetch add32 [%r10-4], %r1
                be16 %r0
                neg %r0
                movsx1632 %r0, %r1
                ldxsb %r0, [%r10-1]
                call 5
                exit
                """);
        assertEquals(List.of(
                AluOp.MOV.imm32(R0, 1), AluOp.ADD.reg64(R0, R1), Instruction.lddw(R0, 0x1122334455667788L),
                Size.W.load(R0, R1, 4), Size.DW.store(R10, -8, R1), Size.W.storeImm(R10, 0, -1),
                JmpOp.JEQ.imm(R1, 0x10, 2), Instruction.ja(1), AtomicOp.FETCH_ADD.of(Size.W, R10, -4, R1),
                SwapOp.BE.of(R0, 16), AluOp.NEG.imm64(R0, 0), AluOp.MOVSX16.reg32(R0, R1),
                Size.B.loadSigned(R0, R10, -1), CallKind.HELPER.of(5), Instruction.exit()), p.instructions());
    }

    @Test
    void labelsInBothDialects() {
        Program p = Assembler.parse("""
                  mov %r0, 0
                loop:
                  add %r0, 1
                  jlt %r0, 10, loop
                  if r0 != 0xa goto fail
                  call local f
                  r1 = subprog[f]
                  ja32 done
                fail: r0 = -1
                done:
                  exit
                f:
                  w0 = 0
                  exit
                """);
        List<Instruction> i = p.instructions();
        assertEquals(JmpOp.JLT.imm(R0, 10, -2), i.get(2));
        assertEquals(JmpOp.JNE.imm(R0, 10, 4), i.get(3));       // slot 3 -> slot 8
        assertEquals(Instruction.callLocal(5), i.get(4));       // slot 4 -> slot 10
        assertEquals(Pseudo.FUNC.of(R1, 4), i.get(5));          // slot 5 -> slot 10
        assertEquals(Instruction.gotol(1), i.get(6));           // slot 7 -> slot 9
        assertEquals(Integer.valueOf(7), p.labels().get("fail"));
    }

    @Test
    void implicitExitLabel() {
        Program p = Assembler.parse("jeq %r1, 0xb, exit\nmov %r0, 1\nexit\n");
        assertEquals(JmpOp.JEQ.imm(R1, 11, 1), p.instructions().getFirst());
    }

    @Test
    void mapByName() {
        Program p = Assembler.parse("r1 = map[counts]\nr2 = map[rodata][0]+8\ncall bpf_map_lookup_elem#1\nexit");
        assertEquals(List.of(new MapReference(0, "counts"), new MapReference(1, "rodata")), p.mapReferences());
        byte[] raw = p.encode(name -> name.equals("counts") ? 4 : 5);
        assertEquals(Instruction.loadMapFd(R1, 4), Program.decode(raw).instructions().get(0));
        assertEquals(Instruction.loadMapValue(R2, 5, 8), Program.decode(raw).instructions().get(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            mov %r0, 1\\nor %r0, %r50           | line 2:9: invalid register r50
            mov32 %r0, 2147483648              | line 1:12: immediate 2147483648 out of range
            mov32 %r0, 0x100000000             | line 1:12: immediate 0x100000000 out of range
            ldxb %r0, [%r1+0x10000]            | line 1:16: offset +0x10000 out of range
            ldxb %r0, %r1                      | line 1:11: expected a memory operand
            ldxq %r0, %r1                      | line 1:1: unknown mnemonic 'ldxq'
            lddw %r0                           | line 1:1: invalid number of operands for lddw
            exit\\n  ja NOT_A_LABEL             | line 2:6: undefined label 'NOT_A_LABEL'
            lock or [%r10-8]                   | line 1:6: invalid number of operands for lock
            a:\\nexit\\na:\\nexit               | line 3:1: duplicate label 'a'
            r1 = frob(r2)                      | line 1:1: cannot parse 'r1 = frob(r2)'
            frob r1                            | line 1:1: unknown mnemonic 'frob'
            store_release((u64 *)(r1 +0), r11) | line 1:31: invalid register r11
            r1 += w2                           | line 1:7: mixed r and w registers
            '   0: (bf) r11 = r1'              | line 1:12: invalid register r11
            r1 = *(u64 *)(r2 +40000)           | line 1:19: offset +40000 out of range
            if r1 == 0x1 goto pc+32768         | line 1:19: offset +32768 out of range
            """)
    void errorsNameLineAndColumn(String text, String message) {
        AsmSyntaxException e = assertThrows(AsmSyntaxException.class,
                () -> Assembler.parse(text.replace("\\n", "\n")));
        assertEquals(message, e.getMessage().substring(0, Math.min(e.getMessage().length(), message.length())),
                e.getMessage());
    }

    @Test
    void caretPointsAtTheColumn() {
        AsmSyntaxException e = assertThrows(AsmSyntaxException.class, () -> Assembler.parse("or %r0, %r50"));
        assertEquals("or %r0, %r50\n        ^", e.caret());
        assertEquals(1, e.line());
        assertEquals(9, e.column());
    }
}
