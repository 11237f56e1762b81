package org.bpf4j.lang.runtime;

import org.bpf4j.lang.codegen.ProgramPlan;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.link.UprobeMultiLink;
import org.bpf4j.prog.ProgramSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which uprobe programs one uprobe_multi link can carry, as bpftrace attaches a wildcard uprobe
 * ({@code uprobe:./bin:func*}) with one link where the kernel has them (6.6). A probe expands to one program per
 * matching function; those of one probe on one binary, all entries or all returns, whose instructions are the same
 * (the body does not name {@code func} or {@code probe}, which differ per function) share one program and one link.
 * On a kernel without uprobe_multi, or for a single function, each keeps its own uprobe.
 */
final class UprobeGroups {
    private UprobeGroups() {}

    /** The groups among {@code programs}: each member's index maps to its group's indices, in script order. */
    static Map<Integer, List<Integer>> of(List<ProgramPlan> programs) {
        Map<List<Object>, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < programs.size(); i++) {
            ProgramPlan p = programs.get(i);
            if (!(p.unit().point() instanceof Attach.Uprobe u) || u.symbol().isEmpty()) continue;
            byKey.computeIfAbsent(List.of(p.unit().probe(), u.binary(), u.ret(), p.spec().program()), k -> new ArrayList<>()).add(i);
        }
        Map<Integer, List<Integer>> out = new HashMap<>();
        for (List<Integer> group : byKey.values()) {
            if (group.size() < 2 || !distinctPlaces(programs, group)) continue;
            if (!AttachSupport.uprobeMulti().supported()) return Map.of();
            for (int i : group) out.put(i, List.copyOf(group));
        }
        return out;
    }

    /** The kernel refuses a uprobe_multi link that names one place twice. */
    private static boolean distinctPlaces(List<ProgramPlan> programs, List<Integer> group) {
        return group.stream().map(i -> {
            Attach.Uprobe u = (Attach.Uprobe) programs.get(i).unit().point();
            return List.of(u.symbol(), u.offset());
        }).distinct().count() == group.size();
    }

    /** {@code spec} loaded for a uprobe_multi link (its expected attach type). */
    static ProgramSpec multiSpec(ProgramSpec spec) {
        return new ProgramSpec(spec.name(), spec.type(), spec.program(), spec.license(), UprobeMultiLink.ATTACH_TYPE);
    }
}
