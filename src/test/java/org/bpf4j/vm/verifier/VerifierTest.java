package org.bpf4j.vm.verifier;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.Vm;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VerifierTest {
    private static final MapSpec HASH = MapSpec.of("counts", MapType.HASH, 4, 8, 16);
    private static final VerifierOptions OPTS = VerifierOptions.of(16).withMaps(Map.of("counts", HASH));

    private static Verification accept(Program p) {
        return Verifier.verify(p, "t", OPTS);
    }

    private static VerifierException reject(Program p) {
        return assertThrows(VerifierException.class, () -> Verifier.verify(p, "t", OPTS));
    }

    private static Program.Builder b() {
        return Program.builder();
    }

    @Test
    void readingAnUninitialisedRegisterIsRejectedAtItsInstruction() {
        VerifierException e = reject(b().mov64(Reg.R1, 1).exit().build());
        assertEquals(1, e.instruction());
        assertEquals("R0 !read_ok", e.reason());
        assertTrue(e.getMessage().contains("at instruction 1"), e.getMessage());
        assertTrue(e.log().contains("1: (95)"), e.log());
        reject(b().alu64(AluOp.ADD, Reg.R0, Reg.R3).exit().build());
    }

    @Test
    void contextAccessesAreBoundsChecked() {
        accept(b().ldx(Size.DW, Reg.R0, Reg.R1, 8).exit().build());
        VerifierException e = reject(b().ldx(Size.DW, Reg.R0, Reg.R1, 9).exit().build());
        assertEquals(0, e.instruction());
        assertTrue(e.reason().contains("invalid access to context"), e.reason());
    }

    @Test
    void stackMustBeWrittenBeforeItIsRead() {
        accept(b().st(Size.W, Reg.R10, -4, 1).ldx(Size.W, Reg.R0, Reg.R10, -4).exit().build());
        VerifierException e = reject(b().st(Size.W, Reg.R10, -4, 1).ldx(Size.DW, Reg.R0, Reg.R10, -8).exit().build());
        assertTrue(e.reason().startsWith("invalid read from stack"), e.reason());
        reject(b().st(Size.W, Reg.R10, -516, 1).mov64(Reg.R0, 0).exit().build());
        reject(b().st(Size.W, Reg.R10, 0, 1).mov64(Reg.R0, 0).exit().build());
    }

    @Test
    void spilledPointersComeBackAsPointers() {
        accept(b().stx(Size.DW, Reg.R10, -8, Reg.R1).ldx(Size.DW, Reg.R2, Reg.R10, -8).ldx(Size.B, Reg.R0, Reg.R2, 15).exit().build());
        VerifierException e = reject(b().stx(Size.DW, Reg.R10, -8, Reg.R1).ldx(Size.W, Reg.R2, Reg.R10, -8).mov64(Reg.R0, 0).exit().build());
        assertEquals("invalid size of register fill", e.reason());
    }

    private static Program.Builder lookup() {
        return b().st(Size.W, Reg.R10, -4, 7).loadMapFd(Reg.R1, "counts").mov64(Reg.R2, Reg.R10).alu64(AluOp.ADD, Reg.R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM);
    }

    @Test
    void mapValuesNeedANullCheck() {
        VerifierException e = reject(lookup().ldx(Size.DW, Reg.R0, Reg.R0, 0).exit().build());
        assertEquals("R0 invalid mem access 'map_value_or_null'", e.reason());
        accept(lookup().jmp(JmpOp.JEQ, Reg.R0, 0, "out").ldx(Size.DW, Reg.R0, Reg.R0, 0).label("out").exit().build());
        // the copy in r6 is checked through r0
        accept(lookup().mov64(Reg.R6, Reg.R0).jmp(JmpOp.JNE, Reg.R0, 0, "ok").mov64(Reg.R0, 0).exit()
                .label("ok").ldx(Size.DW, Reg.R0, Reg.R6, 0).exit().build());
        e = reject(lookup().jmp(JmpOp.JEQ, Reg.R0, 0, "out").ldx(Size.DW, Reg.R0, Reg.R0, 4).label("out").exit().build());
        assertTrue(e.reason().startsWith("invalid access to map value, value_size=8 off=4 size=8"), e.reason());
    }

    @Test
    void helperArgumentsAreChecked() {
        VerifierException e = reject(b().loadMapFd(Reg.R1, "counts").mov64(Reg.R2, Reg.R10).alu64(AluOp.ADD, Reg.R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM).mov64(Reg.R0, 0).exit().build());
        assertTrue(e.reason().startsWith("invalid indirect read from stack R2"), e.reason());
        e = reject(b().mov64(Reg.R1, 0).mov64(Reg.R2, 0).call(Helper.MAP_LOOKUP_ELEM).mov64(Reg.R0, 0).exit().build());
        assertEquals("R1 type=scalar expected=map_ptr", e.reason());
        e = reject(b().call(Helper.SKB_STORE_BYTES).exit().build());
        assertTrue(e.reason().startsWith("unknown func bpf_skb_store_bytes#9"), e.reason());
    }

    @Test
    void variableOffsetsMustBeBounded() {
        // r2 = ctx[0] (a byte); r1 += r2; r0 = *(u8 *)(r1 + 0): 0..255 is beyond 16 bytes
        Program unchecked = b().ldx(Size.B, Reg.R2, Reg.R1, 0).alu64(AluOp.ADD, Reg.R1, Reg.R2).ldx(Size.B, Reg.R0, Reg.R1, 0).exit().build();
        assertTrue(reject(unchecked).reason().startsWith("invalid access to context"));
        Program checked = b().ldx(Size.B, Reg.R2, Reg.R1, 0).alu64(AluOp.AND, Reg.R2, 15).alu64(AluOp.ADD, Reg.R1, Reg.R2)
                .ldx(Size.B, Reg.R0, Reg.R1, 0).exit().build();
        accept(checked);
        Program compared = b().ldx(Size.B, Reg.R2, Reg.R1, 0).mov64(Reg.R0, 0).jmp(JmpOp.JGT, Reg.R2, 12, "out")
                .alu64(AluOp.ADD, Reg.R1, Reg.R2).ldx(Size.W, Reg.R0, Reg.R1, 0).label("out").exit().build();
        accept(compared);
    }

    @Test
    void countedLoopOfTenMillionIterationsVerifiesFastAndRuns() {
        Program p = b().mov64(Reg.R0, 0).mov64(Reg.R1, 0)
                .label("loop").alu64(AluOp.ADD, Reg.R0, 3).alu64(AluOp.ADD, Reg.R1, 1)
                .jmp(JmpOp.JLT, Reg.R1, 10_000_000, "loop").exit().build();
        Verification v = accept(p);
        assertEquals(1, v.loops());
        assertTrue(v.instructionsProcessed() < 1000, "processed " + v.instructionsProcessed());
        assertTrue(v.nanos() < 1_000_000_000L, "took " + v.nanos() + " ns");
        try (Vm vm = Vm.builder(p).engine(Engine.INTERPRETER).build()) {
            assertEquals(30_000_000L, vm.run());
        }
    }

    @Test
    void loopsWithoutAProvableExitAreRejected() {
        VerifierOptions small = new VerifierOptions(OPTS.type(), OPTS.maps(), 16, true, true, true, 50_000);
        java.util.function.Function<Program, VerifierException> reject = p ->
                assertThrows(VerifierException.class, () -> Verifier.verify(p, "t", small));
        VerifierException e = reject.apply(b().mov64(Reg.R0, 0).label("l").ja("l").build());
        assertTrue(e.reason().contains("infinite loop detected at insn 1"), e.reason());
        // a loop whose state changes on every iteration is walked until the budget runs out
        e = reject.apply(b().mov64(Reg.R0, 0).label("l").alu64(AluOp.ADD, Reg.R0, 1).mov64(Reg.R1, Reg.R0).alu64(AluOp.AND, Reg.R1, 1)
                .jmp(JmpOp.JNE, Reg.R1, 2, "l").exit().build());
        assertTrue(e.reason().contains("not proven to terminate") && e.reason().contains("walking it took more than 50000"), e.reason());
        // the counter moves away from its bound
        e = reject.apply(b().mov64(Reg.R0, 10).label("l").alu64(AluOp.ADD, Reg.R0, 1).jmp(JmpOp.JGT, Reg.R0, 5, "l").exit().build());
        assertTrue(e.reason().contains("moves away"), e.reason());
        // stepping by 2 from an unknown start can skip the single exit value 0
        // (walked, an unknown r0 stays unknown: the state repeats, as the kernel finds it)
        e = reject.apply(b().ldx(Size.DW, Reg.R0, Reg.R1, 0).label("l").alu64(AluOp.SUB, Reg.R0, 2).jmp(JmpOp.JNE, Reg.R0, 0, "l").exit().build());
        assertTrue(e.reason().contains("infinite loop detected at insn 1"), e.reason());
        // a down-counting loop with a step of 1 to zero is fine from a byte plus one; from any u64 (or from 0) it
        // ends, but after up to 2^64 iterations: more work than a run may do (issue 15: 'l: r0 += 1; if r0 < -1
        // goto l' was accepted)
        accept(b().ldx(Size.B, Reg.R0, Reg.R1, 0).alu64(AluOp.ADD, Reg.R0, 1).label("l").alu64(AluOp.SUB, Reg.R0, 1).jmp(JmpOp.JNE, Reg.R0, 0, "l").exit().build());
        e = reject.apply(b().ldx(Size.DW, Reg.R0, Reg.R1, 0).label("l").alu64(AluOp.SUB, Reg.R0, 1).jmp(JmpOp.JNE, Reg.R0, 0, "l").exit().build());
        assertTrue(e.reason().contains("it may run about 2^64 iterations, more than the 100000000 a run may take"), e.reason());
        e = reject.apply(b().mov64(Reg.R0, 0).label("l").alu64(AluOp.ADD, Reg.R0, 1).jmp(JmpOp.JLT, Reg.R0, -1, "l").exit().build());
        assertTrue(e.reason().contains("about 2^64 iterations"), e.reason());
        // a loop bounded by a value read from the context, which the loop does not change: a u16 fits the budget,
        // a u32 only a larger one
        accept(b().ldx(Size.H, Reg.R2, Reg.R1, 0).mov64(Reg.R0, 0).label("l").jmp(JmpOp.JGE, Reg.R0, Reg.R2, "out")
                .alu64(AluOp.ADD, Reg.R0, 1).ja("l").label("out").exit().build());
        Program u32 = b().ldx(Size.W, Reg.R2, Reg.R1, 0).mov64(Reg.R0, 0).label("l").jmp(JmpOp.JGE, Reg.R0, Reg.R2, "out")
                .alu64(AluOp.ADD, Reg.R0, 1).ja("l").label("out").exit().build();
        assertTrue(reject.apply(u32).reason().contains("it may run 4294967297 iterations"));
        Verifier.verify(u32, "t", small.withMaxIterations(1L << 33));
        // nested loops multiply: 1,000 x 1,000 fits 2 x 10^6, not 10^5
        Program nested = b().mov64(Reg.R0, 0).mov64(Reg.R2, 0).label("outer").mov64(Reg.R3, 0).label("inner")
                .alu64(AluOp.ADD, Reg.R0, 1).alu64(AluOp.ADD, Reg.R3, 1).jmp(JmpOp.JLT, Reg.R3, 1000, "inner")
                .alu64(AluOp.ADD, Reg.R2, 1).jmp(JmpOp.JLT, Reg.R2, 1000, "outer").exit().build();
        Verifier.verify(nested, "t", small.withMaxIterations(2_000_000));
        e = assertThrows(VerifierException.class, () -> Verifier.verify(nested, "t", small.withMaxIterations(100_000)));
        assertTrue(e.reason().contains("with the loops around it"), e.reason());
    }

    /**
     * A walked loop that comes back to its head in the state it left (fuzzing found 'if r0 != K goto pc-1' with r0
     * a different constant) is an infinite loop at once, as the kernel says, not a walk to the instruction budget.
     */
    @Test
    void anInfiniteLoopIsDetectedWithoutWalkingToTheBudget() {
        Program p = b().mov64(Reg.R0, 0x11223344).label("l").jmp(JmpOp.JNE, Reg.R0, 0x1122ffff, "l").exit().build();
        VerifierException e = assertThrows(VerifierException.class, () -> Verifier.verify(p, "t", OPTS));
        assertTrue(e.reason().contains("infinite loop detected at insn 1"), e.reason());
        assertTrue(e.getMessage().length() < 10_000 && !e.log().contains("processed 1000"), "stopped early");
    }

    @Test
    void aLoopTheProofCannotHandleIsWalkedIterationByIteration() {
        // the exit compares a masked copy of the counter: no counter for the proof, but at most 64 iterations
        Program p = b().ldx(Size.B, Reg.R1, Reg.R1, 0).alu64(AluOp.AND, Reg.R1, 63).mov64(Reg.R0, 0)
                .label("loop").mov64(Reg.R2, Reg.R0).alu64(AluOp.AND, Reg.R2, 255).jmp(JmpOp.JGT, Reg.R1, Reg.R2, "body").ja("out")
                .label("body").alu64(AluOp.ADD, Reg.R0, 1).ja("loop")
                .label("out").exit().build();
        Verification v = accept(p);
        assertEquals(1, v.loops());
        assertTrue(v.instructionsProcessed() > 64 * 5, "walked: " + v.instructionsProcessed());
    }

    @Test
    void loopsIndexingTheStackStayInBounds() {
        // for (i = 0; i < 8; i++) stack[-64 + 8*i] = i; return stack[-8]
        Program p = b().mov64(Reg.R1, 0)
                .label("l").mov64(Reg.R2, Reg.R1).alu64(AluOp.LSH, Reg.R2, 3).mov64(Reg.R3, Reg.R10).alu64(AluOp.ADD, Reg.R3, -64)
                .alu64(AluOp.ADD, Reg.R3, Reg.R2).stx(Size.DW, Reg.R3, 0, Reg.R1).alu64(AluOp.ADD, Reg.R1, 1)
                .jmp(JmpOp.JLT, Reg.R1, 8, "l").mov64(Reg.R0, 0).exit().build();
        accept(p);
        Program over = b().mov64(Reg.R1, 0)
                .label("l").mov64(Reg.R2, Reg.R1).alu64(AluOp.LSH, Reg.R2, 3).mov64(Reg.R3, Reg.R10).alu64(AluOp.ADD, Reg.R3, -64)
                .alu64(AluOp.ADD, Reg.R3, Reg.R2).stx(Size.DW, Reg.R3, 0, Reg.R1).alu64(AluOp.ADD, Reg.R1, 1)
                .jmp(JmpOp.JLE, Reg.R1, 8, "l").mov64(Reg.R0, 0).exit().build();
        assertTrue(reject(over).reason().startsWith("invalid write to stack"));
    }

    @Test
    void localCallsAreVerifiedInTheirFrame() {
        accept(b().mov64(Reg.R1, 5).callLocal("f").exit().label("f").mov64(Reg.R0, Reg.R1).alu64(AluOp.ADD, Reg.R0, 1).exit().build());
        // the callee cannot read the caller's r6
        VerifierException e = reject(b().mov64(Reg.R6, 5).callLocal("f").exit().label("f").mov64(Reg.R0, Reg.R6).exit().build());
        assertEquals("R6 !read_ok", e.reason());
        // r1-r5 are gone after the call
        reject(b().mov64(Reg.R1, 5).callLocal("f").mov64(Reg.R0, Reg.R1).exit().label("f").mov64(Reg.R0, 0).exit().build());
        e = reject(b().callLocal("f").exit().label("f").callLocal("f").mov64(Reg.R0, 0).exit().build());
        assertTrue(e.reason().startsWith("recursive call"), e.reason());
    }

    @Test
    void pointersDoNotLeak() {
        assertEquals("R0 leaks addr as return value", reject(b().mov64(Reg.R0, Reg.R10).exit().build()).reason());
        assertTrue(reject(b().stx(Size.DW, Reg.R1, 0, Reg.R10).mov64(Reg.R0, 0).exit().build()).reason().contains("leaks addr"));
    }

    @Test
    void theFramePointerIsReadOnly() {
        assertEquals("frame pointer is read only", reject(b().ldx(Size.DW, Reg.R10, Reg.R1, 0).mov64(Reg.R0, 0).exit().build()).reason());
        assertEquals("frame pointer is read only", reject(b().alu64(AluOp.ADD, Reg.R10, 8).mov64(Reg.R0, 0).exit().build()).reason());
    }

    @Test
    void fallingOffTheEndIsRejected() {
        assertEquals("last insn is not an exit or jmp", reject(b().mov64(Reg.R0, 0).build()).reason());
    }
}
