package org.bpf4j.vm.verifier;

import org.bpf4j.BpfException;
import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.codegen.ProgramPlan;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real programs: bpftrace's tool scripts (../shared/bpftrace/tools) compiled by bpf4j's language front end,
 * each program verified by the kernel (BPF_PROG_LOAD with its maps) and by bpf4j (the context sized as the
 * tracepoint's record, or as pt_regs for probes), and the verdicts compared.
 */
@Tag("kernel")
class ToolsOracleTest {
    private static final int PT_REGS = 168;

    @Test
    void toolScriptsUnderBothVerifiers() throws Exception {
        Kernel.require();
        Path tools = Path.of(System.getProperty("user.dir")).resolve("../shared/bpftrace/tools").normalize();
        Kernel.unless(Files.isDirectory(tools) ? null : "no bpftrace tools at " + tools);
        int programs = 0, agree = 0, both = 0;
        List<String> disagreements = new ArrayList<>();
        List<Path> scripts;
        try (Stream<Path> s = Files.list(tools)) {
            scripts = s.filter(p -> p.toString().endsWith(".bt")).sorted().toList();
        }
        for (Path script : scripts) {
            CompiledScript cs;
            try {
                cs = LangTesting.compileForKernel(Files.readString(script));
            } catch (RuntimeException e) {
                continue; // a probe this machine lacks (kprobes), or a feature the front end lacks
            }
            Map<String, MapSpec> specs = new HashMap<>();
            for (MapPlan m : cs.maps()) specs.put(m.spec().name(), m.spec());
            Map<String, KernelMap> maps = new HashMap<>();
            try {
                for (MapSpec m : specs.values()) maps.put(m.name(), KernelMap.create(m));
                for (ProgramPlan p : cs.programs()) {
                    Integer size = contextSize(p.unit().point());
                    if (size == null) continue;
                    programs++;
                    boolean kernel = kernelAccepts(p, maps);
                    String ours = ours(p, specs, size);
                    if (kernel == (ours == null)) agree++;
                    else disagreements.add(script.getFileName() + " " + p.spec().name() + ": kernel " + (kernel ? "accepts" : "rejects")
                            + ", bpf4j " + (ours == null ? "accepts" : "rejects: " + ours));
                    if (kernel && ours == null) both++;
                }
            } finally {
                maps.values().forEach(KernelMap::close);
            }
        }
        System.out.printf("bpftrace tools: %d programs, verdicts agree on %d (%.1f%%), both accept %d%n", programs, agree,
                100.0 * agree / Math.max(1, programs), both);
        if (System.getenv("BPF4J_VERBOSE") != null) disagreements.forEach(d -> System.out.println("  " + d));
        assertTrue(programs >= 20, "only " + programs + " programs compiled");
        assertTrue(agree >= programs * 0.7, agree + "/" + programs + "\n" + String.join("\n", disagreements));
    }

    private static Integer contextSize(Attach a) {
        return switch (a) {
            case Attach.Tracepoint tp -> {
                EventFormat f = Tracefs.get().format(tp.category(), tp.event());
                int end = 0;
                for (EventFormat.Field field : f.fields()) end = Math.max(end, field.offset() + field.size());
                yield end;
            }
            case Attach.Uprobe u -> PT_REGS;
            case Attach.Usdt u -> PT_REGS;
            case Attach.Kprobe k -> PT_REGS;
            case Attach.Begin b -> PT_REGS;
            case Attach.End e -> PT_REGS;
            default -> null;
        };
    }

    private static boolean kernelAccepts(ProgramPlan p, Map<String, KernelMap> maps) {
        try (KernelProgram k = KernelProgram.load(p.spec(), maps)) {
            return true;
        } catch (VerifierException e) {
            return false;
        } catch (BpfException e) {
            if (e.errno() == 1 || e.errno() == 22) return false;
            throw e;
        }
    }

    private static String ours(ProgramPlan p, Map<String, MapSpec> specs, int size) {
        VerifierOptions o = new VerifierOptions(p.spec().type(), specs, size, false, true, true, VerifierOptions.COMPLEXITY_LIMIT);
        try {
            Verifier.verify(p.spec().program(), p.spec().name(), o);
            return null;
        } catch (VerifierException e) {
            return e.getMessage();
        }
    }
}
