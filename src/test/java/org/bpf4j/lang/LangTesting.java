package org.bpf4j.lang;

import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.tracefs.Tracefs;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Shared by the language tests: a probe catalog from tracefs format files kept in the test resources. */
public final class LangTesting {
    private LangTesting() {}

    /** The test resources' copy of a few tracepoint formats (syscalls kill/openat/execve, sched, irq, raw_syscalls). */
    public static ProbeCatalog catalog() {
        try {
            Path root = Path.of(LangTesting.class.getResource("/lang/tracefs").toURI());
            Tracefs t = Tracefs.at(root);
            return new ProbeCatalog(() -> t) {
                @Override
                public Optional<Long> kernelSymbol(String name) { return Optional.of(0xffffffff81000000L); }
            };
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and checks {@code script} against the test catalog. */
    public static Analysis analyze(String script, String... params) {
        return Checker.check(Parser.parse(new Source("stdin", script)), new Params(List.of(params)), catalog(),
                new Checker.Options(false));
    }

    /** Compiles {@code script} against this machine's tracepoints, to run it. */
    public static CompiledScript compileForKernel(String script, String... params) {
        var analysis = Checker.check(Parser.parse(new Source("stdin", script)), new Params(List.of(params)),
                ProbeCatalog.system(), new Checker.Options(true));
        return Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, org.bpf4j.sys.Cpus.possibleCount()));
    }

    /** Compiles {@code script} with fixed run options (start time 0, no child, 2 CPUs). */
    public static CompiledScript compile(String script, String... params) {
        return Compiler.compile(analyze(script, params), new Compiler.Options(0, 0, 2));
    }
}
