package org.bpf4j.bench;

import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.Vm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * One run of a loop-heavy program (see {@link VmPrograms}): in the interpreter, in the JIT, and in the kernel's
 * JIT through BPF_PROG_TEST_RUN (socket filter; 100 runs per call, so that the system call is amortised).
 * Divide the time per run by {@link VmPrograms#executed} for the time per instruction.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VmBench {
    private static final int KERNEL_REPEAT = 100;

    @Param({"alu", "stack"})
    public String program;

    private Vm interpreter, jit;
    private KernelProgram kernel;
    private final byte[] packet = new byte[64];

    @Setup(Level.Trial)
    public void setUp() {
        interpreter = Vm.builder(VmPrograms.named(program)).engine(Engine.INTERPRETER).build();
        jit = Vm.builder(VmPrograms.named(program)).engine(Engine.JIT).build();
        try {
            kernel = KernelProgram.load("bench_" + program, ProgramType.SOCKET_FILTER, VmPrograms.named(program).encode(), "GPL", 0);
        } catch (RuntimeException e) {
            System.err.println("kernel side unavailable: " + e.getMessage());
        }
        long a = interpreter.run(), b = jit.run();
        if (a != b) throw new IllegalStateException("interpreter " + a + " != jit " + b);
        if (kernel != null && (int) a != kernel.testRun(packet, null, 1, 0).retval())
            throw new IllegalStateException("the kernel returns another r0");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        interpreter.close();
        jit.close();
        if (kernel != null) kernel.close();
    }

    @Benchmark
    public long interpreter() {
        return interpreter.run();
    }

    @Benchmark
    public long jit() {
        return jit.run();
    }

    @Benchmark
    @OperationsPerInvocation(KERNEL_REPEAT)
    public long kernelJit() {
        if (kernel == null) return 0;
        return kernel.testRun(packet, null, KERNEL_REPEAT, 0).durationNs();
    }
}
