package org.bpf4j.cli;

import org.bpf4j.InputFiles;
import org.bpf4j.UserException;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.runtime.Child;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.ProcessName;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Privileges;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What {@code trace} and {@code stap} share once their script is parsed: check, compile, load, attach, run until
 * exit or Ctrl-C (or the end of the {@code -c} command), print the maps; errors in bpftrace's layout.
 */
final class ScriptRun {
    /** How to run: the options both commands have; {@code warnings} null to keep the checker's warnings to itself. */
    record Settings(int pid, String command, boolean json, boolean quiet, boolean verbose, boolean unsafe, int helperChecks,
                    Path outputFile, boolean fullBuffering, boolean dryRun, String who, PrintWriter warnings) {}

    private ScriptRun() {}

    /** Runs {@code body}, printing a script error or a user error as bpftrace does; returns the exit status. */
    static int reporting(PrintWriter err, Callable<Integer> body) {
        try {
            return body.call();
        } catch (SourceError e) {
            System.out.flush();
            err.println(e.render());
            err.flush();
            return 1;
        } catch (UserException e) {
            System.out.flush();
            err.println("ERROR: " + e.getMessage());
            err.flush();
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The script text of {@code -e} or of a file ({@code -} for standard input). */
    static Source source(String program, String file, Function<String, String> prepare) {
        if (program != null) return new Source("stdin", prepare.apply(program));
        if (file == null) throw new UserException("no program given: use -e 'program' or a file name (-h for help)");
        try {
            // bounded and decoded strictly: /dev/zero or a binary given by mistake ends in one message
            if (file.equals("-"))
                return new Source("stdin", prepare.apply(InputFiles.utf8(InputFiles.read(System.in, InputFiles.TEXT_LIMIT, "stdin"), "stdin")));
            byte[] bytes;
            try (var in = Files.newInputStream(Path.of(file))) {
                bytes = InputFiles.read(in, InputFiles.TEXT_LIMIT, file);
            }
            return new Source(file, prepare.apply(InputFiles.utf8(bytes, file)));
        } catch (NoSuchFileException e) {
            throw new UserException("failed to open file '" + file + "': No such file or directory");
        } catch (IOException e) {
            throw new UserException("failed to open file '" + file + "': " + e.getMessage());
        }
    }

    /** Checks, compiles and runs {@code script}; returns its exit status. */
    static int run(Script script, List<String> params, Settings s, PrintWriter stdout) {
        Analysis analysis = Checker.check(script, new Params(params), ProbeCatalog.system(s.pid() > 0 ? s.pid() : -1),
                new Checker.Options(s.unsafe()));
        if (s.warnings() != null) {
            for (var w : analysis.warnings()) s.warnings().println(w.render());
            s.warnings().flush();
        }
        if (s.dryRun()) {
            for (var p : compile(analysis, 0, s).programs()) {
                stdout.println("; " + p.unit().name() + " (" + p.spec().type().bpftoolName() + ", "
                        + p.spec().program().instructions().size() + " instructions)");
                stdout.print(org.bpf4j.asm.Disassembler.dump(p.spec().program().instructions(), org.bpf4j.asm.CallNames.HELPERS, false));
            }
            stdout.flush();
            return 0;
        }
        Privileges.requireTracing(s.who());
        // compiled before the first system call when it can be: that overlaps with linking the system-call
        // handle (Warmup); with -c the code needs the child's pid, so the child comes first
        CompiledScript early = s.command() == null ? compile(analysis, 0, s) : null;
        // named after the command (the bpftrace drop-in launcher asks for "bpftrace"), not "java"
        String name = System.getenv("BPF4J_PROGNAME");
        ProcessName.set(name == null || name.isBlank() ? "bpf4j" : name);
        PrintStream stream = outputStream(s);
        Output out = new Output(stream, s.json(), s.quiet());
        Shutdown.install();
        try (Child child = s.command() == null ? null : Child.start(s.command())) {
            CompiledScript compiled = early != null ? early : compile(analysis, (int) child.pid(), s);
            try (Session session = Session.load(compiled, out, new Session.Options(s.pid(), s.verbose()))) {
                out.attaching(session.probeCount());
                out.flush();
                session.start(() -> {
                    if (System.getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") != null) {
                        System.err.println("__BPFTRACE_NOTIFY_PROBES_ATTACHED");
                        System.err.flush();
                    }
                    if (child != null) child.resume();
                });
                session.run(Shutdown::requested, () -> child != null && child.exited());
                return session.finish();
            }
        } finally {
            stream.flush();
            if (stream != System.out) stream.close();
            Shutdown.finished();
        }
    }

    private static CompiledScript compile(Analysis analysis, int childPid, Settings s) {
        return Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), childPid, Cpus.possibleCount(), s.helperChecks()));
    }

    private static PrintStream outputStream(Settings s) {
        if (s.outputFile() == null) {
            return s.fullBuffering() ? new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8)
                    : System.out;
        }
        try {
            return new PrintStream(new FileOutputStream(s.outputFile().toFile()), !s.fullBuffering(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            throw new UserException("failed to open output file '" + s.outputFile() + "': " + e.getMessage());
        }
    }
}
