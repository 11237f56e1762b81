package org.bpf4j.vm.jit;

import org.bpf4j.UserException;
import org.bpf4j.vm.Executable;
import org.bpf4j.vm.LinkedProgram;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compiles eBPF to JVM bytecode with {@code java.lang.classfile}: one hidden class per program, one static
 * method per subprogram, eBPF registers in {@code long} locals, jumps as bytecode branches. Memory goes through
 * the same checked accessors as the interpreter ({@link org.bpf4j.vm.Memory}); helpers through the same
 * {@link org.bpf4j.vm.Helpers}. The JVM's own JIT then compiles the class to machine code.
 */
public final class JitCompiler {
    private static final AtomicLong COUNTER = new AtomicLong();
    static final ClassDesc CD_EXECUTABLE = ClassDesc.of("org.bpf4j.vm.Executable");
    static final ClassDesc CD_MACHINE = ClassDesc.of("org.bpf4j.vm.Machine");

    private JitCompiler() {}

    /** Compiles {@code program} into a new hidden class and returns an instance. */
    public static Executable compile(LinkedProgram program) {
        byte[] bytes = bytecode(program);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (Executable) lookup.findConstructor(lookup.lookupClass(), java.lang.invoke.MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("the JIT produced a class the JVM refused: " + e, e);
        }
    }

    /** The class file for {@code program} (for tests and for looking at with javap). */
    public static byte[] bytecode(LinkedProgram program) {
        ClassDesc self = ClassDesc.of("org.bpf4j.vm.jit.BpfProgram" + COUNTER.incrementAndGet());
        try {
            return ClassFile.of().build(self, cb -> {
                cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
                cb.withInterfaceSymbols(CD_EXECUTABLE);
                cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
                cb.withMethodBody("execute", MethodTypeDesc.of(ConstantDescs.CD_long, CD_MACHINE, ConstantDescs.CD_long, ConstantDescs.CD_long),
                        ClassFile.ACC_PUBLIC, code -> {
                            code.aload(1);
                            code.aload(1).invokevirtual(CD_MACHINE, "memory", MethodTypeDesc.of(Emitter.CD_MEMORY));
                            code.lload(2).lload(4).lconst_0().lconst_0().lconst_0();
                            code.aload(1).invokevirtual(CD_MACHINE, "stackTop", MethodTypeDesc.of(ConstantDescs.CD_long));
                            code.invokestatic(self, Emitter.methodName(0), Emitter.SUBPROGRAM);
                            code.lreturn();
                        });
                for (int s = program.subprograms().nextSetBit(0); s >= 0; s = program.subprograms().nextSetBit(s + 1)) {
                    int start = s;
                    cb.withMethodBody(Emitter.methodName(start), Emitter.SUBPROGRAM, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                            code -> new Emitter(program, self, code, start, program.subprogramEnd(start)).emit());
                }
            });
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Code length"))
                throw new UserException("program of " + program.size() + " instructions is too large for the JIT (a JVM method holds 64 KiB of bytecode); use the interpreter");
            throw e;
        }
    }
}
