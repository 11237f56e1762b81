package org.bpf4j.lang.runtime;

import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Program;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.ProgramPlan;
import org.bpf4j.lang.codegen.SymbolRelocation;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.symbols.Kallsyms;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The loader's half of {@code kaddr()}: fills each kernel symbol the code generator left as a
 * {@link SymbolRelocation} with its address from /proc/kallsyms, before any map or program is made, as a
 * loader resolves relocations. A symbol kallsyms does not list (a data symbol on a kernel without
 * CONFIG_KALLSYMS_ALL, a misspelling) fails here with bpftrace's words at the call's place in the script.
 */
final class SymbolLinker {
    private SymbolLinker() {}

    /** {@code script} with every kernel symbol filled in from the running kernel's /proc/kallsyms. */
    static CompiledScript link(CompiledScript script) {
        Map<String, Optional<Long>> seen = new HashMap<>();
        return link(script, sym -> seen.computeIfAbsent(sym, s -> Kallsyms.lookup(Path.of("/proc/kallsyms"), s)));
    }

    /** {@code script} with every kernel symbol filled in by {@code kallsyms} (an address of 0 counts as missing). */
    static CompiledScript link(CompiledScript script, Function<String, Optional<Long>> kallsyms) {
        boolean any = false;
        for (ProgramPlan p : script.programs()) any |= needs(p);
        if (!any) return script;
        Source source = script.analysis().script().source();
        List<ProgramPlan> programs = new ArrayList<>();
        for (ProgramPlan p : script.programs()) programs.add(link(p, source, kallsyms));
        return new CompiledScript(script.analysis(), script.maps(), programs, script.actions(), script.timeFormats());
    }

    private static boolean needs(ProgramPlan p) {
        if (!p.symbols().isEmpty()) return true;
        for (ProgramPlan v : p.variants().values()) if (needs(v)) return true;
        return false;
    }

    private static ProgramPlan link(ProgramPlan p, Source source, Function<String, Optional<Long>> kallsyms) {
        if (!needs(p)) return p;
        Map<String, ProgramPlan> variants = new LinkedHashMap<>();
        for (var v : p.variants().entrySet()) variants.put(v.getKey(), link(v.getValue(), source, kallsyms));
        ProgramSpec s = p.spec();
        List<Instruction> insns = new ArrayList<>(s.program().instructions());
        for (SymbolRelocation r : p.symbols()) {
            long addr = kallsyms.apply(r.symbol()).orElse(0L);
            if (addr == 0)
                throw new SourceError(source, r.span(), "Failed to resolve kernel symbol: " + r.symbol()
                        + " (kaddr(): no such symbol in /proc/kallsyms)");
            insns.set(r.index(), insns.get(r.index()).withImm(addr));
        }
        Program linked = Program.of(insns, s.program().mapReferences());
        return new ProgramPlan(p.unit(), new ProgramSpec(s.name(), s.type(), linked, s.license(), s.expectedAttachType()),
                p.spans(), p.stackBytes(), variants, List.of());
    }
}
