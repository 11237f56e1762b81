package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.Analysis;

import java.util.List;

/**
 * A script compiled to BPF, ready for the runtime: its maps, one program per unit (in script order), the
 * action table its events index, and the strftime formats its timestamps refer to.
 */
public record CompiledScript(Analysis analysis, List<MapPlan> maps, List<ProgramPlan> programs, List<Action> actions,
                             List<String> timeFormats) {
    /** Copies the lists. */
    public CompiledScript {
        maps = List.copyOf(maps);
        programs = List.copyOf(programs);
        actions = List.copyOf(actions);
        timeFormats = List.copyOf(timeFormats);
    }

    /** The plan of the user map {@code name} ({@code @x}), or null. */
    public MapPlan userMap(String name) {
        for (MapPlan m : maps) if (m.user() && m.decl().name().equals(name)) return m;
        return null;
    }

    /** True when a program writes to the kernel's trace pipe ({@code debugf()}: bpf_trace_printk). */
    public boolean writesTracePipe() {
        // by pattern and fields: a record's equals links at first use, a millisecond of start-up
        for (ProgramPlan p : programs)
            for (org.bpf4j.asm.Instruction i : p.spec().program().instructions())
                if (i.op() instanceof org.bpf4j.asm.Operation.Call c && c.kind() == org.bpf4j.asm.CallKind.HELPER
                        && i.imm() == org.bpf4j.asm.Helper.TRACE_PRINTK.id()) return true;
        return false;
    }

    /** The plan of the internal map {@code kernelName}, or null. */
    public MapPlan internal(String kernelName) {
        for (MapPlan m : maps) if (!m.user() && m.name().equals(kernelName)) return m;
        return null;
    }
}
