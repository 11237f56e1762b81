package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Golden bpftool/disasm.c lines for each instruction kind; each line assembles back to the instruction. */
class DisassemblerTest {

    private static final List<Arguments> GOLDEN = new ArrayList<>();

    private static void golden(Instruction insn, String line) {
        GOLDEN.add(Arguments.of(insn, line));
    }

    static {
        golden(AluOp.MOV.imm64(R0, 0), "(b7) r0 = 0");
        golden(AluOp.MOV.reg64(R6, R1), "(bf) r6 = r1");
        golden(AluOp.ADD.imm64(R10, -8), "(07) r10 += -8");
        golden(AluOp.SUB.reg64(R1, R2), "(1f) r1 -= r2");
        golden(AluOp.MUL.imm64(R1, 3), "(27) r1 *= 3");
        golden(AluOp.DIV.reg64(R1, R2), "(3f) r1 /= r2");
        golden(AluOp.SDIV.imm64(R1, -3), "(37) r1 s/= -3");
        golden(AluOp.OR.imm64(R1, 1), "(47) r1 |= 1");
        golden(AluOp.AND.reg64(R1, R2), "(5f) r1 &= r2");
        golden(AluOp.LSH.imm64(R1, 32), "(67) r1 <<= 32");
        golden(AluOp.RSH.imm64(R1, 32), "(77) r1 >>= 32");
        golden(AluOp.ARSH.imm64(R1, 32), "(c7) r1 s>>= 32");
        golden(AluOp.MOD.reg64(R1, R2), "(9f) r1 %= r2");
        golden(AluOp.SMOD.reg64(R1, R2), "(9f) r1 s%= r2");
        golden(AluOp.XOR.reg64(R1, R1), "(af) r1 ^= r1");
        golden(AluOp.NEG.imm64(R1, 0), "(87) r1 = -r1");
        golden(AluOp.MOV.reg32(R0, R1), "(bc) w0 = w1");
        golden(AluOp.MOV.imm32(R0, -1), "(b4) w0 = -1");
        golden(AluOp.ADD.reg32(R0, R1), "(0c) w0 += w1");
        golden(AluOp.SDIV.reg32(R0, R1), "(3c) w0 s/= w1");
        golden(AluOp.SMOD.imm32(R0, 7), "(94) w0 s%= 7");
        golden(AluOp.NEG.imm32(R3, 0), "(84) w3 = -w3");
        golden(AluOp.MOVSX8.reg64(R1, R2), "(bf) r1 = (s8)r2");
        golden(AluOp.MOVSX16.reg64(R1, R2), "(bf) r1 = (s16)r2");
        golden(AluOp.MOVSX32.reg64(R1, R2), "(bf) r1 = (s32)r2");
        golden(AluOp.MOVSX16.reg32(R1, R2), "(bc) w1 = (s16)w2");
        golden(Instruction.addrSpaceCast(R1, R2, 1, 0), "(bf) r1 = addr_space_cast(r2, 1, 0)");
        golden(Instruction.movPercpu(R0, R0), "(bf) r0 = &(void __percpu *)(r0)");
        golden(SwapOp.LE.of(R0, 16), "(d4) r0 = le16 r0");
        golden(SwapOp.BE.of(R1, 32), "(dc) r1 = be32 r1");
        golden(SwapOp.BSWAP.of(R2, 64), "(d7) r2 = bswap64 r2");
        golden(Size.DW.load(R7, R1, 104), "(79) r7 = *(u64 *)(r1 +104)");
        golden(Size.W.load(R0, R10, -4), "(61) r0 = *(u32 *)(r10 -4)");
        golden(Size.H.load(R0, R1, 0), "(69) r0 = *(u16 *)(r1 +0)");
        golden(Size.B.load(R0, R1, 1), "(71) r0 = *(u8 *)(r1 +1)");
        golden(Size.B.loadSigned(R0, R10, -1), "(91) r0 = *(s8 *)(r10 -1)");
        golden(Size.H.loadSigned(R0, R1, 2), "(89) r0 = *(s16 *)(r1 +2)");
        golden(Size.W.loadSigned(R0, R1, 4), "(81) r0 = *(s32 *)(r1 +4)");
        golden(Size.DW.store(R10, -8, R1), "(7b) *(u64 *)(r10 -8) = r1");
        golden(Size.B.store(R10, -1, R1), "(73) *(u8 *)(r10 -1) = r1");
        golden(Size.W.storeImm(R10, -4, 0), "(62) *(u32 *)(r10 -4) = 0");
        golden(Size.DW.storeImm(R10, -8, -1), "(7a) *(u64 *)(r10 -8) = -1");
        golden(AtomicOp.ADD.of(Size.DW, R1, 0, R2), "(db) lock *(u64 *)(r1 +0) += r2");
        golden(AtomicOp.AND.of(Size.W, R1, 8, R2), "(c3) lock *(u32 *)(r1 +8) &= r2");
        golden(AtomicOp.OR.of(Size.DW, R1, 0, R2), "(db) lock *(u64 *)(r1 +0) |= r2");
        golden(AtomicOp.XOR.of(Size.DW, R1, 0, R2), "(db) lock *(u64 *)(r1 +0) ^= r2");
        golden(AtomicOp.FETCH_ADD.of(Size.DW, R1, 0, R0), "(db) r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)");
        golden(AtomicOp.FETCH_AND.of(Size.W, R1, 0, R2), "(c3) r2 = atomic_fetch_and((u32 *)(r1 +0), r2)");
        golden(AtomicOp.FETCH_OR.of(Size.DW, R10, -8, R3), "(db) r3 = atomic64_fetch_or((u64 *)(r10 -8), r3)");
        golden(AtomicOp.FETCH_XOR.of(Size.W, R1, 4, R2), "(c3) r2 = atomic_fetch_xor((u32 *)(r1 +4), r2)");
        golden(AtomicOp.XCHG.of(Size.DW, R10, -8, R1), "(db) r1 = atomic64_xchg((u64 *)(r10 -8), r1)");
        golden(AtomicOp.CMPXCHG.of(Size.W, R10, -8, R1), "(c3) r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)");
        golden(AtomicOp.LOAD_ACQUIRE.of(Size.B, R0, 0, R1), "(d3) r0 = load_acquire((u8 *)(r1 +0))");
        golden(AtomicOp.STORE_RELEASE.of(Size.DW, R1, -8, R2), "(db) store_release((u64 *)(r1 -8), r2)");
        golden(Size.W.loadAbs(12), "(20) r0 = *(u32 *)skb[12]");
        golden(Size.B.loadInd(R1, 4), "(50) r0 = *(u8 *)skb[r1 + 4]");
        golden(Instruction.lddw(R0, 0x1122334455667788L), "(18) r0 = 0x1122334455667788");
        golden(Instruction.lddw(R1, -1L), "(18) r1 = 0xffffffffffffffff");
        golden(Instruction.lddw(R1, 0), "(18) r1 = 0x0");
        golden(Instruction.loadMapFd(R1, 3), "(18) r1 = map[id:3]");
        golden(Instruction.loadMapValue(R1, 3, 16), "(18) r1 = map[id:3][0]+16");
        golden(Pseudo.FUNC.of(R2, 5), "(18) r2 = subprog[+5]");
        golden(Pseudo.FUNC.of(R2, 0xfffffffdL), "(18) r2 = subprog[-3]");
        golden(Pseudo.BTF_ID.of(R1, 77), "(18) r1 = btf_id[77]");
        golden(Pseudo.MAP_IDX.of(R1, 2), "(18) r1 = map[idx:2]");
        golden(Pseudo.MAP_IDX_VALUE.of(R1, (8L << 32) | 2), "(18) r1 = map[idx:2][0]+8");
        golden(JmpOp.JEQ.imm(R0, 0, 5), "(15) if r0 == 0x0 goto pc+5");
        golden(JmpOp.JNE.imm(R1, -1, -2), "(55) if r1 != 0xffffffff goto pc-2");
        golden(JmpOp.JGT.reg(R1, R2, 1), "(2d) if r1 > r2 goto pc+1");
        golden(JmpOp.JGE.imm(R1, 16, 0), "(35) if r1 >= 0x10 goto pc+0");
        golden(JmpOp.JSET.imm(R1, 8, 4), "(45) if r1 & 0x8 goto pc+4");
        golden(JmpOp.JSGT.reg(R1, R2, 1), "(6d) if r1 s> r2 goto pc+1");
        golden(JmpOp.JSGE.imm(R1, 1, 1), "(75) if r1 s>= 0x1 goto pc+1");
        golden(JmpOp.JLT.reg(R1, R2, 1), "(ad) if r1 < r2 goto pc+1");
        golden(JmpOp.JLE.imm(R1, 1, 1), "(b5) if r1 <= 0x1 goto pc+1");
        golden(JmpOp.JSLT.reg(R1, R2, 1), "(cd) if r1 s< r2 goto pc+1");
        golden(JmpOp.JSLE.imm(R1, 1, 1), "(d5) if r1 s<= 0x1 goto pc+1");
        golden(JmpOp.JEQ.imm32(R1, 1, 1), "(16) if w1 == 0x1 goto pc+1");
        golden(JmpOp.JNE.reg32(R1, R2, -1), "(5e) if w1 != w2 goto pc-1");
        golden(Instruction.ja(-1), "(05) goto pc-1");
        golden(Instruction.ja(0), "(05) goto pc+0");
        golden(Instruction.gotol(70000), "(06) gotol pc+70000");
        golden(new Instruction(new Operation.MayGoto(), R0, R0, 3, 0), "(e5) may_goto pc+3");
        golden(new Instruction(new Operation.GotoIndirect(), R3, R0, 0, 0), "(0d) gotox r3");
        golden(Instruction.call(Helper.MAP_UPDATE_ELEM), "(85) call bpf_map_update_elem#2");
        golden(Instruction.call(Helper.UNSPEC), "(85) call bpf_unspec#0");
        golden(CallKind.HELPER.of(151312), "(85) call unknown#151312");
        golden(CallKind.HELPER.of(-5), "(85) call unknown#-5");
        golden(Instruction.callLocal(5), "(85) call pc+5");
        golden(Instruction.callLocal(-9), "(85) call pc-9");
        golden(Instruction.callKfunc(1234, 0), "(85) call kernel-function#1234");
        golden(new Instruction(new Operation.CallRegister(), R2, R0, 0, 0), "(8d) callx r2");
        golden(Instruction.exit(), "(95) exit");
        golden(new Instruction(new Operation.NoSpec(), R0, R0, 0, 0), "(c2) nospec");
    }

    static Stream<Arguments> golden() {
        return GOLDEN.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("golden")
    void printsLikeBpftool(Instruction insn, String line) {
        assertEquals(line, Disassembler.format(insn, CallNames.HELPERS));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("golden")
    void assemblesBack(Instruction insn, String line) {
        assertEquals(List.of(insn), Assembler.parse(line).instructions());
        assertEquals(List.of(insn), Assembler.parse("  12: " + line).instructions());
    }

    @Test
    void slotPrefixAndOpcodes() {
        List<Instruction> insns = List.of(Size.DW.load(R7, R1, 104), Instruction.loadMapFd(R1, 3),
                Instruction.call(Helper.MAP_UPDATE_ELEM), Instruction.exit());
        assertEquals(List.of(
                "   0: (79) r7 = *(u64 *)(r1 +104)",
                "   1: (18) r1 = map[id:3]",
                "   3: (85) call bpf_map_update_elem#2",
                "   4: (95) exit"), Disassembler.lines(insns, CallNames.HELPERS));
        assertEquals("""
                   0: (79) r7 = *(u64 *)(r1 +104)
                       79 17 68 00 00 00 00 00
                   1: (18) r1 = map[id:3]
                       18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00
                   3: (85) call bpf_map_update_elem#2
                       85 00 00 00 02 00 00 00
                   4: (95) exit
                       95 00 00 00 00 00 00 00
                """, Disassembler.dump(insns, CallNames.HELPERS, true));
    }

    @Test
    void wideSlotIndices() {
        List<Instruction> insns = new ArrayList<>();
        for (int i = 0; i < 10001; i++) {
            insns.add(AluOp.MOV.imm64(R0, 0));
        }
        List<String> lines = Disassembler.lines(insns, CallNames.HELPERS);
        assertEquals("   9: (b7) r0 = 0", lines.get(9));
        assertEquals(" 9999: (b7) r0 = 0", lines.get(9999)); // C's "% 4d" keeps the sign space
        assertEquals(" 10000: (b7) r0 = 0", lines.get(10000));
    }

    @Test
    void callNamesNameXlatedCalls() {
        // in an xlated dump the helper imm is (address - __bpf_call_base); bpftool prints the kallsyms name
        CallNames kallsyms = insn -> insn.imm() == 151312 ? Optional.of("__htab_map_lookup_elem") : Optional.empty();
        assertEquals("(85) call __htab_map_lookup_elem#151312",
                Disassembler.format(CallKind.HELPER.of(151312), kallsyms));
        assertEquals("(85) call unknown#151313", Disassembler.format(CallKind.HELPER.of(151313), kallsyms));
        // the helper table wins for ids in range, as in disasm.c
        assertEquals("(85) call bpf_map_lookup_elem#1", Disassembler.format(CallKind.HELPER.of(1), insn -> Optional.of("x")));
        // local calls: the name follows "pc"
        assertEquals("(85) call pc+2#bpf_prog_1_f",
                Disassembler.format(Instruction.callLocal(7), insn -> Optional.of("+2#bpf_prog_1_f")));
        assertEquals("(85) call bpf_rcu_read_lock#4242",
                Disassembler.format(Instruction.callKfunc(4242, 1), insn -> Optional.of("bpf_rcu_read_lock")));
        assertEquals(Optional.of("bpf_trace_printk"), CallNames.HELPERS.name(Instruction.call(Helper.TRACE_PRINTK)));
        assertEquals(Optional.empty(), CallNames.HELPERS.name(Instruction.callLocal(1)));
    }
}
