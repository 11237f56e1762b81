package org.bpf4j.asm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bpf_conformance program assembles, matches its raw bytes, and survives disassembly. */
class ConformanceTest {

    static Stream<Path> programs() {
        List<Path> files = Conformance.tests();
        assertTrue(files.size() > 300, "expected the whole suite, found " + files.size());
        return files.stream();
    }

    private static Program assemble(Path file) {
        String asm = Conformance.sections(file).get("asm");
        assertTrue(asm != null, file + " has no asm section");
        return Assembler.parse(asm);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void assemblesAndRoundTrips(Path file) {
        Program p = assemble(file);
        assertFalse(p.instructions().isEmpty(), file.toString());
        byte[] bytes = p.encode();
        Program decoded = Program.decode(bytes);
        assertEquals(p.instructions(), decoded.instructions());
        assertArrayEquals(bytes, decoded.encode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void disassemblesAndReassembles(Path file) {
        Program p = assemble(file);
        byte[] bytes = p.encode();
        String text = String.join("\n", Disassembler.lines(p.instructions(), CallNames.HELPERS));
        assertArrayEquals(bytes, Assembler.parse(text).encode(), text);
        String withOpcodes = Disassembler.dump(p.instructions(), CallNames.HELPERS, true);
        assertArrayEquals(bytes, Assembler.parse(withOpcodes).encode(), withOpcodes);
    }

    @Test
    void rawSectionsMatchAsm() {
        int checked = 0;
        for (Path file : Conformance.tests()) {
            Map<String, String> sections = Conformance.sections(file);
            if (sections.containsKey("raw")) {
                byte[] raw = Conformance.raw(sections.get("raw"));
                assertArrayEquals(raw, Program.decode(raw).encode(), file.toString());
                assertArrayEquals(raw, assemble(file).encode(), file.toString());
                checked++;
            }
        }
        assertTrue(checked > 0, "no -- raw sections found");
    }

    static Stream<Path> badAssembly() {
        return Conformance.negatives().stream().filter(p -> p.getFileName().toString().startsWith("invalid_")
                && Conformance.sections(p).containsKey("asm")
                && !Conformance.sections(p).get("asm").isBlank());
    }

    /** The suite's negative assembler inputs (bad register, range, mnemonic, operand count, label) are rejected. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badAssembly")
    void invalidAssemblyIsRejected(Path file) {
        String asm = Conformance.sections(file).get("asm");
        AsmSyntaxException e = assertThrows(AsmSyntaxException.class, () -> Assembler.parse(asm));
        assertTrue(e.getMessage().matches("line \\d+:\\d+: .*"), e.getMessage());
    }
}
