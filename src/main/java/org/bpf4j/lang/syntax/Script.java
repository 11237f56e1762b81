package org.bpf4j.lang.syntax;

import java.util.List;

/**
 * A parsed script: the C types it defines, its probes in order, and the headers it asked to include.
 *
 * @param source   the text it came from
 * @param structs  struct and union definitions
 * @param probes   the probes, in script order
 * @param includes header names from {@code #include} lines
 */
public record Script(Source source, List<CStruct> structs, List<Probe> probes, List<String> includes) {
    /** Copies the lists. */
    public Script {
        structs = List.copyOf(structs);
        probes = List.copyOf(probes);
        includes = List.copyOf(includes);
    }
}
