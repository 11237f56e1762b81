package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.ProbeList;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bpf4j trace}: bpftrace's language and command line. The script is parsed, type-checked and compiled
 * to BPF in Java, then loaded, attached and run through the kernel layer. Errors print as bpftrace prints them
 * ({@code ERROR: ...}, with file:line:col and a caret for script errors); so do bad options, the usage and
 * {@code -V}. The command line is read by {@link Getopt}, as bpftrace's by getopt_long.
 */
final class TraceCommand {
    private static final Getopt OPTIONS = Getopt.of("d:B:f:e:hlp:vqc:Vo:I:k",
            "help=h", "version=V", "unsafe", "include:", "info", "no-warnings", "usdt-file-activation",
            // v0.26: long forms, --dry-run, the modes, and options that only concern LLVM or DWARF (accepted, no effect)
            "output=o", "list=l", "pid=p", "cmd=c", "quiet=q", "verbose=v", "dry-run", "test", "bench", "mode:",
            "verify-llvm-ir", "emit-llvm:", "emit-elf:", "no-feature:", "debuginfo:", "dwarf-pid:",
            "traceable-functions:", "warnings", "probe-filter:");
    /** The stages {@code -d} names in v0.26; bpf4j prints its BPF instructions for each and does not run. */
    private static final List<String> DEBUG_STAGES = List.of("all", "ast", "types", "codegen", "codegen-opt", "libbpf", "verifier");
    static final String VERSION = "bpftrace v0.17.0 (bpf4j 0.1.0: the bpftrace v0.17 language, compiled in Java)";

    private String program, pid, command, format = "text", buffering = "line";
    private Path outputFile;
    private boolean list, quiet, verbose, unsafe, info, version, dryRun, warnings = true;
    private String mode = "run", debugStage, probeFilter;
    private int debug, helperChecks;
    private final List<String> includes = new ArrayList<>(), includeDirs = new ArrayList<>();
    private List<String> args = List.of();

    private TraceCommand() {}

    /** Runs {@code bpf4j trace ARGS}; returns the exit status. */
    static int main(List<String> argv, PrintWriter out, PrintWriter err) {
        TraceCommand c = new TraceCommand();
        try {
            if (!c.read(OPTIONS.parse(argv))) {
                out.print(usage());
                out.flush();
                return 0;
            }
        } catch (Getopt.Error e) {
            err.println(progName() + ": " + e.getMessage());
            err.print(usage());
            err.flush();
            return 1;
        }
        if (c.version) {
            out.println(VERSION);
            out.flush();
            return 0;
        }
        return ScriptRun.reporting(err, () -> c.run(out, err));
    }

    /** Takes the options; false when the usage was asked for. */
    private boolean read(Getopt.Parsed parsed) {
        for (Getopt.Opt o : parsed.options()) {
            switch (o.name()) {
                case "d" -> {
                    debugStage = o.value();
                    debug++;
                }
                case "dry-run" -> dryRun = true;
                case "test" -> mode = "test";
                case "bench" -> mode = "bench";
                case "mode" -> mode = o.value();
                case "warnings" -> warnings = true;
                case "verify-llvm-ir", "emit-llvm", "emit-elf", "no-feature", "debuginfo", "dwarf-pid",
                     "traceable-functions" -> { }
                case "probe-filter" -> probeFilter = o.value();
                case "B" -> buffering = o.value();
                case "f" -> format = o.value();
                case "e" -> program = o.value();
                case "h" -> { return false; }
                case "l" -> list = true;
                case "p" -> pid = o.value();
                case "v" -> verbose = true;
                case "q" -> quiet = true;
                case "c" -> command = o.value();
                case "V" -> version = true;
                case "o" -> outputFile = Path.of(o.value());
                case "I" -> includeDirs.add(o.value());
                case "k" -> helperChecks++;
                case "unsafe" -> unsafe = true;
                case "include" -> includes.add(o.value());
                case "info" -> info = true;
                case "no-warnings" -> warnings = false;
                case "usdt-file-activation" -> { }
                default -> throw new IllegalStateException("option " + o.name());
            }
        }
        args = parsed.operands();
        return true;
    }

    private int run(PrintWriter stdout, PrintWriter stderr) {
        if (debugStage != null && !DEBUG_STAGES.contains(debugStage))
            throw new UserException("USAGE: invalid debug stage '" + debugStage + "'; valid stages: " + String.join(", ", DEBUG_STAGES));
        if (!mode.equals("run") && !mode.equals("bench") && !mode.equals("test"))
            throw new UserException("--mode " + mode + ": not supported by bpf4j trace (run, bench and test are)");
        java.util.regex.Pattern filter = null;
        if (probeFilter != null) {
            try {
                filter = java.util.regex.Pattern.compile(probeFilter);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new UserException("Invalid --probe-filter regex '" + probeFilter + "': " + e.getDescription());
            }
        }
        int targetPid = pid == null ? 0 : parsePid(pid);
        // bpftrace refuses a pid with no process rather than tracing everything
        if (targetPid > 0 && !java.nio.file.Files.isDirectory(Path.of("/proc", Integer.toString(targetPid))))
            throw new UserException("-p " + targetPid + ": no such process");
        for (String inc : includes) findHeader(inc);
        if (!buffering.equals("line") && !buffering.equals("full") && !buffering.equals("none")) {
            throw new UserException("USAGE: -B must be either 'line', 'full', or 'none'.");
        }
        if (info) {
            org.bpf4j.sys.Privileges.requireTracing("bpf4j trace --info");
            org.bpf4j.lang.runtime.KernelInfo.print(VERSION, stdout::println);
            stdout.flush();
            return 0;
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw new UserException("Invalid output format \"" + format + "\"\nValid formats: 'text', 'json'");
        }
        if (list) {
            ProbeCatalog catalog = ProbeCatalog.system(targetPid > 0 ? targetPid : -1);
            // v0.26: with -e, or an argument that names an existing file, -l lists that program's probes
            String file = program == null && !args.isEmpty() && java.nio.file.Files.isRegularFile(Path.of(args.getFirst())) ? args.getFirst() : null;
            if (program != null || file != null) {
                Script script = parse(ScriptRun.source(program, file, this::withIncludes));
                List<String> params = program != null ? args : args.subList(1, args.size());
                ProbeList.program(org.bpf4j.lang.sema.Checker.attachPoints(script, new org.bpf4j.lang.sema.Params(params), catalog), stdout::println);
            } else {
                ProbeList.list(args.isEmpty() ? "" : args.getFirst(), verbose, catalog, stdout::println);
            }
            stdout.flush();
            return 0;
        }
        Source source = ScriptRun.source(program, args.isEmpty() ? null : args.getFirst(), this::withIncludes);
        List<String> params = program != null ? args : args.subList(Math.min(1, args.size()), args.size());
        // v0.26: --name[=value] after `--` are the program's named options (getopt()), the rest positional
        Script script = org.bpf4j.lang.syntax.ProgramOptions.apply(parse(source), params);
        if (!script.stap()) script = org.bpf4j.lang.syntax.ConfigEnvironment.apply(script, System.getenv()); // BPFTRACE_MAX_STRLEN...
        params = org.bpf4j.lang.syntax.ProgramOptions.positional(params);
        // --dry-run: everything up to the kernel, nothing printed; -d STAGE: the generated instructions, not run
        return ScriptRun.run(script, params, new ScriptRun.Settings(targetPid, command, format.equals("json"), quiet, verbose,
                unsafe, helperChecks, outputFile, Output.Buffering.valueOf(buffering.toUpperCase(Locale.ROOT)), debug > 0 || dryRun,
                "bpf4j trace", warnings ? stderr : null, mode, filter), debug > 0 ? stdout : new PrintWriter(java.io.Writer.nullWriter()));
    }

    /** The name bpftrace's messages start with: the drop-in's ("bpftrace") or ours. */
    static String progName() {
        String name = System.getenv("BPF4J_PROGNAME");
        return name == null || name.isBlank() ? "bpf4j trace" : name;
    }

    /** bpftrace's usage, for the options bpf4j has. */
    static String usage() {
        String n = progName();
        return """
                USAGE:
                    %1$s [options] filename
                    %1$s [options] - <stdin input>
                    %1$s [options] -e 'program'

                OPTIONS:
                    -B MODE        output buffering mode ('full', 'none')
                    -f FORMAT      output format ('text', 'json')
                    -o file        redirect bpftrace output to file
                    -e 'program'   execute this program
                    -h, --help     show this help message
                    -I DIR         add the directory to the include search path
                    --include FILE add an #include file before preprocessing
                    -l [search]    list probes
                    -p PID         enable USDT probes on PID
                    -c 'CMD'       run CMD and enable USDT probes on resulting process
                    --usdt-file-activation
                                   activate usdt semaphores based on file path
                    --unsafe       allow unsafe builtin functions
                    -q             keep messages quiet
                    --info         Print information about kernel BPF support
                    -k             emit a warning when a bpf helper returns an error (except read functions)
                    -kk            check all bpf helper functions
                    -V, --version  bpftrace version
                    --no-warnings  disable all warning messages
                    --probe-filter REGEX
                                   attach only the probes whose name REGEX matches (begin/end always)
                    --bench        run all bench: probes (same as --mode bench)
                    --test         run all test: probes (same as --mode test)

                TROUBLESHOOTING OPTIONS:
                    -v             verbose messages
                    -d STAGE       print the generated BPF instructions and do not run (STAGE: all, ast, types,
                                   codegen, codegen-opt, libbpf, verifier: all the same in bpf4j)
                    --dry-run      check and compile the program, attach nothing, print nothing
                    --verify-llvm-ir, --emit-llvm FILE, --emit-elf FILE
                                   accepted and ignored: bpf4j has no LLVM

                EXAMPLES:
                %1$s -l '*sleep*'
                    list probes containing "sleep"
                %1$s -e 'tracepoint:syscalls:sys_enter_nanosleep { printf("PID %%d sleeping...\\n", pid); }'
                    trace processes calling sleep
                %1$s -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
                    count syscalls by process name
                """.formatted(n);
    }

    private String withIncludes(String text) {
        StringBuilder sb = new StringBuilder();
        for (String inc : includes) sb.append("#include <").append(inc).append(">\n");
        return includes.isEmpty() ? text : sb + text;
    }

    /**
     * Checks that an --include header exists, as bpftrace's clang does ("'nosuch.h' file not found"): on the -I
     * path or the system's, or one of the few bpf4j knows the macros of.
     */
    private void findHeader(String header) {
        if (!org.bpf4j.lang.syntax.Headers.found(header, false, includeDirs)) {
            List<String> dirs = new ArrayList<>(includeDirs);
            dirs.addAll(org.bpf4j.lang.syntax.Headers.SYSTEM_INCLUDE);
            throw new UserException("--include " + header + ": file not found (searched " + String.join(", ", dirs) + ")");
        }
    }

    /** The script in {@code source}, its {@code #include}s looked up on the -I path and the system's (v0.26 refuses a missing one). */
    private Script parse(org.bpf4j.lang.syntax.Source source) {
        return Parser.parse(source, (header, quoted) -> org.bpf4j.lang.syntax.Headers.found(header, quoted, includeDirs));
    }

    /** bpftrace v0.26's checks of -p, with its messages: a decimal number in [1, 4194304]. */
    static int parsePid(String s) {
        if (!s.matches("[0-9].*")) throw new UserException("Failed to parse pid: invalid integer: " + s);
        if (!s.matches("[0-9]+")) throw new UserException("Failed to parse pid: invalid trailing bytes: " + s);
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (v < 1 || v > 4194304) throw new UserException("Pid out of range: " + s);
        return (int) v;
    }
}
