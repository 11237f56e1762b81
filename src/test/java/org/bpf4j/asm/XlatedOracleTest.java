package org.bpf4j.asm;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The disassembly of a program as the kernel holds it (after the verifier rewrote it: map addresses, helper
 * calls pointed at kernel functions, inlined lookups) equals bpftool's {@code prog dump xlated}, line for line,
 * with and without {@code opcodes}; and what we print assembles back to the same bytes.
 */
@Tag("kernel")
class XlatedOracleTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    /** Exercises maps (hash lookup inlined by the kernel, array), helpers, 32-bit ALU, jumps, atomics, swaps. */
    static Program program() {
        return Program.builder()
                .mov64(R6, R1)
                .call(Helper.KTIME_GET_NS)
                .stx(Size.DW, R10, -8, R0)
                .st(Size.W, R10, -12, 7)
                .loadMapFd(R1, "h")
                .mov64(R2, R10).alu64(AluOp.ADD, R2, -12)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jmp(JmpOp.JEQ, R0, 0, "miss")
                .mov64(R1, 1)
                .atomic(AtomicOp.ADD, Size.DW, R0, 0, R1)
                .label("miss")
                .loadMapFd(R1, "a")
                .mov64(R2, R10).alu64(AluOp.ADD, R2, -12)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jmp(JmpOp.JNE, R0, 0, "hit")
                .mov64(R0, 0)
                .exit()
                .label("hit")
                .ldx(Size.W, R3, R0, 4)
                .alu32(AluOp.MUL, R3, 3)
                .add(SwapOp.BE.of(R3, 16))
                .jmp32(JmpOp.JSGT, R3, -5, "out")
                .lddw(R4, 0x1122334455667788L)
                .stx(Size.DW, R0, 0, R4)
                .call(Helper.GET_PRANDOM_U32)
                .label("out")
                .mov64(R0, 0)
                .exit()
                .build();
    }

    @Test
    void disassemblyEqualsBpftoolsXlatedDump() throws Exception {
        try (KernelMap h = KernelMap.create(MapSpec.of("xh", MapType.HASH, 4, 8, 8));
             KernelMap a = KernelMap.create(MapSpec.of("xa", MapType.ARRAY, 4, 16, 8));
             KernelProgram p = KernelProgram.load(new ProgramSpec("t_xlated", ProgramType.SOCKET_FILTER, program(), "GPL"),
                     Map.of("h", h, "a", a))) {
            ProgramInfo info = p.info();
            List<Instruction> insns = Program.decode(info.xlated()).instructions();
            CallNames names = Kallsyms.get().xlatedCallNames();
            for (boolean opcodes : new boolean[] {false, true}) {
                String ours = String.join("\n", Disassembler.lines(insns, names, opcodes));
                String theirs = opcodes
                        ? Bpftool.run("prog", "dump", "xlated", "id", String.valueOf(info.id()), "opcodes")
                        : Bpftool.run("prog", "dump", "xlated", "id", String.valueOf(info.id()));
                assertEquals(theirs.stripTrailing(), ours.stripTrailing(), "opcodes=" + opcodes);
            }
            assertTrue(String.join("\n", Disassembler.lines(insns, names)).contains("map[id:" + h.id() + "]"));
            // our own (untranslated) program prints and assembles back to the same bytes
            Program original = program();
            String text = String.join("\n", Disassembler.lines(original.instructions(), CallNames.HELPERS));
            assertArrayEquals(Program.of(original.instructions()).encode(n -> 0), Assembler.parse(text).encode(n -> 0));
        }
    }
}
