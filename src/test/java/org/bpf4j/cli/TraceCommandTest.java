package org.bpf4j.cli;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bpf4j trace}'s command line: bpftrace's options, its error layout, listing, dry runs. */
class TraceCommandTest {
    record Result(int status, String out, String err) {}

    static Result trace(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "trace";
        System.arraycopy(args, 0, all, 1, args.length);
        int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void scriptErrorsAreOneMessageWithTheLineAndACaret() {
        Result r = trace("-e", "BEGIN { @x = 1; foo(@x); }");
        assertEquals(1, r.status());
        assertEquals("""
                stdin:1:17: ERROR: Unknown function: foo
                BEGIN { @x = 1; foo(@x); }
                                ^~~
                """, r.err());
        assertEquals("", r.out());
    }

    @Test
    void aFileScriptIsNamedInItsErrors() throws Exception {
        Path f = Files.createTempFile("bpf4j", ".bt");
        try {
            Files.writeString(f, "BEGIN {\n  printf(\"%d\\n\");\n}\n");
            Result r = trace(f.toString());
            assertEquals(1, r.status());
            assertTrue(r.err().startsWith(f + ":2:3: ERROR: printf: Not enough arguments for format string (0 supplied, 1 expected)\n"
                    + "  printf(\"%d\\n\");\n  ^~~~~~\n"), r.err());
        } finally {
            Files.delete(f);
        }
        Result missing = trace("no_such_file.bt");
        assertEquals("ERROR: failed to open file 'no_such_file.bt': No such file or directory\n", missing.err());
        assertEquals(1, missing.status());
    }

    @Test
    void pidIsCheckedAsBpftraceChecksIt() {
        assertEquals("ERROR: Failed to parse pid: invalid trailing bytes: 111a1\n", trace("-p", "111a1", "f.bt").err());
        assertEquals("ERROR: Failed to parse pid: invalid integer: a1111\n", trace("-p", "a1111", "f.bt").err());
        assertEquals("ERROR: Pid out of range: 5000000\n", trace("-p", "5000000", "f.bt").err());
    }

    /** v0.26 says "Attached N probes" once they are: a probe the kernel refuses to attach gives its error alone. */
    @Test
    @Tag("kernel")
    void aProbeThatFailsToAttachIsNotReportedAttached() throws Exception {
        Kernel.require();
        // this machine kind has no kprobes: the attach fails; a kernel with them has no such function
        String probe = org.bpf4j.link.AttachSupport.kprobes().supported() ? "kprobe:bpf4j_no_such_function" : "kprobe:__x64_sys_getppid";
        // its own JVM, as a user runs it: a traced run renames the process (bpftrace's drop-in), which would leak
        // into the other tests of this JVM
        Process p = KillsnoopCommandTest.bpf4j("trace", "-e", probe + " { @calls = count(); }");
        try {
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "trace did not end");
            String err = KillsnoopCommandTest.stderr(p);
            assertEquals(1, p.exitValue(), err);
            assertTrue(err.contains("kprobe"), err);
            assertFalse(err.contains("Attached"), err);
        } finally {
            p.destroyForcibly();
        }
    }

    /** bpftrace refuses -p of a process that does not exist (bpf4j traced everything and exited 0). */
    @Test
    void pidWithNoProcessIsRefused() {
        int pid = 4194304;
        while (Files.exists(Path.of("/proc/" + pid))) pid--;
        Result r = trace("-p", Integer.toString(pid), "-e", "BEGIN { exit(); }");
        assertEquals(new Result(1, "", "ERROR: -p " + pid + ": no such process\n"), r);
    }

    /** --include of a header that is nowhere is refused, as bpftrace's clang refuses it; a known one is not. */
    @Test
    void includeOfAMissingHeaderIsRefused() {
        Result r = trace("--include", "nosuch.h", "-e", "BEGIN { exit(); }");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("ERROR: --include nosuch.h: file not found (searched /usr/local/include,"), r.err());
        Result known = trace("--include", "linux/sched.h", "-d", "codegen", "-e", "BEGIN { print(TASK_RUNNING); exit(); }");
        assertEquals(0, known.status(), known.err());
        // an #include in the script: clang's message at the line the include has in bpftrace's definitions.h
        assertEquals(new Result(1, "", "definitions.h:2:10: fatal error: 'lol/no.h' file not found\n"),
                trace("-d", "codegen", "-e", "#include <lol/no.h>\nbegin { }"));
        assertEquals(new Result(1, "", "definitions.h:4:10: fatal error: 'nosuch.h' file not found\n"),
                trace("-d", "codegen", "-e", "#define A 1\n#include <stdint.h>\n#include \"nosuch.h\"\nbegin { }"));
        // kernel headers need no files (their types come from BTF), nor bpftrace's own headers
        assertEquals(0, trace("-d", "codegen", "-e", "#include <net/sock.h>\n#include <stdint.h>\nbegin { exit(); }").status());
    }

    /** Scripts that are not text end in one message naming the file and place (Java said "Input length = 1"). */
    @Test
    void binaryOrEndlessScriptsAreOneMessage() throws Exception {
        Path f = Files.createTempFile("bpf4j", ".bt");
        try {
            Files.write(f, new byte[] {'B', 'E', 'G', 'I', 'N', ' ', '{', ' ', '}', '\n', ' ', (byte) 0xff});
            assertEquals(new Result(1, "", "ERROR: " + f + ":2:2: not UTF-8 text (byte 0xff at offset 11)\n"), trace(f.toString()));
        } finally {
            Files.delete(f);
        }
        assertEquals(new Result(1, "", "ERROR: /dev/zero: larger than 16 MiB, the most bpf4j reads of such a file\n"), trace("/dev/zero"));
    }

    @Test
    void helpAndBadOptionsShowTheUsage() {
        Result help = trace("-h");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("USAGE:\n    bpf4j trace [options] filename\n"), help.out());
        Result bad = trace("-idonotexist");
        assertEquals(1, bad.status());
        assertTrue(bad.err().startsWith("bpf4j trace: invalid option -- 'i'\nUSAGE:"), bad.err());
        Result missing = trace("-e");
        assertEquals(1, missing.status());
        assertTrue(missing.err().startsWith("bpf4j trace: option requires an argument -- 'e'\n"), missing.err());
        assertTrue(trace("--bogus").err().startsWith("bpf4j trace: unrecognized option '--bogus'\n"));
        assertEquals("ERROR: USAGE: -B must be either 'line', 'full', or 'none'.\n", trace("-B", "x", "-e", "BEGIN {}").err());
        assertEquals("ERROR: Invalid output format \"xml\"\nValid formats: 'text', 'json'\n", trace("-f", "xml", "-e", "BEGIN {}").err());
        assertTrue(trace("--version").out().contains("bpftrace v0.17"));
    }

    @Test
    void warningsAreBpftracesAndNoWarningsSilencesThem() {
        String script = "BEGIN { $a = 1; if (pid > $a) { } $b = pid / 2; $c = $a % 2; $d = 2 / 3; $e = -1 / pid; exit(); }";
        Result r = trace("-d", "codegen", "-e", script);
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                stdin:1:25: WARNING: comparison of integers of different signs: 'unsigned int64' and 'int64' can lead to undefined behavior
                BEGIN { $a = 1; if (pid > $a) { } $b = pid / 2; $c = $a % 2; $d = 2 / 3; $e = -1 / pid; exit(); }
                                        ^
                stdin:1:57: WARNING: signed operands for '%' can lead to undefined behavior (cast to unsigned to silence warning)
                BEGIN { $a = 1; if (pid > $a) { } $b = pid / 2; $c = $a % 2; $d = 2 / 3; $e = -1 / pid; exit(); }
                                                                        ^
                stdin:1:82: WARNING: arithmetic on integers of different signs: 'int64' and 'unsigned int64' can lead to undefined behavior
                BEGIN { $a = 1; if (pid > $a) { } $b = pid / 2; $c = $a % 2; $d = 2 / 3; $e = -1 / pid; exit(); }
                                                                                                 ^
                stdin:1:82: WARNING: signed operands for '/' can lead to undefined behavior (cast to unsigned to silence warning)
                BEGIN { $a = 1; if (pid > $a) { } $b = pid / 2; $c = $a % 2; $d = 2 / 3; $e = -1 / pid; exit(); }
                                                                                                 ^
                """, r.err(), "the cases bpftrace 0.17 warns about, at its columns, and not the others (pid / 2, 2 / 3)");
        assertEquals("", trace("--no-warnings", "-d", "codegen", "-e", script).err());
    }

    @Test
    void dryRunPrintsTheInstructions() {
        Result r = trace("-d", "codegen", "-e", "BEGIN { printf(\"hi\\n\"); exit(); }");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("; BEGIN (raw_tracepoint, "), r.out());
        assertTrue(r.out().contains("call bpf_ringbuf_output#130"), r.out());
    }

    @Test
    @Tag("kernel")
    void listingMatchesProbeNames() {
        Kernel.require();
        Result r = trace("-l", "tracepoint:syscalls:sys_enter_kil*");
        assertEquals("tracepoint:syscalls:sys_enter_kill\n", r.out());
        Result v = trace("-lv", "tracepoint:syscalls:sys_enter_kill");
        assertEquals("tracepoint:syscalls:sys_enter_kill\n    int __syscall_nr\n    pid_t pid\n    int sig\n", v.out());
        assertTrue(trace("-l", "*ware:*").out().contains("software:cpu-clock:\n"));
        assertEquals("ERROR: invalid character in search expression\n", trace("-l", "\\n").err());
        assertTrue(trace("-l", "*sched_switch*").out().contains("tracepoint:sched:sched_switch\n"));
    }

    @Test
    @Tag("kernel")
    void listingFollowsV026() throws Exception {
        Kernel.require();
        // a wildcard type lists the kernel's probe types, raw tracepoints among them (from kallsyms's __traceiter_)
        assertTrue(trace("-l", "*:*sched_switch").out().contains("rawtracepoint:vmlinux:sched_switch\n"));
        assertTrue(trace("-l", "software:*").out().contains("software:cpu:\n"), "aliases are listed");
        assertEquals(java.util.Set.of("interval:hz:", "interval:s:", "interval:ms:", "interval:us:"),
                java.util.Set.copyOf(trace("-l", "interval:*").out().lines().toList()));
        assertEquals("self:signal:SIGUSR1\n", trace("-l", "self:*").out());
        assertEquals("tracepoint:syscalls:sys_enter_kill\ntracepoint:syscalls:sys_exit_kill\n",
                trace("-l", "tracepoint:syscalls:sys_enter_kill, tracepoint:syscalls:sys_exit_kill").out(), "searches separated by commas");
        // a program's probes, expanded and named as bpftrace lists them
        assertEquals("interval:ms:\nhardware:cache-misses:\ntracepoint:syscalls:sys_enter_kill\ntracepoint:syscalls:sys_exit_kill\n",
                trace("-l", "-e", "i:ms:10 { } hardware:cache-misses:10 { } BEGIN { } tracepoint:syscalls:sys_e*_kill { }").out());
        Path script = Files.writeString(Files.createTempFile("list", ".bt"), "interval:s:1 { exit(); }\n");
        try {
            assertEquals("interval:s:\n", trace("-l", script.toString()).out(), "-l FILE lists the file's probes");
        } finally {
            Files.delete(script);
        }
        Result structs = trace("-lv", "struct fd");
        assertEquals("struct fd {\n\tlong unsigned int word;\n};\n", structs.out(), structs.err());
        assertTrue(trace("-l", "struct task_stru*").out().contains("struct task_struct\n"));
    }

    @Test
    @Tag("kernel")
    void missingProbesAreV026sErrorsOrWarnings() {
        Kernel.require();
        Result missing = trace("-e", "t:syscalls:sys_enter_kill, t:syscalls:nonsense { exit(); }");
        assertTrue(missing.err().startsWith("stdin:1:28: ERROR: No matches for tracepoint syscalls:nonsense.\n"), missing.err());
        assertEquals(1, missing.status());
        Result module = trace("-e", "rawtracepoint:nonsense:sys_exit { exit(); }");
        assertTrue(module.err().contains("ERROR: No matches for rawtracepoint nonsense:sys_exit."), module.err());
        Result none = trace("-e", "rawtracepoint:nonsense { exit(); }");
        assertTrue(none.err().contains("ERROR: Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'."), none.err());
        Result warned = trace("--dry-run", "-e", "config = { missing_probes = \"warn\" } t:syscalls:sys_enter_kill, t:syscalls:nonsense { exit(); }");
        assertTrue(warned.err().contains("WARNING: No matches for tracepoint syscalls:nonsense. Skipping."), warned.err());
        assertEquals(0, warned.status(), warned.err());
        Result ignored = trace("--dry-run", "-e", "config = { missing_probes = \"ignore\" } t:syscalls:sys_enter_kill, t:syscalls:nonsense { exit(); }");
        assertEquals("", ignored.err());
    }

    /** {@code bpf4j ARGS} in its own JVM (the session's output goes to the process's standard output). */
    static Result child(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err.get());
    }

    @Test
    void whatTheProbesSendUntilTheCommandEndsIsPrinted() throws Exception {
        Kernel.require();
        // the probe fires as -c's command exits: that event is still printed, however quickly the end follows it
        for (int i = 0; i < 3; i++) {
            Result r = child("trace", "-c", "/bin/true", "-e",
                    "tracepoint:syscalls:sys_enter_exit_group /pid == cpid/ { printf(\"bye %d\\n\", args->error_code); }");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("bye 0\n"), r.out() + r.err());
        }
    }

    @Test
    void infoAnswersFromThisKernel() throws Exception {
        Kernel.require();
        Result r = trace("--info");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        for (String section : List.of("System\n", "\nBuild\n", "\nKernel helpers\n", "\nKernel features\n", "\nMap types\n", "\nProbe types\n"))
            assertTrue(out.contains(section), section + " in " + out);
        assertTrue(out.contains("  OS: Linux " + System.getProperty("os.version") + " "), out);
        assertTrue(out.contains("  kprobe: " + (org.bpf4j.link.AttachSupport.kprobes().supported() ? "yes" : "no") + "\n"), out);
        assertTrue(out.contains("  kfunc: " + (org.bpf4j.link.AttachSupport.fentry().supported() ? "yes" : "no") + "\n"), out);
        assertTrue(out.contains("  btf: " + (Files.exists(Path.of("/sys/kernel/btf/vmlinux")) ? "yes" : "no") + "\n"), out);
        assertTrue(out.contains("  tracepoint: yes\n  perf_event: yes\n"), out);
        assertTrue(out.contains("  Instruction limit: 1000000\n  Loop support: yes\n"), out);
        assertTrue(out.contains("  map batch: yes\n"), out);
    }

    @Test
    @Tag("kernel")
    void benchProbesRunUnderBenchModeAndReportTheKernelsAverage() throws Exception {
        Kernel.require();
        Result text = child("trace", "--mode", "bench", "-e", "begin { printf(\"begin\\n\"); } bench:a { @a = count(); }"
                + " bench:b { @b++; } end { printf(\"runs %d %d\\n\", (int64)@a, @b); clear(@a); clear(@b); }");
        assertEquals(0, text.status(), text.err());
        List<String> lines = text.out().lines().toList();
        assertEquals("begin", lines.get(0), text.out());
        assertEquals(String.format("%-41s%-15s%s", "Benchmark", "Time(ns)", "Iterations"), lines.get(1));
        assertEquals("-".repeat(66), lines.get(2));
        long[] iters = new long[2];
        for (int i = 0; i < 2; i++) {
            var m = java.util.regex.Pattern.compile("([ab]) {40}(\\d+) +(\\d+)").matcher(lines.get(3 + i));
            assertTrue(m.matches(), lines.get(3 + i));
            assertEquals(i == 0 ? "a" : "b", m.group(1));
            assertTrue(Long.parseLong(m.group(2)) > 0, "an average time: " + lines.get(3 + i));
            iters[i] = Long.parseLong(m.group(3));
        }
        // the maps the benchmarks count in hold at least the runs of the reported round, and end saw them
        var runs = java.util.regex.Pattern.compile("runs (\\d+) (\\d+)").matcher(text.out());
        assertTrue(runs.find(), text.out());
        assertTrue(Long.parseLong(runs.group(1)) >= iters[0] && Long.parseLong(runs.group(2)) >= iters[1], text.out());
        Result json = child("trace", "-q", "-f", "json", "--bench", "-e", "bench:x { @x++; } interval:s:1 { exit(); }");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().lines().findFirst().orElse("").matches(
                "\\{\"type\": \"benchmark_result\", \"data\": \\{\"x\": \\{\"average\": [1-9][0-9]*, \"iters\": [1-9][0-9]*}}}"), json.out());
        Result none = trace("-e", "bench:a { @ = count(); }");
        assertEquals(1, none.status());
        assertEquals("ERROR: No probes attached; use --bench to run benchmark probes.\n", none.err());
        assertEquals("ERROR: --mode codegen: not supported by bpf4j trace (run, bench and test are)\n", trace("--mode", "codegen", "-e", "begin { }").err());
    }

    @Test
    @Tag("kernel")
    void testProbesPassUnlessTheyExitOrFail() throws Exception {
        Kernel.require();
        Result r = child("trace", "--test", "-e", "test:ok { printf(\"hidden\\n\"); } test:bad { printf(\"shown\\n\"); exit(); }");
        assertEquals(1, r.status(), r.err());
        String out = r.out().replaceAll("\u001b\\[[0-9]+m", "");
        assertTrue(out.startsWith("[==========] Running 2 tests.\n[ RUN      ] ok\n[       OK ] ok ("), out);
        assertTrue(out.contains("\n[ RUN      ] bad\nshown\n[  FAILED  ] bad ("), out);
        assertTrue(out.contains("\n[==========] 2 tests ran.\n[  PASSED  ] 1 test.\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] bad\n"), out);
        assertFalse(out.contains("hidden"), out);
        Result json = child("trace", "-f", "json", "--test", "-e", "test:ok { }");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().matches("(?s)\\{\"type\": \"test_result\", \"data\": \\{\"ok\": \\{\"duration\": [0-9]+, \"passed\": true, \"output\": \"\"}}}\n.*"), json.out());
    }

    @Test
    @Tag("kernel")
    void probeFilterAttachesOnlyTheProbesItMatches() throws Exception {
        Kernel.require();
        Result r = child("trace", "--probe-filter", ":200", "-e",
                "begin { printf(\"begin\\n\"); } interval:ms:100 { printf(\"bad\\n\"); exit(); } interval:ms:200 { printf(\"hit\\n\"); exit(); }");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("begin\nhit\n"), r.out());
        assertFalse(r.out().contains("bad"), r.out());
        assertTrue(r.err().contains("Attached 2 probes"), "begin is kept, the 100 ms interval is not: " + r.err());
        Result bad = trace("--probe-filter", "(", "-e", "begin { }");
        assertEquals(1, bad.status());
        assertTrue(bad.err().startsWith("ERROR: Invalid --probe-filter regex '(': "), bad.err());
    }

    @Test
    @Tag("kernel")
    void listingOneStructReadsItsDefinitionAlone() {
        Kernel.require();
        Result r = trace("-lv", "struct task_struct,struct fd");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("struct task_struct {\n\tstruct thread_info thread_info;\n"), r.out());
        assertTrue(r.out().endsWith("};\nstruct fd {\n\tlong unsigned int word;\n};\n"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.equals("};")).count(), "only the two definitions, none they need: " + r.out());
    }
}
