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

    /** Subprograms of at most this many instructions become one method (its bytecode stays under HotSpot's 8000-byte limit). */
    static final int WHOLE = 400;
    /** The instructions per chunk of a larger subprogram. */
    static final int CHUNK = 300;

    /**
     * The method of a chunked subprogram: {@code regs} = {r0 = 0, r1-r5, .., r10}; {@code pc = start}; then, while
     * {@code pc >= 0}, the chunk holding {@code pc} runs and says where to go on; at the end it returns {@code regs[0]}.
     */
    private static void dispatch(java.lang.classfile.CodeBuilder code, ClassDesc self, int start, java.util.List<Integer> bounds) {
        int regs = 14, pc = 15; // after m, mem, r1-r5, r10 (slots 0..13)
        code.loadConstant(11).newarray(java.lang.classfile.TypeKind.LONG).astore(regs);
        for (int r = 1; r <= 5; r++) code.aload(regs).loadConstant(r).lload(2 * r).lastore();
        code.aload(regs).loadConstant(10).lload(12).lastore();
        code.loadConstant(start).istore(pc);
        java.lang.classfile.Label loop = code.newLabel(), done = code.newLabel();
        code.labelBinding(loop);
        code.iload(pc).iflt(done);
        int from = start;
        for (int k = 0; k < bounds.size(); k++) {
            java.lang.classfile.Label next = code.newLabel();
            if (k < bounds.size() - 1) code.iload(pc).loadConstant(bounds.get(k)).if_icmpge(next);
            code.aload(0).aload(1).aload(regs).iload(pc).invokestatic(self, Emitter.chunkName(from), Emitter.CHUNK).istore(pc);
            code.goto_(loop);
            code.labelBinding(next);
            from = bounds.get(k);
        }
        code.labelBinding(done);
        code.aload(regs).loadConstant(0).laload().lreturn();
    }

    /** Compiles {@code program} into a new hidden class and returns an instance. */
    public static Executable compile(LinkedProgram program) {
        return define(bytecode(program, WHOLE, CHUNK));
    }

    /** Compiles with other chunk sizes (tests use tiny ones to put chunk boundaries everywhere). */
    static Executable compile(LinkedProgram program, int whole, int chunk) {
        return define(bytecode(program, whole, chunk));
    }

    private static Executable define(byte[] bytes) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (Executable) lookup.findConstructor(lookup.lookupClass(), java.lang.invoke.MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("the JIT produced a class the JVM refused: " + e, e);
        }
    }

    /** The class file for {@code program} (for tests and for looking at with javap). */
    public static byte[] bytecode(LinkedProgram program) {
        return bytecode(program, WHOLE, CHUNK);
    }

    private static byte[] bytecode(LinkedProgram program, int whole, int chunkSize) {
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
                    int start = s, end = program.subprogramEnd(start);
                    if (end - start <= whole) {
                        cb.withMethodBody(Emitter.methodName(start), Emitter.SUBPROGRAM, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                                code -> new Emitter(program, self, code, start, end).emit());
                        continue;
                    }
                    // a large subprogram: chunks, and a method that runs them in turn
                    java.util.List<Integer> bounds = new java.util.ArrayList<>();
                    for (int c = start; c < end; c += chunkSize) {
                        int from = c, to = Math.min(end, c + chunkSize);
                        bounds.add(to);
                        cb.withMethodBody(Emitter.chunkName(from), Emitter.CHUNK, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                                code -> new Emitter(program, self, code, from, to, start, end, true).emit());
                    }
                    cb.withMethodBody(Emitter.methodName(start), Emitter.SUBPROGRAM, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                            code -> dispatch(code, self, start, bounds));
                }
            });
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Code length"))
                throw new UserException("program of " + program.size() + " instructions is too large for the JIT (a JVM method holds 64 KiB of bytecode); use the interpreter");
            throw e;
        }
    }
}
