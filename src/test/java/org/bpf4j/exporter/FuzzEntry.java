package org.bpf4j.exporter;

import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Source;

import java.nio.file.Path;

/** The exporter's parsers as the fuzzer feeds them (org.bpf4j.fuzz): a YAML config, a script with directives. */
public final class FuzzEntry {
    private FuzzEntry() {}

    /** Reads {@code yaml} (already written there) as ebpf_exporter's config, as {@code --config.names} would. */
    public static void config(Path yaml) {
        ObjectConfig.read(yaml);
    }

    /** Compiles {@code text} for the exporter: directives, histogram sums, checker, code generator, planner. */
    public static void script(String text, ProbeCatalog catalog) {
        ScriptMetrics.compile("fuzz.bt", new Source("fuzz.bt", text), catalog);
    }
}
