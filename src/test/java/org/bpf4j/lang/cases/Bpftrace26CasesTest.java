package org.bpf4j.lang.cases;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpftrace v0.26's runtime cases (shared/bpftrace-0.26/tests), run through {@code bpf4j trace} as bpftrace's drop-in
 * with v0.26's runner semantics ({@link Case26Runner}). Every case must pass or be skipped (with its reason: a
 * missing upstream test program, an absent feature, a failed REQUIRES), except those listed with a reason in
 * {@code lang/bpftrace26-cases.fail}, which are not run. With {@code -Dbpf4j.cases26.all=true} every case runs,
 * listed or not, and nothing is asserted: the measurement behind docs/lang.md's table. Each run writes one line per
 * case (file, name, status, seconds, reason) to target/bpftrace26-cases.tsv.
 */
@Tag("kernel")
class Bpftrace26CasesTest {
    static final Path SHARED = BpftraceCasesTest.SHARED.getParent().resolveSibling("bpftrace-0.26").resolve("tests");

    @Test
    void everyCaseNotListedAsFailingPasses(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Kernel.require();
        Kernel.unless(Files.isDirectory(SHARED.resolve("runtime")) ? null : "no bpftrace v0.26 cases at " + SHARED);
        Map<String, String> failing = new LinkedHashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/lang/bpftrace26-cases.fail")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t", 2);
                assertEquals(2, f.length, "a reason for " + line);
                assertNull(failing.put(f[0], f[1]), "listed twice: " + f[0]);
            }
        }
        boolean all = Boolean.getBoolean("bpf4j.cases26.all");
        Path launcher = Launcher.create(Files.createDirectories(tmp.resolve("launcher")));
        Path work = CaseRunner.workdir(SHARED.resolve("runtime"), Files.createDirectories(tmp.resolve("work")));
        CaseRunner.addTestprogs(work, "testprogs26");
        Case26Runner runner = new Case26Runner(work, launcher.toString(), Case26Runner.standinsMissing(SHARED.resolve("CASES.tsv")));
        List<Case26> every = Case26.all(work.resolve("runtime"));
        for (String id : failing.keySet())
            assertTrue(every.stream().anyMatch(c -> c.id().equals(id)), "listed case not in the shared files: " + id);
        String only = System.getProperty("bpf4j.cases26.only");
        List<Case26> cases = every.stream().filter(c -> all || !failing.containsKey(c.id()))
                .filter(c -> only == null || c.id().matches(only)).toList();
        // warms the class-data archive the launcher makes on first use, so that no case pays for it
        runner.run(Case26.parse(work.resolve("runtime/basic")).getFirst());
        List<String> failed = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        // three at a time: most of a case is a JVM starting, compiling and waiting; the cases that could disturb
        // each other run alone afterwards (Case26Runner.exclusive), and a failure is retried alone
        for (Case26Runner.Result r : runner.runAll(cases, Integer.getInteger("bpf4j.cases26.jobs", 3))) {
            if (r.status().equals("FAIL") && !failing.containsKey(r.c().id()) && !all) {
                // as the v0.17 runner: once more alone; a busy machine fails a timed case, a regression fails twice
                Case26Runner.Result again = runner.run(r.c());
                System.out.println("bpftrace 0.26 case " + r.c().id() + " failed (" + r.detail() + "); alone: " + again.status()
                        + (again.passed() ? "" : " " + again.detail()));
                r = again;
            }
            counts.merge(r.status(), 1, Integer::sum);
            if (r.status().equals("FAIL") && !failing.containsKey(r.c().id())) failed.add(r.c().id() + ": " + r.detail());
            report.append(r.c().file()).append('\t').append(r.c().name()).append('\t').append(r.status()).append('\t')
                    .append(String.format("%.1f", r.seconds())).append('\t')
                    .append(r.status().equals("FAIL") && failing.containsKey(r.c().id()) ? "listed: " + failing.get(r.c().id()) + "; " : "")
                    .append(r.detail().replace('\t', ' ').replace('\n', ' ')).append('\n');
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "bpftrace26-cases.tsv"), report);
        System.out.println("bpftrace 0.26 runtime cases through bpf4j trace: " + counts + " of " + cases.size()
                + " run (" + (every.size() - cases.size()) + " listed as failing, not run)");
        if (!all) assertTrue(failed.isEmpty(), failed.size() + " cases fail that are not listed as failing:\n" + String.join("\n", failed));
    }
}
