package org.bpf4j.elf;

import org.bpf4j.btf.Btf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a BPF object file describes, read without a kernel (cilium/ebpf's CollectionSpec): its maps
 * (declared and global data), its programs linked and ready for CO-RE, its BTF, and its global variables. Immutable:
 * the {@code with...} methods return a changed copy, e.g. with a {@code const volatile} filter set before load.
 * {@link Collection#load(CollectionSpec)} makes the live objects.
 */
public final class CollectionSpec {
    /** A global variable: which data map holds it, where, how many bytes, and its BTF type (0 when unknown). */
    public record Variable(String name, String map, int offset, int size, int btfType) {}

    private final String name;
    private final Map<String, ObjectMap> maps;
    private final Map<String, ObjectProgram> programs;
    private final Map<String, Variable> variables;
    private final byte[] btfRaw;
    private final Btf btf;
    private final Map<String, Externs.Extern> externs;

    CollectionSpec(String name, Map<String, ObjectMap> maps, Map<String, ObjectProgram> programs,
                   Map<String, Variable> variables, byte[] btfRaw, Btf btf, Map<String, Externs.Extern> externs) {
        this.externs = Map.copyOf(externs);
        this.name = name;
        this.maps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(maps));
        this.programs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(programs));
        this.variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        this.btfRaw = btfRaw;
        this.btf = btf;
    }

    /** The object's name: its file name up to the first dot, as libbpf names it. */
    public String name() { return name; }

    /** The maps by name, in the object's order (declared maps, then global data sections). */
    public Map<String, ObjectMap> maps() { return maps; }

    /** The programs by function name, in the object's order. */
    public Map<String, ObjectProgram> programs() { return programs; }

    /** The global variables of the data sections, by name. */
    public Map<String, Variable> variables() { return variables; }

    /** The map called {@code name}, if any. */
    public Optional<ObjectMap> map(String name) { return Optional.ofNullable(maps.get(name)); }

    /** The program called {@code name}, if any. */
    public Optional<ObjectProgram> program(String name) { return Optional.ofNullable(programs.get(name)); }

    /** The object's BTF, parsed (null when it has none). */
    public Btf btf() { return btf; }

    /** The object's {@code __kconfig} and {@code __ksym} externs by name. */
    Map<String, Externs.Extern> externs() { return externs; }

    /** The object's {@code .BTF}, finished for the kernel (null when it has none). */
    byte[] btfRaw() { return btfRaw; }

    /** The initial bytes of variable {@code name}. */
    public byte[] variableValue(String name) {
        Variable v = variable(name);
        byte[] data = maps.get(v.map()).data();
        return java.util.Arrays.copyOfRange(data, v.offset(), v.offset() + v.size());
    }

    /**
     * A copy in which global variable {@code name} starts as {@code value} (its exact size): how a {@code const
     * volatile} filter is set before load, when the verifier can still prune on it.
     */
    public CollectionSpec withVariable(String name, byte[] value) {
        Variable v = variable(name);
        if (value.length != v.size())
            throw new IllegalArgumentException("variable " + name + " is " + v.size() + " bytes, not " + value.length);
        ObjectMap m = maps.get(v.map());
        byte[] data = m.data();
        System.arraycopy(value, 0, data, v.offset(), value.length);
        Map<String, ObjectMap> changed = new LinkedHashMap<>(maps);
        changed.put(m.name(), m.withData(data));
        return new CollectionSpec(this.name, changed, programs, variables, btfRaw, btf, externs);
    }

    /** A copy in which program {@code program} is loaded by {@link Collection#load} or not. */
    public CollectionSpec withAutoload(String program, boolean on) {
        ObjectProgram p = program(program).orElseThrow(() -> new IllegalArgumentException("no program " + program + " in " + name));
        Map<String, ObjectProgram> changed = new LinkedHashMap<>(programs);
        changed.put(program, p.withAutoload(on));
        return new CollectionSpec(name, maps, changed, variables, btfRaw, btf, externs);
    }

    private Variable variable(String name) {
        Variable v = variables.get(name);
        if (v == null) throw new IllegalArgumentException("no global variable " + name + " in " + this.name);
        return v;
    }

    @Override
    public String toString() {
        return "CollectionSpec[" + name + ": programs " + programs.keySet() + ", maps " + maps.keySet() + "]";
    }
}
