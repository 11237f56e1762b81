package org.bpf4j.tools;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tool.ToolException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** BCC's trace as {@code bpf4j bcc-trace}: a tracepoint, a uprobe and a uretprobe of known calls, BCC's probe syntax. */
class TraceTest {
    @Test
    @Tag("kernel")
    void openatTracepointPrintsTheTestsOwnFile() throws Exception {
        Kernel.require();
        Path file = Files.writeString(Files.createTempDirectory("bcc-trace").resolve("traced-" + System.nanoTime()), "x");
        long pid = ProcessHandle.current().pid();
        long[] tid = {0};
        String out = ToolRun.run(new Trace(), List.of("-S", "-Z", "200",
                "t:syscalls:sys_enter_openat (args->flags >= 0) \"open %s\", args->filename"), () -> {
            try (InputStream in = Files.newInputStream(file)) {
                tid[0] = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
                assertEquals('x', in.read());
            }
        }, text -> text.contains(file.toString()));
        assertEquals("PID     TID     COMM            FUNC             -", out.lines().findFirst().orElseThrow());
        String row = ToolRun.line(out, ".* open " + file + "$");
        assertEquals(String.format("%-7d %-7d %-15s %-16s open %s", pid, tid[0], row.substring(16, 31).strip(), "sys_enter_openat", file), row);
        Files.delete(file);
        Files.delete(file.getParent());
    }

    @Test
    @Tag("kernel")
    void leavesItsOwnProcessOutWithoutDashS() throws Exception {
        Kernel.require();
        Path dir = Files.createTempDirectory("bcc-trace");
        Path own = Files.writeString(dir.resolve("own-" + System.nanoTime()), "x"), child = Files.writeString(dir.resolve("child-" + System.nanoTime()), "y");
        Process[] cat = new Process[1];
        String out = ToolRun.run(new Trace(), List.of("t:syscalls:sys_enter_openat \"%s\", args->filename"), () -> {
            try (InputStream in = Files.newInputStream(own)) {
                assertEquals('x', in.read());
            }
            cat[0] = new ProcessBuilder("cat", child.toString()).start();
            assertEquals(0, cat[0].waitFor());
        }, text -> text.contains(child.toString()));
        String row = ToolRun.line(out, ".* " + child + "$");
        assertEquals(String.format("%-7d %-7d %-15s %-16s %s", cat[0].pid(), cat[0].pid(), "cat", "sys_enter_openat", child), row);
        assertFalse(out.contains(own.toString()), "the tool's own process is left out without -S:\n" + out);
        Files.delete(own);
        Files.delete(child);
        Files.delete(dir);
    }

    @Test
    @Tag("kernel")
    void uprobeAndUretprobeOfAProgramsFunction() throws Exception {
        Kernel.require();
        try (WorkProgram w = WorkProgram.start(6)) {
            String bin = w.binary().toString();
            String out = ToolRun.run(new Trace(), List.of("-p", Long.toString(w.pid()), "-T",
                    "p:" + bin + ":work \"n=%d tag=%s\", arg1, arg2",
                    "r:" + bin + ":work (retval > 4) \"ret %d\", retval"), w::go,
                    text -> text.lines().filter(l -> l.contains(" work ")).count() >= 10);
            assertEquals("TIME     PID     TID     COMM            FUNC             -", out.lines().findFirst().orElseThrow());
            List<String> rows = out.lines().skip(1).map(l -> l.substring(9)).toList();
            String p = String.format("%-7d %-7d %-15s %-16s ", w.pid(), w.pid(), "work", "work");
            List<String> expected = List.of(p + "n=1 tag=bpf4j-tag", p + "n=2 tag=bpf4j-tag", p + "ret 5", p + "n=3 tag=bpf4j-tag", p + "ret 7",
                    p + "n=1 tag=bpf4j-tag", p + "n=2 tag=bpf4j-tag", p + "ret 5", p + "n=3 tag=bpf4j-tag", p + "ret 7");
            assertEquals(expected, rows, out);
            assertTrue(out.lines().skip(1).allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d .*")), out);
        }
    }

    @Test
    @Tag("kernel")
    void usdtProbeWithMessageAndNameFilters() throws Exception {
        Kernel.require();
        try (WorkProgram w = WorkProgram.start(6)) {
            String out = ToolRun.run(new Trace(), List.of("-p", Long.toString(w.pid()), "-f", "n=2", "-n", "wor",
                    "u:" + w.binary() + ":step \"i=%d n=%d\", arg1, arg2"), w::go, text -> text.contains("i=4 n=2"));
            String p = String.format("%-7d %-7d %-15s %-16s ", w.pid(), w.pid(), "work", "step");
            assertEquals(List.of("PID     TID     COMM            FUNC             -", p + "i=1 n=2", p + "i=4 n=2"), out.lines().toList(), out);
        }
    }

    @Test
    @Tag("kernel")
    void aggregateCountsIdenticalRows() throws Exception {
        Kernel.require();
        try (WorkProgram w = WorkProgram.start(7)) {
            String out = ToolRun.run(new Trace(), List.of("-A", "-M", "6", "-p", Long.toString(w.pid()), "p:" + w.binary() + ":work \"n=%d\", arg1"),
                    w::go, null);
            String p = String.format("%-7d %-7d %-15s %-16s ", w.pid(), w.pid(), "work", "work");
            // the first 6 of 7 calls (-M 6), n = 1, 2, 3 twice each, printed once with their count, most frequent first
            assertEquals("PID     TID     COMM            FUNC             -\n" + p + "n=1\n-->COUNT 2\n\n" + p + "n=2\n-->COUNT 2\n\n"
                    + p + "n=3\n-->COUNT 2\n\n", out);
        }
    }

    @Test
    @Tag("kernel")
    void userStackOfTheFirstEvent() throws Exception {
        Kernel.require();
        try (WorkProgram w = WorkProgram.start(3)) {
            String out = ToolRun.run(new Trace(), List.of("-U", "-M", "1", "-p", Long.toString(w.pid()), "p:" + w.binary() + ":work"), w::go, null);
            List<String> lines = out.lines().toList();
            assertEquals("PID     TID     COMM            FUNC             ", lines.get(0), out);
            assertEquals(String.format("%-7d %-7d %-15s %-16s ", w.pid(), w.pid(), "work", "work"), lines.get(1), out);
            assertEquals("        work+0x0 [work]", lines.get(2), out);          // the probed function's first instruction
            assertTrue(lines.stream().anyMatch(l -> l.matches("        __libc_start_call_main\\+0x[0-9a-f]+ \\[libc\\.so\\.6\\]")), out);
            assertEquals("", lines.getLast(), "a blank line ends each event's stacks:\n" + out);
            assertEquals(1, lines.stream().filter(l -> l.startsWith(Long.toString(w.pid()))).count(), "-M 1: one event:\n" + out);
        }
    }

    @Test
    @Tag("kernel")
    void aKernelFunctionSaysKprobesAreMissing() throws Exception {
        Kernel.require();
        var parsed = new Trace().args().parse(List.of("r::vfs_read \"%d\", retval"));
        var e = assertThrows(ToolException.NotSupported.class, () -> new Trace().run(parsed, System.out, () -> true));
        assertTrue(e.getMessage().contains("kprobes are not available on this kernel"), e.getMessage());
        assertTrue(e.getMessage().contains("kretprobe:vfs_read"), e.getMessage());
    }

    @Test
    void probesAsBccReadsThem() {
        TraceProbe p = TraceProbe.parse("p:c:write(int fd, char *buf, size_t n) (fd == 1 && n > 2) \"%d bytes: %s\", n, buf");
        assertEquals("uprobe:c:write", p.spec().attachPoint());
        assertEquals("(((int32)arg0) == 1 && ((uint64)arg2) > 2)", "(" + p.predicate() + ")");
        assertEquals(List.of("((uint64)arg2)", "arg1"), p.arguments());
        assertEquals("uprobe:c:write /pid != 7 && (((int32)arg0) == 1 && ((uint64)arg2) > 2)/ { print((0, nsecs, cpu, pid, tid, uid, comm, (((uint64)arg2)), str(arg1, 80))); }\n",
                p.script(0, List.of("pid != 7"), 80, false, false));
        TraceProbe t = TraceProbe.parse("t:block:block_rq_complete \"sectors=%d\", args->nr_sector");
        assertEquals("tracepoint:block:block_rq_complete", t.spec().attachPoint());
        assertEquals("block_rq_complete", t.spec().display());
        assertEquals(List.of("args->nr_sector"), t.arguments());
        assertEquals("kprobe:do_sys_open", TraceProbe.parse("do_sys_open").spec().attachPoint());
        assertNull(TraceProbe.parse("do_sys_open").format());
        assertEquals("kretprobe:__kmalloc", TraceProbe.parse("r::__kmalloc (retval == 0) \"kmalloc failed!\"").spec().attachPoint());
        assertEquals("uprobe:/bin/bash:readline+18", TraceProbe.parse("/bin/bash:readline+0x12").spec().attachPoint());
        assertEquals("usdt:pthread:libpthread:pthread_create", TraceProbe.parse("u:pthread:libpthread:pthread_create (arg4 != 0)").spec().attachPoint());
        assertEquals("(arg3 != 0)", "(" + TraceProbe.parse("u:pthread:pthread_create (arg4 != 0)").predicate() + ")");
        assertEquals("tid == 5 && pid > 1 && uid == 0 && curtask->pid > 0 && (str(arg1) == \"a,b\")",
                TraceProbe.parse("p:c:open ($pid == 5 && $tgid > 1 && $uid == 0 && $task->pid > 0 && STRCMP(\"a,b\", arg2@user))").predicate());
        assertEquals("error in probe 'x:a:b': probe type must be 'p', 'r', 't', or 'u', but got 'x'",
                assertThrows(ProbeSpec.BadSpec.class, () -> TraceProbe.parse("x:a:b")).getMessage());
        assertEquals("error in probe 't:a:b(int x)': USDT and tracepoint probes can't have a function signature; use arg1, arg2, ... instead",
                assertThrows(ProbeSpec.BadSpec.class, () -> TraceProbe.parse("t:a:b(int x)")).getMessage());
        assertEquals("error in probe 'c:open (arg1 == 1': unmatched end of predicate",
                assertThrows(ProbeSpec.BadSpec.class, () -> TraceProbe.parse("c:open (arg1 == 1")).getMessage());
        assertEquals("error in probe 'c:open \"%q\", arg1': unrecognized format specifier %q",
                assertThrows(ProbeSpec.BadSpec.class, () -> TraceProbe.parse("c:open \"%q\", arg1")).getMessage());
    }

    @Test
    void formatsAsBccsPythonSide() {
        BccFormat f = BccFormat.parse("%d %u %x %lx %llu %hd %c %s %5d|%-4s| 100%% %K");
        assertEquals(11, f.conversions().size());
        assertEquals("-1 4294967295 ffffffff ffffffffffffffff 18446744073709551615 -1 A hi    42|ab  | 100% sym@16",
                f.format(List.of(-1L, -1L, -1L, -1L, -1L, 65535L, 65L, "hi", 42L, "ab", 16L), a -> "sym@" + a, a -> "?"));
    }

    @Test
    void commandLine() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(err), "bcc-trace", "-h"));
        assertTrue(out.toString().startsWith("usage: bcc-trace [-h] [-p PID] [-L TID] [--uid UID] [-v] [-Z STRING_SIZE] [-S]\n"), out.toString());
        assertTrue(out.toString().contains("\npositional arguments:\n  probe                 probe specifier (see examples)\n"), out.toString());
        out = new StringWriter();
        err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(out), new PrintWriter(err), "bcc-trace", "--bogus", "do_sys_open"));
        assertTrue(err.toString().endsWith("bcc-trace: error: unrecognized arguments: --bogus\n"), err.toString());
        err = new StringWriter();
        assertEquals(1, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "trace", "t:syscalls:sys_enter_openat \"%s\", args->filename"));
        assertTrue(err.toString().contains("No such file or directory (a BCC trace probe? BCC's trace is bpf4j bcc-trace)"), err.toString());
        err = new StringWriter();
        assertEquals(1, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "bcc-trace", "q:a:b"));
        assertEquals("bpf4j: bcc-trace: error in probe 'q:a:b': probe type must be 'p', 'r', 't', or 'u', but got 'q'\n", err.toString());
    }
}
