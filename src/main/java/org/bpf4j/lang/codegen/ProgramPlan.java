package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.Unit;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.prog.ProgramSpec;

import java.util.List;
import java.util.Map;

/**
 * One compiled probe: the program spec, the unit it came from, and the script span of each instruction (by
 * instruction index, lddw counted once) for placing verifier errors. A USDT probe whose sites pass their
 * arguments in different places has one variant per layout (by the layout's text); {@code spec} is the first.
 * {@code symbols} are the kernel addresses the runtime fills in before loading ({@link SymbolRelocation}).
 */
public record ProgramPlan(Unit unit, ProgramSpec spec, List<Span> spans, int stackBytes, Map<String, ProgramPlan> variants,
                          List<SymbolRelocation> symbols) {
    /** Copies the spans, variants and relocations. */
    public ProgramPlan {
        spans = List.copyOf(spans);
        variants = Map.copyOf(variants);
        symbols = List.copyOf(symbols);
    }

    /** A plan with no kernel symbols to fill in. */
    public ProgramPlan(Unit unit, ProgramSpec spec, List<Span> spans, int stackBytes, Map<String, ProgramPlan> variants) {
        this(unit, spec, spans, stackBytes, variants, List.of());
    }

    /** A plan with no variants. */
    public ProgramPlan(Unit unit, ProgramSpec spec, List<Span> spans, int stackBytes) {
        this(unit, spec, spans, stackBytes, Map.of());
    }

    /** The script span of the instruction at kernel slot {@code slot} (lddw counts 2), or null. */
    public Span spanAtSlot(int slot) {
        var insns = spec.program().instructions();
        int s = 0;
        for (int i = 0; i < insns.size(); i++) {
            if (slot >= s && slot < s + insns.get(i).width()) return i < spans.size() ? spans.get(i) : null;
            s += insns.get(i).width();
        }
        return null;
    }
}
