package org.bpf4j.cli;

import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.StapParser;
import org.bpf4j.tracefs.Tracefs;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpf4j stap}: SystemTap's script language, compiled by the same checker and code generator as
 * {@code bpf4j trace}. On a kernel without kprobes, {@code kernel.function("sys_NAME")} becomes the syscall's
 * tracepoint, whose fields are the {@code $target} variables. The options are stap's that apply here.
 */
final class StapCommand {
    private static final Getopt OPTIONS = Getopt.of("e:c:x:o:vgp:hV", "help=h", "version=V");
    static final String VERSION = "bpf4j stap 0.1.0 (a SystemTap subset, compiled to eBPF in Java)";

    private StapCommand() {}

    /** Runs {@code bpf4j stap ARGS}; returns the exit status. */
    static int main(List<String> argv, PrintWriter out, PrintWriter err) {
        Getopt.Parsed parsed;
        try {
            parsed = OPTIONS.parse(argv);
        } catch (Getopt.Error e) {
            err.println("stap: " + e.getMessage());
            err.println("Try '--help' for more information.");
            return 1;
        }
        String program = null, command = null;
        Path outputFile = null;
        Integer pid = null, pass = null;
        boolean verbose = false, guru = false;
        for (Getopt.Opt o : parsed.options()) {
            switch (o.name()) {
                case "e" -> program = o.value();
                case "c" -> command = o.value();
                case "x" -> {
                    pid = number(o.value());
                    if (pid == null) {
                        err.println("stap: Invalid target process ID number.");
                        return 1;
                    }
                }
                case "o" -> outputFile = Path.of(o.value());
                case "v" -> verbose = true;
                case "g" -> guru = true;
                case "p" -> {
                    pass = number(o.value());
                    if (pass == null || pass < 1 || pass > 5) {
                        err.println("stap: Invalid pass number (should be 1-5).");
                        return 1;
                    }
                }
                case "h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "V" -> {
                    out.println(VERSION);
                    return 0;
                }
                default -> throw new IllegalStateException("option " + o.name());
            }
        }
        List<String> args = parsed.operands();
        String script = program, cmd = command;
        Integer target = pid, stop = pass;
        Path output = outputFile;
        boolean v = verbose, g = guru;
        return ScriptRun.reporting(err, () -> {
            var source = ScriptRun.source(script, args.isEmpty() ? null : args.getFirst(), t -> t);
            var parsedScript = StapParser.parse(source, (cat, ev) -> Files.isDirectory(tracefsEvent(cat, ev)), target == null ? 0 : target);
            List<String> params = script != null ? args : args.subList(Math.min(1, args.size()), args.size());
            if (stop != null && stop <= 2) {
                Checker.check(parsedScript, new Params(params), ProbeCatalog.system(target == null ? -1 : target),
                        new Checker.Options(g));
                return 0;
            }
            return ScriptRun.run(parsedScript, params, new ScriptRun.Settings(target == null ? 0 : target, cmd, false, true,
                    v, g, 0, output, false, stop != null && stop >= 3, "bpf4j stap", null), out);
        });
    }

    private static Integer number(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final String USAGE = """
            Usage: stap [options] FILE [ARGS ...]       Run script in file.
               or: stap [options] - [ARGS ...]          Run script on stdin.
               or: stap [options] -e SCRIPT [ARGS ...]  Run given script.

            A SystemTap subset, compiled to eBPF in Java (bpf4j stap). Options:
               --         end of translator options, script options follow
               -h --help  list available options
               -V --version
                          show version
               -v         add verbosity
               -p NUM     stop after pass NUM 1-5, instead of 5 (1-2: parse and check;
                          3: print the generated BPF instructions)
               -g         guru mode: allow system() and signal()
               -x PID     sets target() to PID
               -c CMD     start the probes, run CMD, and exit when it finishes
               -o FILE    send script output to file, instead of stdout
               -e SCRIPT  run given script
            """;

    private static Path tracefsEvent(String category, String event) {
        return Tracefs.get().root().resolve("events").resolve(category).resolve(event);
    }
}
