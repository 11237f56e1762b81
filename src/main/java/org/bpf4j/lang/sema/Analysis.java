package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Script;

import java.util.List;
import java.util.Map;

/**
 * The checked script: its units (one per probe and concrete attach point, in script order), its maps by name
 * (sorted, as bpftrace prints them), its C types and the positional parameters it was given; the identifiers
 * that name enumerators (the script's, or the kernel's from BTF), with their values.
 */
public record Analysis(Script script, List<Unit> units, Map<String, MapDecl> maps, CTypes ctypes, Params params,
                       List<Warning> warnings, Map<Expr.Builtin, Long> enumerators) {
    /** The names of all units, by probe index, for the {@code probe} builtin. */
    public List<String> probeNames() { return units.stream().map(Unit::probeName).toList(); }
}
