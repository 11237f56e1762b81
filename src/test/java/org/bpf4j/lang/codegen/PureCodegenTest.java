package org.bpf4j.lang.codegen;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code generator is pure: what it needs from the machine (kernel symbols, cgroup ids, USDT notes, ELF files,
 * sysctls) is looked up by the checker and handed to it in the analysis ({@code sema.MachineFacts}), so the same
 * analysis always compiles to the same instructions. This rule keeps it so: no source file of {@code lang.codegen}
 * names a package that reads the machine, imported or written out in full, nor the file system or the checker's
 * machine view.
 */
class PureCodegenTest {
    private static final Path CODEGEN = Path.of("src/main/java/org/bpf4j/lang/codegen");
    /** What reads the machine: the system call layer, tracefs, links, ELF files, symbol tables, USDT notes, files. */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\borg\\.bpf4j\\.(sys|tracefs|link|elf|symbols|features|prog\\.KernelProgram|map\\.KernelMap)\\b"
                    + "|\\borg\\.bpf4j\\.usdt\\.UsdtProbe\\b|\\bjava\\.nio\\.file\\b|\\bjava\\.io\\.File\\b|\\bProbeCatalog\\b"
                    + "|\\bSystem\\.getenv\\b|\\bProcessHandle\\b");

    @Test
    void codegenNamesNothingThatReadsTheMachine() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(CODEGEN)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                files++;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).replaceAll("//.*", "");
                    if (code.strip().startsWith("*") || code.strip().startsWith("/*")) continue; // Javadoc and comments
                    Matcher m = FORBIDDEN.matcher(code);
                    if (m.find()) found.add(f.getFileName() + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        assertTrue(files >= 10, "the code generator's sources, from the project's root: " + files);
        assertEquals(List.of(), found);
    }

    @Test
    void theRuleSeesAMachineRead() {
        // the pattern itself: each form the rule forbids is found (a rule that matches nothing would pass any code)
        for (String line : List.of("import org.bpf4j.sys.Sysctl;", "long a = org.bpf4j.symbols.Kallsyms.get().address(s);",
                "try (ElfFile e = org.bpf4j.elf.ElfFile.open(p))", "java.nio.file.Files.getAttribute(dir, \"unix:ino\")",
                "ProbeCatalog.system().usdtLayouts(u)", "import org.bpf4j.tracefs.Tracefs;"))
            assertTrue(FORBIDDEN.matcher(line).find(), line);
        for (String line : List.of("import org.bpf4j.lang.sema.MachineFacts;", "import org.bpf4j.asm.Helper;", "import org.bpf4j.map.MapSpec;"))
            assertTrue(!FORBIDDEN.matcher(line).find(), line);
    }
}
