package org.bpf4j.lang.codegen;

import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Disassembler;
import org.bpf4j.lang.LangTesting;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden files of the code generator: each {@code golden/NAME.bt} compiles to the maps and instructions in
 * {@code NAME.out} beside it (run with {@code -Dbpf4j.golden.update=true} to rewrite them after a deliberate change,
 * and read the diff). The kernel test loads every golden program: the verifier must accept what we generate.
 */
class GoldenTest {
    static Path dir() throws URISyntaxException {
        return Path.of(GoldenTest.class.getResource("/lang/golden").toURI());
    }

    static List<Path> scripts() throws Exception {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".bt")).sorted().toList();
        }
    }

    /** The text a script compiles to: its maps, then each program's instructions as bpftool prints them. */
    static String render(CompiledScript cs) {
        StringBuilder sb = new StringBuilder();
        for (MapPlan m : cs.maps())
            sb.append("# map ").append(m.name()).append(' ').append(m.spec().type().bpftoolName()).append(" key ")
                    .append(m.spec().keySize()).append(" value ").append(m.spec().valueSize()).append('\n');
        for (ProgramPlan p : cs.programs()) {
            sb.append("# ").append(p.unit().name()).append(" (").append(p.spec().type().bpftoolName()).append(", ")
                    .append(p.spec().program().instructions().size()).append(" instructions, stack ")
                    .append(p.stackBytes()).append(")\n");
            sb.append(Disassembler.dump(p.spec().program().instructions(), CallNames.HELPERS, false));
        }
        return sb.toString();
    }

    @Test
    void aLetVariableIsZeroedWhole() {
        // variable:variable declaration not initialized: $a holds an int8 literal, but a scalar variable is read back
        // as 64 bits, so let zeroes all 8 bytes of its slot
        String code = render(LangTesting.compile("BEGIN { let $a; if ($a) { $a = 1; } @b = $a; }"));
        assertTrue(code.contains("   1: (7a) *(u64 *)(r10 -8) = 0\n   2: (79) r1 = *(u64 *)(r10 -8)\n"), code);
    }

    @Test
    void scriptsCompileToTheGoldenInstructions() throws Exception {
        boolean update = Boolean.getBoolean("bpf4j.golden.update");
        List<String> differ = new ArrayList<>();
        for (Path bt : scripts()) {
            String got = render(LangTesting.compile(Files.readString(bt)));
            Path out = bt.resolveSibling(bt.getFileName().toString().replace(".bt", ".out"));
            if (update) {
                Path src = Path.of("src/test/resources/lang/golden").resolve(out.getFileName());
                Files.writeString(src, got);
                continue;
            }
            if (!Files.exists(out) || !Files.readString(out).equals(got)) differ.add(bt.getFileName().toString());
        }
        assertTrue(differ.isEmpty(), "compiled output differs from the golden files for " + differ
                + " (rerun with -Dbpf4j.golden.update=true and review the diff)");
    }

    @Test
    @Tag("kernel")
    void theVerifierAcceptsEveryGoldenProgram() throws Exception {
        Kernel.require();
        for (Path bt : scripts()) {
            CompiledScript cs = LangTesting.compile(Files.readString(bt));
            Map<String, KernelMap> maps = new HashMap<>();
            try {
                for (MapPlan m : cs.maps()) maps.put(m.name(), KernelMap.create(m.spec()));
                for (ProgramPlan p : cs.programs()) {
                    try (KernelProgram kp = KernelProgram.load(p.spec(), maps)) {
                        assertTrue(kp.info().verifiedInstructions() > 0, bt + " " + p.unit().name());
                    }
                }
            } finally {
                maps.values().forEach(KernelMap::close);
            }
        }
    }

    @Test
    void instructionSpansPointIntoTheScript() throws IOException, Exception {
        CompiledScript cs = LangTesting.compile(Files.readString(dir().resolve("control.bt")));
        ProgramPlan p = cs.programs().getFirst();
        assertEquals(p.spec().program().instructions().size(), p.spans().size());
        assertTrue(p.spans().stream().anyMatch(s -> s.line() == 10), "some instruction comes from line 10 (min/max/avg/stats)");
        assertTrue(p.spans().stream().noneMatch(s -> s.line() == 13), "the printf after exit() is dead code, removed");
    }

    @Test
    void aScriptThatCallsDebugfWritesTheTracePipe() {
        // the runtime mounts debugfs for these (where people read the pipe), and only for these
        assertTrue(LangTesting.compile("BEGIN { debugf(\"x %d\", 1); }").writesTracePipe());
        assertFalse(LangTesting.compile("BEGIN { printf(\"x %d\\n\", 1); }").writesTracePipe());
    }
}
