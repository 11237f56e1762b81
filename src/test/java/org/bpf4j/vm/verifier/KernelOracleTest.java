package org.bpf4j.vm.verifier;

import org.bpf4j.BpfException;
import org.bpf4j.asm.Program;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.testing.Kernel;
import org.bpf4j.vm.RandomPrograms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel's verifier as an oracle: programs are loaded as socket filters (BPF_PROG_LOAD) and verified by
 * bpf4j from the same entry state (r1 the context, r10 the stack, nothing else), and the verdicts compared.
 * The corpus: PREVAIL's cases that start from that state, and random stack-only programs.
 */
@Tag("kernel")
class KernelOracleTest {
    private static final VerifierOptions OPTIONS = new VerifierOptions(ProgramType.SOCKET_FILTER, Map.of(), 0, false,
            true, true, VerifierOptions.COMPLEXITY_LIMIT, true);

    private static State entry() {
        Frame f = new Frame(-1, 0);
        f.regs[1] = new Value.Ptr(Value.Kind.CTX, Scalar.constant(0), 0, null, 0, 0, false);
        f.regs[10] = new Value.Ptr(Value.Kind.STACK, Scalar.constant(0), 0, null, Frame.STACK, 0, false);
        return new State(f);
    }

    static boolean kernelAccepts(Program p) {
        try (KernelProgram k = KernelProgram.load("oracle", ProgramType.SOCKET_FILTER, p.encode(), "GPL", 0)) {
            return true;
        } catch (VerifierException e) {
            return false;
        } catch (BpfException e) {
            if (e.errno() == 1) throw e; // EPERM: not a verdict
            return false;
        }
    }

    static boolean weAccept(Program p) {
        try {
            Verifier.verify(p, "oracle", OPTIONS, entry());
            return true;
        } catch (VerifierException e) {
            return false;
        }
    }

    private record Tally(String corpus, int total, int agree, int onlyWe, int onlyKernel, List<String> examples) {
        String line() {
            return String.format("%s: %d programs, agreement %d/%d (%.1f%%); bpf4j accepts, kernel rejects: %d; kernel accepts, bpf4j rejects: %d",
                    corpus, total, agree, total, 100.0 * agree / total, onlyWe, onlyKernel);
        }
    }

    private static Tally compare(String corpus, List<Program> programs, List<String> names) {
        int agree = 0, onlyWe = 0, onlyKernel = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < programs.size(); i++) {
            Program p = programs.get(i);
            boolean k = kernelAccepts(p), w = weAccept(p);
            if (k == w) agree++;
            else {
                if (w) onlyWe++; else onlyKernel++;
                if (examples.size() < 40) examples.add((w ? "bpf4j accepts, kernel rejects: " : "kernel accepts, bpf4j rejects: ") + names.get(i));
            }
        }
        return new Tally(corpus, programs.size(), agree, onlyWe, onlyKernel, examples);
    }

    @Test
    void prevailCasesThatStartFromTheKernelsEntryState() throws Exception {
        Kernel.require();
        List<Program> programs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (YamlCases.Case c : PrevailCorpusTest.cases()) {
            if (!c.pre().stream().allMatch(p -> p.equals("r10.type=stack") || p.equals("r10.stack_offset=512"))) continue;
            PrevailCorpusTest.Translated t = PrevailCorpusTest.translate(c);
            if (t.unsupported() != null || !t.options().checkTermination() && hasBackEdge(t.program())) continue;
            programs.add(t.program());
            names.add(c.toString());
        }
        Tally t = compare("PREVAIL cases from the kernel's entry state", programs, names);
        System.out.println(t.line());
        if (System.getenv("BPF4J_VERBOSE") != null) t.examples().forEach(e -> System.out.println("  " + e));
        assertTrue(t.total() > 30, t.line());
        assertTrue(t.agree() >= t.total() * 0.8, t.line());
    }

    private static boolean hasBackEdge(Program p) {
        return !new Cfg(p.instructions(), org.bpf4j.vm.LinkedProgram.targets(p)).backEdges.isEmpty();
    }

    @Test
    void randomStackPrograms() {
        Kernel.require();
        List<Program> programs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (long seed = 0; seed < 400; seed++) {
            programs.add(RandomPrograms.stackOnly(seed));
            names.add("random stack program, seed " + seed);
        }
        Tally t = compare("random stack-only programs", programs, names);
        System.out.println(t.line());
        if (System.getenv("BPF4J_VERBOSE") != null) t.examples().forEach(e -> System.out.println("  " + e));
        assertTrue(t.agree() >= t.total() * 0.8, t.line());
    }
}
