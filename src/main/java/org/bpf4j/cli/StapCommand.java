package org.bpf4j.cli;

import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.StapParser;
import org.bpf4j.tracefs.Tracefs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j stap}: SystemTap's script language, compiled by the same checker and code generator as
 * {@code bpf4j trace}. On a kernel without kprobes, {@code kernel.function("sys_NAME")} becomes the syscall's
 * tracepoint, whose fields are the {@code $target} variables.
 */
@Command(name = "stap", mixinStandardHelpOptions = true, version = "bpf4j stap 0.1.0 (a SystemTap subset)",
        description = "Run a SystemTap script, compiled to eBPF in Java.")
final class StapCommand implements Callable<Integer> {
    @Option(names = "-e", paramLabel = "SCRIPT", description = "run this script")
    String program;

    @Option(names = "-c", paramLabel = "CMD", description = "run CMD and stop when it exits")
    String command;

    @Option(names = "-x", paramLabel = "PID", description = "the target process (for libraries of process probes)")
    Integer pid;

    @Option(names = "-o", paramLabel = "FILE", description = "send output to FILE")
    Path outputFile;

    @Option(names = "-v", description = "verbose messages")
    boolean verbose;

    @Option(names = "-g", description = "guru mode: allow system() and signal()")
    boolean guru;

    @Option(names = "-p", paramLabel = "PASS", description = "stop after pass 3 (print the generated instructions) or 1-2 (check only)")
    Integer pass;

    @Parameters(paramLabel = "ARGS", description = "the script file (unless -e), then the script's $1, $2...")
    List<String> args = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return ScriptRun.reporting(spec.commandLine().getErr(), () -> {
            var source = ScriptRun.source(program, args.isEmpty() ? null : args.getFirst(), t -> t);
            var script = StapParser.parse(source, (cat, ev) -> Files.isDirectory(tracefsEvent(cat, ev)));
            List<String> params = program != null ? args : args.subList(Math.min(1, args.size()), args.size());
            if (pass != null && pass <= 2) {
                org.bpf4j.lang.sema.Checker.check(script, new org.bpf4j.lang.sema.Params(params),
                        ProbeCatalog.system(pid == null ? -1 : pid), new org.bpf4j.lang.sema.Checker.Options(guru));
                return 0;
            }
            return ScriptRun.run(script, params, new ScriptRun.Settings(pid == null ? 0 : pid, command, false, true,
                    verbose, guru, 0, outputFile, false, pass != null && pass >= 3, "bpf4j stap"), spec.commandLine().getOut());
        });
    }

    private static Path tracefsEvent(String category, String event) {
        return Tracefs.get().root().resolve("events").resolve(category).resolve(event);
    }
}
