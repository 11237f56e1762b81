package org.bpf4j.bench;

import org.bpf4j.asm.Program;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.vm.verifier.Verification;
import org.bpf4j.vm.verifier.Verifier;
import org.bpf4j.vm.verifier.VerifierOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Verifying a large program (10k and 100k instructions) with bpf4j's verifier, and loading the same program
 * into the kernel (BPF_PROG_LOAD, whose time is mostly the kernel's verifier). What bpf4j processed and kept is
 * printed after each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class VerifierBench {
    @Param({"10000", "100000"})
    public int size;

    /** "straight": no branches; "branchy": a bounds check every ten instructions or so. */
    @Param({"straight", "branchy"})
    public String shape;

    private Program program;
    private byte[] encoded;
    private boolean kernelAvailable;

    private Verification last;

    @Setup(Level.Trial)
    public void setUp() {
        program = VmPrograms.large(size, 42, shape.equals("branchy"));
        encoded = program.encode();
        try (KernelProgram k = KernelProgram.load("bench_v", ProgramType.SOCKET_FILTER, encoded, "GPL", 0)) {
            kernelAvailable = true;
        } catch (RuntimeException e) {
            System.out.println("\nkernel verifier: " + e.getMessage());
        }
    }

    @Benchmark
    public Verification bpf4j() {
        last = Verifier.verify(program, "bench", VerifierOptions.of(0));
        return last;
    }

    @TearDown(Level.Trial)
    public void report() {
        if (last != null) {
            System.out.printf("%nbpf4j verifier, %s program of %d instructions: processed %d, states kept %d, pruned %d%n",
                    shape, program.instructions().size(), last.instructionsProcessed(), last.statesStored(), last.prunes());
        }
    }

    @Benchmark
    public int kernel() {
        if (!kernelAvailable) return 0;
        try (KernelProgram k = KernelProgram.load("bench_v", ProgramType.SOCKET_FILTER, encoded, "GPL", 0)) {
            return k.fd().value();
        }
    }
}
