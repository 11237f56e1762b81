package org.bpf4j.lang.syntax;

import java.util.List;
import java.util.Set;

/**
 * A parsed script: the C types it defines, its probes in order, the headers it asked to include, and the maps
 * not to print at exit (none in bpftrace, which prints every map; SystemTap prints only globals never read).
 *
 * @param source   the text it came from
 * @param structs  struct and union definitions
 * @param probes   the probes, in script order
 * @param includes header names from {@code #include} lines
 * @param silent   maps (with their {@code @}) that are not printed at exit
 * @param stap     a SystemTap script: nothing is printed at exit but its unread globals (bpftrace starts the maps
 *                 with two empty lines)
 * @param config   v0.26's {@code config = { name = value; ... }} block, names in lower case without the
 *                 BPFTRACE_ prefix, values as written
 * @param declared v0.26's map declarations ({@code let @m = hash(N);}) by map name
 * @param enums    C enum definitions
 */
public record Script(Source source, List<CStruct> structs, List<Probe> probes, List<String> includes, Set<String> silent,
                     boolean stap, java.util.Map<String, String> config, java.util.Map<String, MapDeclaration> declared,
                     List<CEnum> enums) {
    /** Copies the lists. */
    public Script {
        structs = List.copyOf(structs);
        enums = List.copyOf(enums);
        probes = List.copyOf(probes);
        includes = List.copyOf(includes);
        silent = Set.copyOf(silent);
        config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
        declared = java.util.Map.copyOf(declared);
    }

    /** A script without map declarations or enum definitions. */
    public Script(Source source, List<CStruct> structs, List<Probe> probes, List<String> includes, Set<String> silent,
                  boolean stap, java.util.Map<String, String> config) {
        this(source, structs, probes, includes, silent, stap, config, java.util.Map.of(), List.of());
    }

    /** A script without a config block. */
    public Script(Source source, List<CStruct> structs, List<Probe> probes, List<String> includes, Set<String> silent, boolean stap) {
        this(source, structs, probes, includes, silent, stap, java.util.Map.of());
    }

    /** A bpftrace script: every map is printed at exit. */
    public Script(Source source, List<CStruct> structs, List<Probe> probes, List<String> includes) {
        this(source, structs, probes, includes, Set.of(), false);
    }
}
