package org.bpf4j.vm.verifier;

import org.bpf4j.map.MapSpec;
import org.bpf4j.prog.ProgramType;

import java.util.Map;

/**
 * What the verifier checks a program against.
 *
 * @param type                 the program type (which helpers it may call)
 * @param maps                 the maps the program's references name, by name
 * @param contextSize          the bytes r1 points at
 * @param contextWritable      whether the program may write its context (the conformance suite's memory is writable)
 * @param checkTermination     whether every loop must be proven to terminate
 * @param allowDivisionByZero  RFC 9669 defines division by zero; false rejects a division whose divisor may be 0
 * @param maxInstructions      how many instructions the verifier may process before it gives up (the kernel's 1M)
 * @param kernelRules          also apply the kernel's stricter rules where RFC 9669 defines the behaviour: no
 *                             division by a zero immediate, no shift by an immediate of the width or more, aligned
 *                             stack accesses
 * @param maxIterations        how many loop iterations a run may take (nested loops multiply): a loop proven to end
 *                             only after more (a counter stepping by 1 to 2^64) is rejected, as its work is unbounded
 *                             in practice
 * @param contextPointer       whether r1 points at the context; without one (a run on no memory, as the conformance
 *                             suite and uBPF define it) r1 and r2 are the number 0
 */
public record VerifierOptions(ProgramType type, Map<String, MapSpec> maps, int contextSize, boolean contextWritable,
                              boolean checkTermination, boolean allowDivisionByZero, int maxInstructions,
                              boolean kernelRules, long maxIterations, boolean contextPointer) {
    /** The kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
    public static final int COMPLEXITY_LIMIT = 1_000_000;
    /** The default bound on a run's loop iterations (the VM's engines stop a run past it too). */
    public static final long ITERATION_LIMIT = 100_000_000L;

    /** Options with the default iteration bound and a context pointer in r1. */
    public VerifierOptions(ProgramType type, Map<String, MapSpec> maps, int contextSize, boolean contextWritable,
                           boolean checkTermination, boolean allowDivisionByZero, int maxInstructions, boolean kernelRules) {
        this(type, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules,
                ITERATION_LIMIT, true);
    }

    /** Options with RFC 9669 semantics only (no kernel rules). */
    public VerifierOptions(ProgramType type, Map<String, MapSpec> maps, int contextSize, boolean contextWritable,
                           boolean checkTermination, boolean allowDivisionByZero, int maxInstructions) {
        this(type, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, false);
    }

    /** Copies the map table. */
    public VerifierOptions {
        maps = Map.copyOf(maps);
        if (contextSize < 0) throw new IllegalArgumentException("context size " + contextSize);
        if (maxIterations < 0) throw new IllegalArgumentException("iteration bound " + maxIterations);
    }

    /** A socket-filter-like program over {@code contextSize} writable bytes, with no maps. */
    public static VerifierOptions of(int contextSize) {
        return new VerifierOptions(ProgramType.SOCKET_FILTER, Map.of(), contextSize, true, true, true, COMPLEXITY_LIMIT);
    }

    /** These options with these maps. */
    public VerifierOptions withMaps(Map<String, MapSpec> m) {
        return new VerifierOptions(type, m, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules, maxIterations, contextPointer);
    }

    /** These options for programs of {@code t}. */
    public VerifierOptions withType(ProgramType t) {
        return new VerifierOptions(t, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules, maxIterations, contextPointer);
    }

    /** These options with termination checked or not. */
    public VerifierOptions withTermination(boolean check) {
        return new VerifierOptions(type, maps, contextSize, contextWritable, check, allowDivisionByZero, maxInstructions, kernelRules, maxIterations, contextPointer);
    }

    /** These options with division by zero allowed or not. */
    public VerifierOptions withDivisionByZero(boolean allow) {
        return new VerifierOptions(type, maps, contextSize, contextWritable, checkTermination, allow, maxInstructions, kernelRules, maxIterations, contextPointer);
    }

    /** These options with the kernel's stricter rules or without. */
    public VerifierOptions withKernelRules(boolean kernel) {
        return new VerifierOptions(type, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernel, maxIterations, contextPointer);
    }

    /** These options with a writable context or not. */
    public VerifierOptions withContextWritable(boolean writable) {
        return new VerifierOptions(type, maps, contextSize, writable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules, maxIterations, contextPointer);
    }

    /** These options with a bound on a run's loop iterations. */
    public VerifierOptions withMaxIterations(long max) {
        return new VerifierOptions(type, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules, max, contextPointer);
    }

    /** These options with r1 pointing at the context, or r1 and r2 the number 0. */
    public VerifierOptions withContextPointer(boolean pointer) {
        return new VerifierOptions(type, maps, contextSize, contextWritable, checkTermination, allowDivisionByZero, maxInstructions, kernelRules, maxIterations, pointer);
    }
}
