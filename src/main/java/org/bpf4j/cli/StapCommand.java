package org.bpf4j.cli;

import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.stap.StapParser;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpf4j stap}: SystemTap's script language, compiled by the same checker and code generator as
 * {@code bpf4j trace}. {@code kernel.function("sys_NAME")} is a kprobe on the syscall's wrapper, its parameters
 * read from the caller's registers, where the kernel has kprobes; elsewhere it becomes the syscall's tracepoint,
 * whose fields are the {@code $target} variables. The options are stap's that apply here.
 */
final class StapCommand {
    private static final Getopt OPTIONS = Getopt.of("e:c:x:o:vgp:hV", "help=h", "version=V", "runtime:", "bpf");
    static final String VERSION = "bpf4j stap 0.1.0 (a SystemTap subset, compiled to eBPF in Java)";

    private String program, command;
    private Path outputFile;
    private int target, pass = 5;
    private boolean verbose, guru;
    private List<String> args = List.of();

    private StapCommand() {}

    /** Runs {@code bpf4j stap ARGS}; returns the exit status. */
    static int main(List<String> argv, PrintWriter out, PrintWriter err) {
        StapCommand c = new StapCommand();
        Getopt.Parsed parsed;
        try {
            parsed = OPTIONS.parse(argv);
        } catch (Getopt.Error e) {
            err.println("stap: " + e.getMessage());
            err.println("Try '--help' for more information.");
            return 1;
        }
        for (Getopt.Opt o : parsed.options()) {
            switch (o.name()) {
                case "e" -> c.program = o.value();
                case "c" -> c.command = o.value();
                case "x" -> {
                    Integer pid = Getopt.integer(o.value());
                    if (pid == null || pid <= 0) {
                        err.println("stap: Invalid target process ID number.");
                        return 1;
                    }
                    c.target = pid;
                }
                case "o" -> c.outputFile = Path.of(o.value());
                case "v" -> c.verbose = true;
                case "g" -> c.guru = true;
                case "p" -> {
                    Integer pass = Getopt.integer(o.value());
                    if (pass == null || pass < 1 || pass > 5) {
                        err.println("stap: Invalid pass number (should be 1-5).");
                        return 1;
                    }
                    c.pass = pass;
                }
                case "h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "V" -> {
                    out.println(VERSION);
                    return 0;
                }
                // SystemTap's BPF back end, the one runtime bpf4j has: --runtime=bpf and --bpf are accepted
                case "bpf" -> { }
                case "runtime" -> {
                    if (!o.value().equals("bpf")) {
                        err.println("stap: bpf4j stap has only the BPF runtime (--runtime=bpf), not '" + o.value() + "'");
                        return 1;
                    }
                }
                default -> throw new IllegalStateException("option " + o.name());
            }
        }
        c.args = parsed.operands();
        return ScriptRun.reporting(err, () -> c.run(out));
    }

    /** Parses, then checks (-p 1, 2), compiles and prints (-p 3) or runs the script. */
    private int run(PrintWriter out) {
        var source = ScriptRun.source(program, args.isEmpty() ? null : args.getFirst(), t -> t);
        var script = StapParser.parse(source, org.bpf4j.lang.runtime.StapKernel.SYSTEM, target);
        List<String> params = program != null ? args : args.subList(Math.min(1, args.size()), args.size());
        if (pass <= 2) {
            Checker.check(script, new Params(params), ProbeCatalog.system(target > 0 ? target : -1), new Checker.Options(guru));
            return 0;
        }
        return ScriptRun.run(script, params, new ScriptRun.Settings(target, command, false, true, verbose, guru, 0,
                outputFile, Output.Buffering.LINE, pass < 5, "bpf4j stap", null), out);
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
   --runtime=bpf, --bpf
              SystemTap's BPF back end: the only runtime there is here
            """;
}
