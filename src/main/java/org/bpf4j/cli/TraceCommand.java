package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.lang.runtime.ProbeList;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j trace}: bpftrace's language and command line. The script is parsed, type-checked and compiled
 * to BPF in Java, then loaded, attached and run through the kernel layer. Errors print as bpftrace prints them
 * ({@code ERROR: ...}, with file:line:col and a caret for script errors).
 */
@Command(name = "trace", mixinStandardHelpOptions = true, version = "bpf4j trace 0.1.0 (the bpftrace v0.17 language)",
        synopsisHeading = "USAGE:%n    ", customSynopsis = {"bpf4j trace [options] filename",
        "    bpf4j trace [options] - <stdin input>", "    bpf4j trace [options] -e 'program'"},
        description = "Run a bpftrace program, compiled to eBPF in Java.", optionListHeading = "%nOPTIONS:%n")
final class TraceCommand implements Callable<Integer> {
    static {
        Warmup.start();
    }

    @Option(names = "-e", paramLabel = "'program'", description = "execute this program")
    String program;

    @Option(names = "-l", description = "list probes (those matching the search given as the argument)")
    boolean list;

    @Option(names = "-p", paramLabel = "PID", description = "enable USDT probes on PID")
    String pid;

    @Option(names = "-c", paramLabel = "'CMD'", description = "run CMD and stop when it exits")
    String command;

    @Option(names = "-f", paramLabel = "FORMAT", defaultValue = "text", description = "output format ('text', 'json')")
    String format;

    @Option(names = "-o", paramLabel = "file", description = "redirect output to file")
    Path outputFile;

    @Option(names = "-B", paramLabel = "MODE", defaultValue = "line", description = "output buffering mode ('line', 'full', 'none')")
    String buffering;

    @Option(names = "-q", description = "keep messages quiet")
    boolean quiet;

    @Option(names = "-v", description = "verbose messages")
    boolean verbose;

    @Option(names = "-d", description = "(dry run) compile only and print the generated BPF instructions")
    boolean[] debug;

    @Option(names = "-k", description = "-k: warn when a helper fails; -kk: check every helper (accepted; not checked)")
    boolean[] helperChecks;

    @Option(names = "--unsafe", description = "allow unsafe builtin functions (system, signal)")
    boolean unsafe;

    @Option(names = "--no-warnings", description = "disable all warning messages")
    boolean noWarnings;

    @Option(names = "--include", paramLabel = "FILE", description = "add an #include file before the script")
    List<String> includes = new ArrayList<>();

    @Option(names = "-I", paramLabel = "DIR", description = "add the directory to the include search path")
    List<String> includeDirs = new ArrayList<>();

    @Option(names = "--info", description = "print information about kernel BPF support")
    boolean info;

    @Parameters(paramLabel = "ARGS", description = "the script file (unless -e), then positional parameters $1, $2...")
    List<String> args = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return ScriptRun.reporting(spec.commandLine().getErr(), this::run);
    }

    private int run() {
        int targetPid = pid == null ? 0 : parsePid(pid);
        if (info) {
            spec.commandLine().getOut().println("Kernel helpers\n  perf_event_output: yes\n  get_stackid: yes\n\nMap types\n  hash: yes\n  array: yes\n  perf_event_array: yes\n  stack_trace: yes");
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (!format.equals("text") && !format.equals("json")) throw new UserException("invalid output format '" + format + "' (text, json)");
        if (list) {
            String search = program != null ? program : args.isEmpty() ? "" : args.getFirst();
            java.io.PrintWriter out = spec.commandLine().getOut();
            ProbeList.list(search, verbose, ProbeCatalog.system(), out::println);
            out.flush();
            return 0;
        }
        Source source = ScriptRun.source(program, args.isEmpty() ? null : args.getFirst(), this::withIncludes);
        Script script = Parser.parse(source);
        List<String> params = program != null ? args : args.subList(Math.min(1, args.size()), args.size());
        return ScriptRun.run(script, params, new ScriptRun.Settings(targetPid, command, format.equals("json"), quiet, verbose,
                unsafe, helperChecks == null ? 0 : helperChecks.length, outputFile, buffering.equals("full"),
                debug != null && debug.length > 0, "bpf4j trace"), spec.commandLine().getOut());
    }

    private String withIncludes(String text) {
        StringBuilder sb = new StringBuilder();
        for (String inc : includes) sb.append("#include <").append(inc).append(">\n");
        return includes.isEmpty() ? text : sb + text;
    }

    /** bpftrace's checks of -p: a decimal number in [1, 4194304]. */
    static int parsePid(String s) {
        if (!s.matches("[0-9]+")) throw new UserException("pid '" + s + "' is not a valid decimal number");
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (v < 1 || v > 4194304) throw new UserException("pid '" + s + "' out of valid pid range [1,4194304]");
        return (int) v;
    }
}
