package org.bpf4j.cli;

import org.bpf4j.InputFiles;
import org.bpf4j.UserException;
import org.bpf4j.events.EventChannel;
import org.bpf4j.events.EventOutput;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.runtime.Child;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.ProbeRuns;
import org.bpf4j.lang.runtime.ProcessName;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Native;
import org.bpf4j.sys.Privileges;

import java.io.FileDescriptor;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
    /**
     * How to run: the options both commands have; {@code warnings} null to keep the checker's warnings to itself;
     * {@code mode} v0.26's "run", "bench" or "test"; {@code probeFilter} --probe-filter's regex, or null.
     */
    record Settings(int pid, String command, boolean json, boolean quiet, boolean verbose, boolean unsafe, int helperChecks,
                    Path outputFile, Output.Buffering buffering, boolean dryRun, String who, PrintWriter warnings,
                    String mode, java.util.regex.Pattern probeFilter) {
        /** Probes run as usual, none filtered out. */
        Settings(int pid, String command, boolean json, boolean quiet, boolean verbose, boolean unsafe, int helperChecks,
                 Path outputFile, Output.Buffering buffering, boolean dryRun, String who, PrintWriter warnings) {
            this(pid, command, json, quiet, verbose, unsafe, helperChecks, outputFile, buffering, dryRun, who, warnings, "run", null);
        }
    }

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
            String bcc = file.matches("(?s)[prtu]?:.*:.*") || file.contains("\"") // a BCC trace probe given to bpftrace's trace
                    ? " (a BCC trace probe? BCC's trace is bpf4j bcc-trace)" : "";
            throw new UserException("failed to open file '" + file + "': No such file or directory" + bcc);
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
        Shutdown.install(); // early: a SIGINT before it is lost when a shell started us in the background
        try {
            return trace(analysis, s);
        } finally {
            Shutdown.finished();
        }
    }

    private static int trace(Analysis analysis, Settings s) {
        // v0.26: bench: and test: probes alone attach nothing without --bench / --test (refused before anything is made)
        if (s.mode().equals("run") && analysis.units().stream().allMatch(u -> u.point() instanceof Attach.Run)) {
            boolean tests = analysis.units().stream().anyMatch(u -> u.point() instanceof Attach.Run r && r.kind().equals("test"));
            throw new UserException("No probes attached; use " + (tests ? "--test to run test" : "--bench to run benchmark") + " probes.");
        }
        // compiled before the first system call when it can be: that overlaps with linking the system-call
        // handle (Warmup); with -c the code needs the child's pid, so the child comes first
        CompiledScript early = s.command() == null ? compile(analysis, 0, s) : null;
        // named after the command (the bpftrace drop-in launcher asks for "bpftrace"), not "java"
        String name = System.getenv("BPF4J_PROGNAME");
        ProcessName.set(name == null || name.isBlank() ? "bpf4j" : name);
        OutputStream stream = outputStream(s);
        Output out = new Output(stream, s.json(), s.quiet(), s.buffering(), s.outputFile() == null && terminal());
        try (Child child = s.command() == null ? null : Child.start(s.command())) {
            CompiledScript compiled = early != null ? early : compile(analysis, (int) child.pid(), s);
            try (Session session = Session.load(compiled, out, new Session.Options(s.pid(), s.verbose(), perfPages(), queueBytes(), s.warnings() != null))) {
                if (s.probeFilter() != null) session.probeFilter(s.probeFilter());
                if (!s.mode().equals("run")) { // v0.26 --bench / --test: begin, the bench: or test: probes, end
                    session.begin();
                    int status = s.mode().equals("bench") ? ProbeRuns.bench(session, out) : ProbeRuns.test(session, out);
                    notifyAttached();
                    return Math.max(status, session.finish());
                }
                session.start(() -> {
                    // v0.26 says "Attached N probes" once they are: a probe that fails to attach gives its error alone
                    out.attaching(session.probeCount());
                    out.flush();
                    notifyAttached();
                    if (child != null) child.resume();
                });
                session.run(Shutdown::requested, () -> child != null && child.exited());
                return session.finish();
            }
        } finally {
            out.flush();
            if (s.outputFile() != null) closeQuietly(stream);
        }
    }

    /**
     * With __BPFTRACE_NOTIFY_PROBES_ATTACHED set (bpftrace's test runner), the line of that name on standard output
     * once the probes are attached, as v0.26 prints it (v0.17 printed it on standard error).
     */
    private static void notifyAttached() {
        if (System.getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") == null) return;
        System.out.println("__BPFTRACE_NOTIFY_PROBES_ATTACHED");
        System.out.flush();
    }

    private static CompiledScript compile(Analysis analysis, int childPid, Settings s) {
        EventChannel channel = channel(!s.dryRun());
        long bytes = channel == EventChannel.RING_BUFFER ? ringBytes() : perfPages();
        return Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), childPid, Cpus.possibleCount(), s.helperChecks(),
                channel, bytes));
    }

    /**
     * The ring buffer where the kernel has one ({@code probe}: asked of the kernel; a dry run, which needs no
     * privileges, assumes it); BPF4J_EVENT_CHANNEL=perf asks for the perf buffer.
     */
    private static EventChannel channel(boolean probe) {
        String asked = System.getenv("BPF4J_EVENT_CHANNEL");
        if ("perf".equals(asked)) return EventChannel.PERF_BUFFER;
        if ("ringbuf".equals(asked)) return EventChannel.RING_BUFFER;
        if (asked != null && !asked.isEmpty()) throw new UserException("BPF4J_EVENT_CHANNEL must be 'ringbuf' or 'perf', not '" + asked + "'");
        return probe ? EventChannel.best() : EventChannel.RING_BUFFER;
    }

    /** bpftrace's BPFTRACE_PERF_RB_PAGES: pages per CPU of a perf buffer (64 when unset). */
    private static int perfPages() {
        String v = System.getenv("BPFTRACE_PERF_RB_PAGES");
        if (v == null || v.isEmpty()) return EventOutput.DEFAULT_PERF_PAGES;
        try {
            int pages = Integer.parseInt(v.strip());
            if (pages > 0) return Integer.highestOneBit(pages) == pages ? pages : Integer.highestOneBit(pages) << 1;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UserException("BPFTRACE_PERF_RB_PAGES must be a positive number of pages, not '" + v + "'");
    }

    /** BPF4J_EVENT_QUEUE_MB: how many MiB of events may wait in memory for the output to catch up (512 when unset). */
    private static long queueBytes() {
        String v = System.getenv("BPF4J_EVENT_QUEUE_MB");
        if (v == null || v.isEmpty()) return Session.DEFAULT_QUEUE_BYTES;
        try {
            long mb = Long.parseLong(v.strip());
            if (mb > 0 && mb <= 1 << 20) return mb << 20;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UserException("BPF4J_EVENT_QUEUE_MB must be a number of MiB from 1 to 1048576, not '" + v + "'");
    }

    /**
     * The ring buffer's size: as much as BPFTRACE_PERF_RB_PAGES gives all CPUs' perf buffers when it is set (a power
     * of two, as the kernel wants), else the default.
     */
    private static long ringBytes() {
        if (System.getenv("BPFTRACE_PERF_RB_PAGES") == null) return EventOutput.DEFAULT_RING_BYTES;
        long bytes = (long) perfPages() * Native.pageSize() * Cpus.online().cardinality();
        long pow = Long.highestOneBit(bytes);
        return Math.min(pow == bytes ? bytes : pow << 1, 1L << 30);
    }

    /** Whether standard output is a terminal (output is then written event by event, as bpftrace's line buffering). */
    private static boolean terminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static OutputStream outputStream(Settings s) {
        if (s.outputFile() == null) return new FileOutputStream(FileDescriptor.out);
        try {
            return new FileOutputStream(s.outputFile().toFile());
        } catch (FileNotFoundException e) {
            throw new UserException("failed to open output file '" + s.outputFile() + "': " + e.getMessage());
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // what could be written was written
        }
    }
}
