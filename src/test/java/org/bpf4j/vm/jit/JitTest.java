package org.bpf4j.vm.jit;

import org.bpf4j.UserException;
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
    void aProgramTooLargeForOneJvmMethodIsRefusedWithAReason() {
        Program.Builder b = Program.builder().mov64(Reg.R0, 0);
        for (int i = 0; i < 20_000; i++) b.alu64(AluOp.ADD, Reg.R0, i);
        Program p = b.exit().build();
        UserException e = assertThrows(UserException.class, () -> Vm.builder(p).engine(Engine.JIT).verify(false).build());
        assertTrue(e.getMessage().contains("too large for the JIT"), e.getMessage());
        try (Vm vm = Vm.builder(p).verify(false).build()) {
            assertEquals(20_000L * 19_999 / 2, vm.run());
        }
    }
}
