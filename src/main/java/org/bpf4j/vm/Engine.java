package org.bpf4j.vm;

import org.bpf4j.vm.interp.Interpreter;
import org.bpf4j.vm.jit.JitCompiler;

/** How the VM runs a program: the reference interpreter, or compiled to JVM bytecode. */
public enum Engine {
    /** {@link Interpreter}: decoded instructions, one switch each. */
    INTERPRETER,
    /** {@link JitCompiler}: one hidden class per program, registers in locals. */
    JIT;

    /** Makes {@code program} runnable with this engine. */
    public Executable prepare(LinkedProgram program) {
        return switch (this) {
            case INTERPRETER -> Interpreter.of(program);
            case JIT -> JitCompiler.compile(program);
        };
    }
}
