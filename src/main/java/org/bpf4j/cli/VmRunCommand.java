package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.ProgramFile;
import org.bpf4j.vm.Vm;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/** {@code bpf4j vm run}: verify a program, run it once on some memory, print r0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Verify PROGRAM, run it in the JVM and print r0 as hex.",
                "r1 points at the memory (--mem, or a conformance file's -- mem section), r2 holds its length;",
                "with no memory both are 0, as in the conformance suite and uBPF;",
                "for --type xdp the memory is the packet, reached through the xdp_md at r1."},
        footer = {"", "PROGRAM is assembler text (bpf_conformance or bpftool syntax), a bpf_conformance .data file,",
                "or raw instructions (8-byte little-endian slots).", "", "examples:",
                "    bpf4j vm run prog.s",
                "    bpf4j vm run --jit --mem 'aa bb 11 cc' ldxb.data"})
final class VmRunCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true)
    EngineChoice engine = new EngineChoice();

    static final class EngineChoice {
        @Option(names = "--jit", description = "compile to JVM bytecode")
        boolean jit;

        @Option(names = "--interp", description = "interpret (the default)")
        boolean interp;
    }

    @Option(names = "--mem", paramLabel = "HEX", description = "the memory r1 points at, as hex bytes (spaces allowed)")
    String mem;

    @Option(names = "--no-verify", description = "run without verifying first")
    boolean noVerify;

    @picocli.CommandLine.Mixin
    VmOptions options = new VmOptions();

    @Parameters(paramLabel = "PROGRAM", description = "the program file")
    Path file;

    @Override
    public Integer call() {
        ProgramFile pf = ProgramFile.read(file);
        byte[] memory = mem != null ? hex(mem) : pf.memory() != null ? pf.memory() : new byte[0];
        ProgramType type = options.programType();
        boolean xdp = type == ProgramType.XDP;
        Vm vm;
        try {
            Vm.Builder b = Vm.builder(pf.program()).name(pf.name()).engine(engine.jit ? Engine.JIT : Engine.INTERPRETER)
                    .verify(!noVerify).programType(type).contextSize(xdp ? 0 : memory.length).maxIterations(options.maxIterations());
            if (!xdp && mem == null && pf.memory() == null) b.noContext();
            options.mapSpecs().forEach(b::map);
            vm = b.build();
        } catch (VerifierException e) {
            throw new UserException(e.getMessage(), e); // one line; 'vm verify' shows the log
        }
        try (vm) {
            long r0 = xdp ? vm.runXdp(memory) : vm.run(memory);
            System.out.println("0x" + Long.toHexString(r0));
        }
        return 0;
    }

    static byte[] hex(String text) {
        String digits = text.replaceAll("\\s+", "");
        try {
            return HexFormat.of().parseHex(digits.startsWith("0x") ? digits.substring(2) : digits);
        } catch (IllegalArgumentException e) {
            throw new UserException("--mem: not hex bytes: " + text);
        }
    }
}
