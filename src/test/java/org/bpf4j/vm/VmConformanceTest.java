package org.bpf4j.vm;

import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.Conformance;
import org.bpf4j.asm.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bpf_conformance suite (../shared/conformance): every program gives its expected r0 in the interpreter and
 * in the JIT, with r1 at the test's memory and r2 its length.
 */
class VmConformanceTest {
    /** One conformance case: the program, its memory and the expected r0. */
    record Case(String name, Program program, byte[] memory, long expected) {
        @Override
        public String toString() { return name; }
    }

    static Case load(Path file) {
        Map<String, String> sections = Conformance.sections(file);
        Program p = Assembler.parse(sections.get("asm"));
        String mem = sections.getOrDefault("mem", "").replaceAll("\\s+", "");
        String result = sections.get("result").strip();
        long expected = Long.parseUnsignedLong(result.startsWith("0x") ? result.substring(2) : result, result.startsWith("0x") ? 16 : 10);
        return new Case(file.getFileName().toString(), p, HexFormat.of().parseHex(mem), expected);
    }

    static Stream<Case> cases() {
        return Conformance.tests().stream().map(VmConformanceTest::load);
    }

    private static long run(Case c, Engine engine) {
        try (Vm vm = Vm.builder(c.program()).engine(engine).verify(false).environment(new SyntheticEnvironment()).build()) {
            return vm.run(c.memory().clone());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void interpreter(Case c) {
        assertEquals(c.expected(), run(c, Engine.INTERPRETER), () -> "0x" + Long.toHexString(run(c, Engine.INTERPRETER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jit(Case c) {
        assertEquals(c.expected(), run(c, Engine.JIT), () -> "0x" + Long.toHexString(run(c, Engine.JIT)));
    }

    /** Verified first (with the memory as the context), the accepted programs still give their results. */
    @Test
    void verifiedProgramsRunToTheirResults() {
        int accepted = 0;
        StringBuilder rejected = new StringBuilder();
        for (Case c : cases().toList()) {
            Vm vm;
            try {
                vm = Vm.builder(c.program()).name(c.name()).contextSize(c.memory().length).environment(new SyntheticEnvironment()).build();
            } catch (org.bpf4j.prog.VerifierException e) {
                rejected.append("  ").append(e.getMessage()).append('\n');
                continue;
            }
            try (vm) {
                assertEquals(c.expected(), vm.run(c.memory().clone()), c.name());
                accepted++;
            }
        }
        System.out.println("bpf_conformance under the verifier: " + accepted + " of 313 accepted"
                + (System.getenv("BPF4J_VERBOSE") != null ? "; rejected:\n" + rejected : ""));
        assertEquals(312, accepted, "all but callx (an indirect helper call, which the verifier refuses)");
    }

    @Test
    void theWholeSuiteIsHere() {
        List<Path> files = Conformance.tests();
        assertEquals(313, files.size(), "the suite has 313 execution tests");
        assertTrue(files.stream().allMatch(f -> Conformance.sections(f).containsKey("result")));
    }
}
