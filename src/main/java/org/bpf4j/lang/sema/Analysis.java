package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Script;

import java.util.List;
import java.util.Map;

/**
 * The checked script: its units (one per probe and concrete attach point, in script order), its maps by name
 * (sorted, as bpftrace prints them), its C types and the positional parameters it was given; the identifiers
 * that name enumerators (the script's, or the kernel's from BTF), with their values; the config block, checked once here for the
 * code generator and the runtime; what the code generator needs to know of the machine; the BTF ids of the
 * per-CPU kernel variables {@code percpu_kaddr()} calls name (from vmlinux BTF, for the code generator's lddw).
 */
public record Analysis(Script script, List<Unit> units, Map<String, MapDecl> maps, CTypes ctypes, Params params,
                       List<Warning> warnings, Map<Expr.Builtin, Long> enumerators, Config config,
                       MachineFacts machine, Map<Expr.Call, Integer> kernelVars) {
    /** The names of all units, by probe index, for the {@code probe} builtin. */
    public List<String> probeNames() { return units.stream().map(Unit::probeName).toList(); }
}
