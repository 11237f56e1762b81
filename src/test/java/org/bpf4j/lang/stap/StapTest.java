package org.bpf4j.lang.stap;

import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.runtime.Output;
import org.bpf4j.lang.runtime.Session;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Probe;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.lang.syntax.Stmt;
import org.bpf4j.lang.syntax.TypeName;
import org.bpf4j.sys.Cpus;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tracefs.Tracefs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The SystemTap dialect: probe points become bpftrace's, and scripts run on the same compiler and runtime. */
class StapTest {
    static Script parse(String text) {
        return StapParser.parse(new Source("stdin", text), (cat, ev) -> cat.equals("syscalls") && !ev.contains("nonesuch"));
    }

    static List<String> points(String text) {
        return parse(text).probes().stream().flatMap(p -> p.points().stream()).map(Probe.AttachPoint::text).toList();
    }

    @Test
    void probePointsBecomeBpftraceAttachPoints() {
        assertEquals(List.of("BEGIN", "END", "interval:s:2", "interval:ms:100"),
                points("probe begin, end, timer.s(2), timer.ms(100) { }"));
        assertEquals(List.of("tracepoint:syscalls:sys_enter_kill", "tracepoint:syscalls:sys_enter_openat"),
                points("probe kernel.function(\"sys_kill\"), kernel.function(\"__x64_sys_openat\") { }"));
        assertEquals(List.of("tracepoint:syscalls:sys_exit_read", "tracepoint:syscalls:sys_enter_*"),
                points("probe syscall.read.return, syscall.* { }"));
        assertEquals(List.of("kprobe:vfs_read", "kretprobe:do_nonesuch"),
                points("probe kernel.function(\"vfs_read\"), kernel.function(\"do_nonesuch\").return { }"));
        assertEquals(List.of("uprobe:/bin/bash:readline", "uretprobe:/bin/bash:readline"),
                points("probe process(\"/bin/bash\").function(\"readline\") { } probe process(\"/bin/bash\").function(\"readline\").return { }"));
        assertEquals(List.of("usdt:/usr/lib/libjvm.so:thread__start", "tracepoint:sched:sched_switch"),
                points("probe process(\"/usr/lib/libjvm.so\").mark(\"thread__start\") { } probe kernel.trace(\"sched:sched_switch\") { }"));
    }

    @Test
    void targetVariablesGlobalsAndStatistics() {
        Script s = parse("""
                global counts, sizes, n = 3
                probe syscall.read.return {
                  if ($return > 0) sizes[execname()] <<< $return
                  counts[pid()]++
                  x = $fd + 1
                }
                probe end { foreach ([p] in counts- limit 2) printf("%d %d\\n", p, counts[p]) }
                """);
        assertEquals(List.of("BEGIN", "tracepoint:syscalls:sys_exit_read", "END"),
                s.probes().stream().map(p -> p.points().getFirst().text()).toList());
        List<Stmt> body = s.probes().get(1).body();
        Stmt.If ifs = (Stmt.If) body.getFirst();
        Stmt.Assign agg = (Stmt.Assign) ifs.then().getFirst();
        assertEquals("@sizes", ((Expr.MapRef) agg.target()).name());
        assertEquals("<<<", ((Expr.Call) agg.value()).name());
        assertEquals(new Expr.Field(new Expr.Builtin("args", ((Expr.Field) ((Expr.Call) agg.value()).args().getFirst()).span()), "ret", true,
                ((Expr.Field) ((Expr.Call) agg.value()).args().getFirst()).span()), ((Expr.Call) agg.value()).args().getFirst());
        Stmt.Foreach f = (Stmt.Foreach) s.probes().get(2).body().getFirst();
        assertEquals(List.of("$p"), f.keyVars());
        assertTrue(f.sorted() && f.sortByValue() && f.descending());
        assertEquals(Set.of("@counts"), s.silent(), "counts is read by foreach; sizes and n are printed at exit");
        Expr.Call printf = (Expr.Call) ((Stmt.ExprStmt) f.body().getFirst()).expr();
        assertEquals("%ld %ld\n", ((Expr.Str) printf.args().getFirst()).value(), "SystemTap's %d is 64-bit");
    }

    @Test
    void mistakesArePlaced() {
        SourceError e = assertThrows(SourceError.class, () -> parse("probe kernel.function(\"vfs_read\") { printf(\"%d\", $count) }"));
        assertTrue(e.render().startsWith("stdin:1:50: ERROR: target variable $count needs the function's debug information"), e.render());
        assertThrows(SourceError.class, () -> parse("probe perf.hw.cpu_cycles { }"));
        Script bad = parse("global a\nprobe end { foreach (k in a) { a[k] = 1 } }\nprobe begin { a[1] = 2 }");
        SourceError f = assertThrows(SourceError.class, () -> Checker.check(bad, new Params(List.of()), LangTesting.catalog(), Checker.Options.DEFAULT));
        assertEquals("a foreach body may only printf or print the keys and values", f.detail());
    }

    @Test
    @Tag("kernel")
    void theIntroductionsOneLinerAndAStatisticRun() throws Exception {
        Kernel.require();
        Script s = StapParser.parse(new Source("stdin", """
                global sigs, sizes
                probe kernel.function("sys_kill") { printf("PID %d sends signal %d\\n", $pid, $sig); sigs[$sig]++ }
                probe syscall.kill.return { sizes[execname()] <<< 5; sizes[execname()] <<< 7 }
                probe end { foreach (s+ in sigs) printf("signal %d: %d\\n", s, sigs[s])
                  foreach ([c] in sizes) printf("%s %d %d %d %d %d\\n", c, @count(sizes[c]), @sum(sizes[c]), @min(sizes[c]), @max(sizes[c]), @avg(sizes[c])) }
                """), (cat, ev) -> Files.isDirectory(Tracefs.get().root().resolve("events").resolve(cat).resolve(ev)));
        Analysis a = Checker.check(s, new Params(List.of()), ProbeCatalog.system(), Checker.Options.DEFAULT);
        CompiledScript cs = Compiler.compile(a, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long target;
        try (Session session = Session.load(cs, new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true),
                new Session.Options(0, false))) {
            session.start(() -> { });
            Process p = new ProcessBuilder("/bin/sh", "-c", "kill -0 $$").start();
            target = p.pid();
            assertEquals(0, p.waitFor());
            long deadline = System.nanoTime() + 5_000_000_000L;
            session.run(() -> System.nanoTime() > deadline || bytes.toString(StandardCharsets.UTF_8).contains("PID " + target + " "));
            session.finish();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("PID " + target + " sends signal 0\n"), out);
        assertTrue(out.matches("(?s).*signal 0: [1-9]\\d*\n.*"), out);
        assertTrue(out.matches("(?s).*\nsh ([1-9]\\d*) (\\d+) 5 7 6\n.*"), out);
        assertFalse(out.contains("@sigs"), "globals that the script reads are not printed at exit:\n" + out);
    }

    /** Runs a SystemTap script whose begin probe exits; returns what it printed. */
    static String runBegin(String text) {
        Script s = StapParser.parse(new Source("stdin", text), (cat, ev) -> true);
        Analysis a = Checker.check(s, new Params(List.of()), ProbeCatalog.system(), Checker.Options.DEFAULT);
        CompiledScript cs = Compiler.compile(a, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Session session = Session.load(cs, new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true),
                new Session.Options(0, false))) {
            session.start(() -> { });
            long deadline = System.nanoTime() + 5_000_000_000L;
            session.run(() -> System.nanoTime() > deadline);
            session.finish();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Tag("kernel")
    void comparisonsAreLongsThatPrintAsNumbers() {
        Kernel.require();
        // bpftrace v0.26 made comparisons bools (true/false); SystemTap's are longs, printed 1 and 0
        String out = runBegin("probe begin { x = 2 > 1; println(x); println(1 < 0); println(!0); printf(\"%d\\n\", 3 == 3 && 1); exit() }");
        assertEquals("1\n0\n1\n1\n", out);
    }

    @Test
    @Tag("kernel")
    void functionsAreInlinedWithTheirReturnsAndPrintKeepsToTheLine() {
        Kernel.require();
        String out = runBegin("""
                global n
                probe begin {
                  greet("world")
                  printf("%d %d %d %d %d\\n", twice(21), classify(11), classify(7), classify(twice(1)), twice(twice(3)))
                  print(1, "a", 2); println(); println("x", 3)
                  s = gettimeofday_s(); if (s > 1700000000 && ppid() > 0) println("clock and parent")
                  exit()
                }
                function twice:long (x:long) { return x * 2 }
                function classify(v) {
                  if (v > 10) return 1
                  if (v > 5) { n++; return 2 }
                  return 3
                }
                function greet(who:string) { printf("hello %s\\n", who) }
                probe end { printf("n=%d\\n", n) }
                """);
        assertEquals("hello world\n42 1 2 3 12\n1a2\nx3\nclock and parent\nn=1\n", out,
                "functions defined after their use, returns in branches, nested calls; nothing else printed at exit");
    }

    @Test
    @Tag("kernel")
    void stringsConcatenateAndPrintlnPrintsAGlobalsValue() {
        Kernel.require();
        String out = runBegin("""
                global c, m
                probe begin {
                  s = "x"; s = s . "yz"; s .= "!"
                  t = ""; for (i = 0; i < 3; i++) t .= "ab"
                  m["k"] = s . t
                  c = 7
                  println(s); println(t); println(m["k"]); println(c); print(c); println(" ", c)
                  println(strlen(s), " ", strlen(""), " ", isinstr(s, "z!"), isinstr(t, "ba"), isinstr(t, "bb"))
                  println(sprintf("%d-%s|%u|%x|%d|%d%%", 42, s, -1, 255, -9223372036854775808, 0))
                  println(substr(t, 1, 3), "|", substr(t, 4, 100), "|", substr(t, 99, 2), "|")
                  exit()
                }
                probe end { foreach (k in m) println(k, "=", m[k]) }
                """);
        assertEquals("xyz!\nababab\nxyz!ababab\n7\n7 7\n4 0 110\n42-xyz!|18446744073709551615|ff|-9223372036854775808|0%\n"
                + "bab|ab||\nk=xyz!ababab\n", out,
                "a . b, s .= t, in variables and maps; println of a global is its value (not bpftrace's @c: 7)");
    }

    @Test
    @Tag("kernel")
    void membershipOfKeysInGlobalArrays() {
        Kernel.require();
        String out = runBegin("""
                global a, b
                probe begin {
                  a[1] = 5; b[1, "x"] = 7
                  if (1 in a) println("1 in a")
                  if (!(2 in a)) println("2 not in a")
                  if ([1, "x"] in b && !([2, "x"] in b)) println("[1, x] in b")
                  printf("%d%d\\n", 1 in a, 3 in a)
                  exit()
                }
                """);
        assertEquals("1 in a\n2 not in a\n[1, x] in b\n10\n", out);
    }

    @Test
    @Tag("kernel")
    void statisticsPrintAsSystemTapsHistograms() {
        Kernel.require();
        String out = runBegin("""
                global s, t
                probe begin {
                  for (i = 0; i < 20; i++) { s <<< i; t <<< i * 3 }
                  s <<< 5000
                  print(@hist_log(s)); print(@hist_linear(t, 10, 30, 5)); printf("%d %d\\n", @count(s), @max(t))
                  exit()
                }
                """);
        String header = "value |" + "-".repeat(50) + " count\n";
        assertEquals(header
                + row("    0", 1)
                + row("    1", 1)
                + row("    2", 2)
                + row("    4", 4)
                + row("    8", 8)
                + row("   16", 4)
                + row("   32", 0)
                + row("   64", 0)
                + "      ~\n"
                + row(" 1024", 0)
                + row(" 2048", 0)
                + row(" 4096", 1)
                + row(" 8192", 0)
                + row("16384", 0)
                + "\n" + header
                + row("  <10", 4)
                + row("   10", 1)
                + row("   15", 2)
                + row("   20", 2)
                + row("   25", 1)
                + row("   30", 2)
                + row("  >30", 8)
                + "\n"
                + "21 57\n", out, "two empty rows around the values, a '~' for a longer run, under- and overflow rows");
    }

    @Test
    void histogramsOfOneStatisticMustAgree() {
        SourceError twice = assertThrows(SourceError.class, () -> parse(
                "global t; probe begin { t <<< 5; print(@hist_linear(t, 0, 10, 2)); print(@hist_linear(t, 0, 20, 2)) }"));
        assertEquals("t is printed both as @hist_log and as @hist_linear, or with other bounds", twice.detail());
        SourceError negative = assertThrows(SourceError.class, () -> parse("global t; probe begin { t <<< 5; print(@hist_linear(t, -10, 10, 5)) }"));
        assertEquals("@hist_linear with a negative start is not supported", negative.detail());
    }

    /** A row of a SystemTap histogram whose largest count has one digit: the value, a bar of the count, the count. */
    private static String row(String value, int count) {
        return value + " |" + "@".repeat(count) + " ".repeat(51 - count) + count + "\n";
    }

    @Test
    void targetIsTheXPidOrTheChild() {
        Script x = StapParser.parse(new Source("stdin", "probe begin { printf(\"%d\", target()) }"), (cat, ev) -> true, 4242);
        Expr.Call printf = (Expr.Call) ((Stmt.ExprStmt) x.probes().getFirst().body().getFirst()).expr();
        assertEquals(4242, ((Expr.Int) printf.args().get(1)).value(), "-x PID");
        Script c = parse("probe begin { printf(\"%d\", target()) }");
        Expr.Call printf2 = (Expr.Call) ((Stmt.ExprStmt) c.probes().getFirst().body().getFirst()).expr();
        assertEquals("cpid", ((Expr.Builtin) printf2.args().get(1)).name(), "-c's child, 0 without one");
    }

    @Test
    void functionsThatCannotBeInlinedAreRefusedWhereTheyAreCalled() {
        SourceError loop = assertThrows(SourceError.class, () -> parse("function f(x) { while (x) { return 1 } } probe begin { f(1) }"));
        assertEquals("a return inside a loop of f() is not supported: bpf4j inlines SystemTap functions", loop.detail());
        assertEquals(56, loop.span().col());
        SourceError rec = assertThrows(SourceError.class, () -> parse("function f(x) { return f(x) }\nprobe begin { f(1) }"));
        assertEquals("recursive function f(): bpf4j inlines SystemTap functions, and cannot inline this one", rec.detail());
        assertEquals(1, rec.span().line(), "placed on the recursive call, in the definition");
        assertEquals("f() takes 1 argument, 2 given", assertThrows(SourceError.class,
                () -> parse("function f(x) { return 1 } probe begin { f(1, 2) }")).detail());
        assertTrue(assertThrows(SourceError.class, () -> parse("function f(x) { return 1 } probe begin { while (f(1)) { } }"))
                .detail().startsWith("a call of a SystemTap function in a while condition is not supported"));
    }

    /** Functions called without the argument they need (fuzzing found log() and user_string() crashing the parser). */
    @Test
    void missingArgumentsAreSyntaxErrors() {
        assertEquals("stdin:1:15: ERROR: log() takes 1 argument, 0 given",
                assertThrows(SourceError.class, () -> parse("probe begin { log() }")).getMessage().lines().findFirst().orElseThrow());
        assertEquals("stdin:1:23: ERROR: user_string() takes 1 argument, 0 given",
                assertThrows(SourceError.class, () -> parse("probe begin { println(user_string()) }")).getMessage().lines().findFirst().orElseThrow());
        assertEquals("stdin:1:23: ERROR: kernel_string_n() takes 2 arguments, 1 given",
                assertThrows(SourceError.class, () -> parse("probe begin { println(kernel_string_n(0)) }")).getMessage().lines().findFirst().orElseThrow());
    }

    /** Each call is inlined: functions that call the next twice, 30 deep, would make 2^30 copies. */
    @Test
    void inliningIsBounded() {
        StringBuilder text = new StringBuilder("function f30() { return 1 }\n");
        for (int i = 29; i >= 0; i--) text.append("function f").append(i).append("() { return f").append(i + 1).append("() + f").append(i + 1).append("() }\n");
        text.append("probe begin { println(f0()) }");
        String m = assertThrows(SourceError.class, () -> parse(text.toString())).getMessage();
        assertTrue(m.contains("more than 1000 calls of SystemTap functions to inline"), m);
    }

    /** The tracepoints of this machine with their fields' C types, as bpf4j stap reads them. */
    static StapParser.Tracepoints machine() {
        return org.bpf4j.lang.runtime.StapKernel.SYSTEM;
    }

    /**
     * Issue 15: $pid is the syscall's pid_t, a signed int, but the tracepoint keeps it in 8 unsigned bytes, so the
     * README's one-liner printed kill(-23705, 0)'s pid as 4294943591; it takes the parameter's C type, as SystemTap.
     */
    @Test
    void targetVariablesHaveTheirParametersCTypes() {
        StapParser.Tracepoints types = new StapParser.Tracepoints() {
            @Override
            public boolean exists(String cat, String ev) { return cat.equals("syscalls"); }

            @Override
            public java.util.Optional<String> fieldType(String cat, String ev, String field) {
                return java.util.Optional.ofNullable(switch (field) {
                    case "pid" -> "pid_t";
                    case "sig" -> "int";
                    case "uid" -> "uid_t";
                    default -> null;
                });
            }
        };
        Script s = StapParser.parse(new Source("stdin", "probe syscall.kill { printf(\"%d %d %d\\n\", $pid, $sig, $other) }"), types);
        Expr.Call printf = (Expr.Call) ((Stmt.ExprStmt) s.probes().getFirst().body().getFirst()).expr();
        assertEquals("int32", ((Expr.Cast) printf.args().get(1)).type().base());
        assertEquals("int32", ((Expr.Cast) printf.args().get(2)).type().base());
        assertInstanceOf(Expr.Field.class, printf.args().get(3), "a type it does not know stays as the tracepoint has it");
    }

    @Test
    @Tag("kernel")
    void aNegativePidPrintsSigned() throws Exception {
        Kernel.require();
        Script s = StapParser.parse(new Source("stdin", "probe kernel.function(\"sys_kill\") { if ($sig == 0 && $pid < -1) printf(\"PID %d\\n\", $pid) }"), machine());
        Analysis a = Checker.check(s, new Params(List.of()), ProbeCatalog.system(), Checker.Options.DEFAULT);
        CompiledScript cs = Compiler.compile(a, new Compiler.Options(System.nanoTime(), 0, Cpus.possibleCount()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Session session = Session.load(cs, new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true),
                new Session.Options(0, false))) {
            session.start(() -> { });
            Process p = new ProcessBuilder("/bin/sh", "-c", "kill -0 -23705 2>/dev/null; true").start();
            assertEquals(0, p.waitFor());
            long deadline = System.nanoTime() + 5_000_000_000L;
            session.run(() -> System.nanoTime() > deadline || bytes.toString(StandardCharsets.UTF_8).contains("PID -23705"));
            session.finish();
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("PID -23705\n"), bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * Issue 15: where the kernel has kprobes, kernel.function("sys_kill") is a kprobe on __x64_sys_kill whose $pid
     * and $sig are the caller's registers (regs->di, regs->si) with the declared types; the kprobe runs in
     * KernelProbesTest on the kernel matrix.
     */
    @Test
    void syscallFunctionIsAKprobeReadingTheCallersRegisters() {
        StapParser.Tracepoints kprobes = new StapParser.Tracepoints() {
            @Override
            public boolean exists(String cat, String ev) { return cat.equals("syscalls"); }

            @Override
            public java.util.Optional<SyscallFunction> syscallFunction(String name) {
                return java.util.Optional.of(new SyscallFunction("__x64_sys_" + name,
                        List.of(new SyscallFunction.Param("pid", "pid_t"), new SyscallFunction.Param("sig", "int"), new SyscallFunction.Param("p", "void *"))));
            }
        };
        Script s = StapParser.parse(new Source("stdin", "probe kernel.function(\"sys_kill\") { printf(\"%d %d %d\\n\", $pid, $sig, $p) }"), kprobes);
        assertEquals("kprobe:__x64_sys_kill", s.probes().getFirst().points().getFirst().text());
        Expr.Call printf = (Expr.Call) ((Stmt.ExprStmt) s.probes().getFirst().body().getFirst()).expr();
        Expr.Cast pid = (Expr.Cast) printf.args().get(1);
        assertEquals("int32", pid.type().base());
        Expr.Field di = (Expr.Field) pid.operand();
        assertEquals("di", di.field());
        Expr.Cast regs = (Expr.Cast) di.target();
        assertEquals(new TypeName("struct pt_regs", 1, regs.span()), regs.type());
        assertEquals("arg0", ((Expr.Builtin) regs.operand()).name());
        assertEquals("si", ((Expr.Field) ((Expr.Cast) printf.args().get(2)).operand()).field());
        assertEquals("dx", assertInstanceOf(Expr.Field.class, printf.args().get(3), "a pointer stays 64 bits").field());

        Script r = StapParser.parse(new Source("stdin", "probe kernel.function(\"sys_kill\").return { printf(\"%d\\n\", $return) }"), kprobes);
        assertEquals("kretprobe:__x64_sys_kill", r.probes().getFirst().points().getFirst().text());
        assertEquals("stdin:1:52: ERROR: a .return probe of a system call has $return only, not $sig", assertThrows(SourceError.class,
                () -> StapParser.parse(new Source("stdin", "probe kernel.function(\"sys_kill\").return { println($sig) }"), kprobes))
                .getMessage().lines().findFirst().orElseThrow());
        assertEquals("stdin:1:45: ERROR: __x64_sys_kill has no parameter $tpid (its parameters: pid, sig, p)", assertThrows(SourceError.class,
                () -> StapParser.parse(new Source("stdin", "probe kernel.function(\"sys_kill\") { println($tpid) }"), kprobes))
                .getMessage().lines().findFirst().orElseThrow());
    }
}
