package org.bpf4j.vm.jit;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.LinkedProgram;
import org.bpf4j.vm.Vm;
import org.junit.jupiter.api.Test;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;

import static org.junit.jupiter.api.Assertions.*;

/** What the JIT generates: one class per program, a method per subprogram, and its limits. */
class JitTest {
    @Test
    void oneHiddenClassPerProgramWithAMethodPerSubprogram() {
        Program p = Program.builder().mov64(Reg.R1, 2).callLocal("f").exit()
                .label("f").mov64(Reg.R0, Reg.R1).alu64(AluOp.MUL, Reg.R0, 21).exit().build();
        ClassModel model = ClassFile.of().parse(JitCompiler.bytecode(LinkedProgram.link(p)));
        assertTrue(model.thisClass().asInternalName().startsWith("org/bpf4j/vm/jit/BpfProgram"));
        assertEquals(java.util.List.of("<init>", "execute", "sub0", "sub3"), model.methods().stream().map(m -> m.methodName().stringValue()).toList());
        MethodModel sub = model.methods().get(2);
        assertEquals("(Lorg/bpf4j/vm/Machine;Lorg/bpf4j/vm/Memory;JJJJJJ)J", sub.methodType().stringValue());
        try (Vm a = Vm.builder(p).engine(Engine.JIT).build(); Vm b = Vm.builder(p).engine(Engine.JIT).build()) {
            assertEquals(42, a.run());
            assertNotSame(a.machine(), b.machine());
        }
    }

    @Test
    void largeSubprogramsAreSplitIntoChunksThatHotSpotCompiles() {
        // two loops whose bodies span several chunks, a forward jump across chunks, and a local call
        Program.Builder b = Program.builder().mov64(Reg.R0, 0).mov64(Reg.R1, 0).mov64(Reg.R6, 7)
                .label("outer");
        for (int i = 0; i < 700; i++) {
            b.alu64(AluOp.ADD, Reg.R0, i).alu64(AluOp.XOR, Reg.R0, Reg.R1);
            if (i == 350) b.jmp(org.bpf4j.asm.JmpOp.JSET, Reg.R0, 4, "far");
        }
        b.label("far").stx(org.bpf4j.asm.Size.DW, Reg.R10, -8, Reg.R0).ldx(org.bpf4j.asm.Size.DW, Reg.R2, Reg.R10, -8)
                .alu64(AluOp.ADD, Reg.R0, Reg.R2).mov64(Reg.R1, Reg.R1).callLocal("f")
                .alu64(AluOp.ADD, Reg.R1, 1).jmp(org.bpf4j.asm.JmpOp.JLT, Reg.R1, 10, "outer")
                .alu64(AluOp.ADD, Reg.R0, Reg.R6).exit()
                .label("f").mov64(Reg.R0, Reg.R1).alu64(AluOp.MUL, Reg.R0, 3).exit();
        Program p = b.build();
        ClassModel model = ClassFile.of().parse(JitCompiler.bytecode(LinkedProgram.link(p)));
        long chunks = model.methods().stream().filter(m -> m.methodName().stringValue().startsWith("chunk")).count();
        assertTrue(chunks >= 4, "chunks: " + chunks);
        for (MethodModel m : model.methods()) {
            int size = ((java.lang.classfile.attribute.CodeAttribute) m.code().orElseThrow()).codeLength();
            assertTrue(size < 8000, m.methodName() + " has " + size + " bytes of bytecode");
        }
        long expected;
        try (Vm vm = Vm.builder(p).verify(false).build()) {
            expected = vm.run();
        }
        try (Vm vm = Vm.builder(p).engine(Engine.JIT).verify(false).build()) {
            assertEquals(expected, vm.run());
        }
    }

    @Test
    void aProgramOfTwentyThousandInstructionsCompiles() {
        Program.Builder b = Program.builder().mov64(Reg.R0, 0);
        for (int i = 0; i < 20_000; i++) b.alu64(AluOp.ADD, Reg.R0, i);
        Program p = b.exit().build();
        try (Vm vm = Vm.builder(p).engine(Engine.JIT).build()) {
            assertEquals(20_000L * 19_999 / 2, vm.run());
        }
    }

    @Test
    void chunkBoundariesEverywhereChangeNothing() {
        for (long seed = 0; seed < 300; seed++) {
            Program p = org.bpf4j.vm.RandomPrograms.generate(seed, true);
            byte[] ctx = org.bpf4j.vm.RandomPrograms.context(seed);
            String expected, actual;
            org.bpf4j.vm.map.UserMap vals = org.bpf4j.vm.map.UserMap.create(org.bpf4j.vm.RandomPrograms.VALUES);
            org.bpf4j.vm.RandomPrograms.fill(vals);
            try (Vm vm = Vm.builder(p).verify(false).environment(new org.bpf4j.vm.SyntheticEnvironment()).map("vals", vals).build()) {
                expected = outcome(() -> vm.run(ctx.clone()));
            }
            org.bpf4j.vm.Machine m = new org.bpf4j.vm.Machine(new org.bpf4j.vm.SyntheticEnvironment());
            org.bpf4j.vm.map.UserMap fresh = org.bpf4j.vm.map.UserMap.create(org.bpf4j.vm.RandomPrograms.VALUES);
            org.bpf4j.vm.RandomPrograms.fill(fresh); // the first run may have written into its values
            org.bpf4j.vm.Machine.MapBinding binding = m.bind(fresh);
            org.bpf4j.vm.Executable chunked = JitCompiler.compile(LinkedProgram.link(p, name -> binding), 1, 7);
            m.reset(0);
            byte[] copy = ctx.clone();
            long base = m.context(copy);
            actual = outcome(() -> chunked.execute(m, base, copy.length));
            long s = seed;
            assertEquals(expected, actual, () -> "seed " + s);
        }
    }

    private static String outcome(java.util.function.LongSupplier run) {
        try {
            return "r0=" + run.getAsLong();
        } catch (org.bpf4j.vm.VmFault f) {
            return f.getMessage();
        }
    }
}
