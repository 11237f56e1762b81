package org.bpf4j.bench;

import org.bpf4j.asm.Program;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.vm.verifier.Verification;
import org.bpf4j.vm.verifier.Verifier;
import org.bpf4j.vm.verifier.VerifierOptions;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Verifying a large program (10k and 100k instructions) with bpf4j's verifier, and loading the same program
 * into the kernel (BPF_PROG_LOAD, whose time is mostly the kernel's verifier). The states bpf4j explored are
 * reported as auxiliary counters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class VerifierBench {
    @Param({"10000", "100000"})
    public int size;

    private Program program;
    private byte[] encoded;
    private boolean kernelAvailable;

    /** What one verification processed and kept. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long processed;
        public long states;
    }

    @Setup(Level.Trial)
    public void setUp() {
        program = VmPrograms.large(size, 42);
        encoded = program.encode();
        try (KernelProgram k = KernelProgram.load("bench_v", ProgramType.SOCKET_FILTER, encoded, "GPL", 0)) {
            kernelAvailable = true;
        } catch (RuntimeException e) {
            System.err.println("kernel side unavailable: " + e.getMessage());
        }
    }

    @Benchmark
    public Verification bpf4j(Counters c) {
        Verification v = Verifier.verify(program, "bench", VerifierOptions.of(0));
        c.processed = v.instructionsProcessed();
        c.states = v.statesStored();
        return v;
    }

    @Benchmark
    public int kernel() {
        if (!kernelAvailable) return 0;
        try (KernelProgram k = KernelProgram.load("bench_v", ProgramType.SOCKET_FILTER, encoded, "GPL", 0)) {
            return k.fd().value();
        }
    }
}
