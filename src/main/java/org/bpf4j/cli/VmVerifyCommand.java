package org.bpf4j.cli;

import org.bpf4j.prog.ProgramType;
import org.bpf4j.vm.ProgramFile;
import org.bpf4j.vm.verifier.Verification;
import org.bpf4j.vm.verifier.Verifier;
import org.bpf4j.vm.verifier.VerifierOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bpf4j vm verify}: run bpf4j's verifier on a program and say whether it is safe. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify PROGRAM with bpf4j's userspace verifier.",
                "Prints what verification cost; on a rejection, the instruction, the reason and the log, and exits 1."})
final class VmVerifyCommand implements Callable<Integer> {
    @Option(names = "--ctx-size", paramLabel = "BYTES", description = "bytes r1 points at (default: the file's memory, or 0)")
    Integer contextSize;

    @picocli.CommandLine.Mixin
    VmOptions vmOptions = new VmOptions();

    @Option(names = "--kernel-rules", description = "also apply the kernel's stricter rules (zero divisor and shift immediates, stack alignment, dead code)")
    boolean kernelRules;

    @Parameters(paramLabel = "PROGRAM", description = "the program file")
    Path file;

    @Override
    public Integer call() {
        ProgramFile pf = ProgramFile.read(file);
        int size = contextSize != null ? contextSize : pf.memory() != null ? pf.memory().length : 0;
        ProgramType t = vmOptions.programType();
        Map<String, org.bpf4j.map.MapSpec> maps = new java.util.HashMap<>();
        vmOptions.mapSpecs().forEach(m -> maps.put(m.name(), m));
        // as vm run: no memory is no context (r1 and r2 are 0), as the conformance suite defines it
        boolean pointer = contextSize != null || pf.memory() != null || t == ProgramType.XDP;
        VerifierOptions options = new VerifierOptions(t, maps, size, true, true, true, VerifierOptions.COMPLEXITY_LIMIT, kernelRules,
                vmOptions.maxIterations(), pointer);
        Verification v = Verifier.verify(pf.program(), pf.name(), options);
        System.out.printf("%s: accepted: %d instructions, processed %d, %d states, %d loops proven, %.3f ms%n", pf.name(),
                pf.program().instructions().size(), v.instructionsProcessed(), v.statesStored(), v.loops(), v.nanos() / 1e6);
        return 0;
    }
}
