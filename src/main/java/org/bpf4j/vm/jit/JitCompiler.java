package org.bpf4j.vm.jit;

import org.bpf4j.vm.Executable;
import org.bpf4j.vm.LinkedProgram;

/** Compiles eBPF to JVM bytecode (placeholder until the JIT lands). */
public final class JitCompiler {
    private JitCompiler() {}

    /** Compiles {@code program}. */
    public static Executable compile(LinkedProgram program) {
        throw new UnsupportedOperationException("JIT not yet available");
    }
}
