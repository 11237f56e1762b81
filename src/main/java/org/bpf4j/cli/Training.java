package org.bpf4j.cli;

import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Privileges;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind a tool's ahead-of-time cache (JDK 25, JEP 483/514/515): the launcher runs this once
 * per build and tool, in the background, with {@code -XX:AOTCacheOutput}, and later runs of the tool start from
 * the classes, linkage and profiles it leaves. So that the cache holds what a real run needs whatever the user
 * happened to run first, it does what users do: compiles a spread of scripts and, where the process may trace,
 * loads and attaches real ones that end by themselves. Its output goes nowhere.
 */
final class Training {
    /** Scripts whose compilation covers the language: probes, builtins, maps and their functions, control flow. */
    private static final List<String> TRACE_SCRIPTS = List.of(
            "BEGIN { printf(\"%-10s %5d %s\\n\", \"hello\", 42, str(\"x\")); @start = nsecs; $t = (1, \"a\"); print($t); }",
            "tracepoint:syscalls:sys_enter_openat { printf(\"%d %s %s\\n\", pid, comm, str(args->filename)); }",
            "tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes[comm] = hist(args->ret); @sizes = lhist(args->ret, 0, 1000, 100); }",
            "tracepoint:raw_syscalls:sys_enter { @[comm, pid] = count(); @s[tid] = sum(args->id); @a = avg(cpu); @m = max(uid); @n = min(gid); @st = stats(args->id); }",
            "tracepoint:sched:sched_process_exec { time(\"%H:%M:%S \"); printf(\"%s\\n\", str(args->filename)); }",
            "tracepoint:syscalls:sys_enter_kill { @sig[args->sig] = count(); if (args->sig == 9) { printf(\"kill %d\\n\", args->pid); } else { $x = args->sig > 15 ? 1 : 0; } }",
            "interval:s:1 { @bytes[comm] = count(); @sizes = sum(1); @start = nsecs; print(@bytes); clear(@bytes); zero(@sizes); delete(@start); } END { printf(\"%lld\\n\", elapsed); }",
            "profile:hz:99 /pid/ { @stacks[kstack] = count(); @ustacks[ustack, comm] = count(); }",
            "tracepoint:syscalls:sys_enter_execve { join(args->argv); $i = 0; while ($i < 4) { $i++; } unroll(2) { @u = count(); } }");

    /** Scripts that run for real where the process may trace: they attach, see events, print maps and end. */
    private static final List<String> TRACE_RUNS = List.of(
            "BEGIN { printf(\"%s %d\\n\", comm, pid); @a[1, \"x\"] = count(); @h = hist(100); @l = lhist(5, 0, 10, 1); @s = stats(3); exit(); }",
            "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); } tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @r[tid] = hist(args->ret); printf(\"%d\\n\", args->ret); } interval:ms:50 { exit(); }");

    private static final List<String> STAP_RUNS = List.of(
            "global n; function twice(x) { if (x > 1) return x * 2; return x } "
                    + "probe begin { printf(\"%s %d %d\\n\", execname(), pid(), twice(gettimeofday_s())); print(ppid()); println(\"\") } probe syscall.read { n <<< $count } "
                    + "probe timer.ms(50) { exit() } probe end { printf(\"%d\\n\", @count(n)) }",
            "probe kernel.function(\"sys_kill\") { printf(\"PID %d sends signal %d\\n\", $pid, $sig) } probe timer.ms(20) { exit() }");

    private Training() {}

    /**
     * Trains the tool named by {@code args[0]}; exits 1 when a step failed (the cache is still written, but the
     * training covers less than it should: TrainingTest catches that).
     */
    public static void main(String[] args) throws Exception {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        PrintStream err = System.err;
        System.setOut(sink);
        System.setErr(sink);
        PrintWriter none = new PrintWriter(OutputStream.nullOutputStream());
        boolean live = Privileges.canTrace();
        List<String> failed = new ArrayList<>();
        switch (args.length == 0 ? "" : args[0]) {
            case "trace" -> {
                for (String s : TRACE_SCRIPTS) {
                    try {
                        Analysis a = Checker.check(Parser.parse(new Source("training", s)), new Params(List.of()),
                                ProbeCatalog.system(), new Checker.Options(false));
                        Compiler.compile(a, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount(), 0));
                    } catch (RuntimeException e) {
                        failed.add(s + ": " + e.getMessage());
                    }
                }
                // an error as the user sees it
                if (TraceCommand.main(List.of("-e", "BEGIN { @x = foo(1); }"), none, none) != 1) failed.add("the error case");
                if (live) for (String s : TRACE_RUNS) if (TraceCommand.main(List.of("-e", s), none, none) != 0) failed.add(s);
            }
            case "stap" -> {
                for (String s : STAP_RUNS) {
                    if (StapCommand.main(List.of("-p", "2", "-e", s), none, none) != 0) failed.add(s);
                    if (live && StapCommand.main(List.of("-e", s), none, none) != 0) failed.add(s);
                }
            }
            case "killsnoop" -> {
                if (!live) break;
                // killsnoop runs until a signal: end it as one would, without a kill(2) that another killsnoop (the
                // user's first one, started while this trains) would show
                Thread signals = new Thread(() -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException ignored) {
                        // training only
                    }
                    Shutdown.request();
                });
                signals.setDaemon(true);
                signals.start();
                if (ToolRunner.main(new org.bpf4j.tools.KillsnoopCommand(), new ArrayList<>(), none, none) != 0) failed.add("killsnoop");
            }
            default -> throw new IllegalArgumentException("no training for " + (args.length == 0 ? "nothing" : args[0]));
        }
        for (String f : failed) err.println("training failed: " + f);
        if (!failed.isEmpty()) System.exit(1);
    }
}
