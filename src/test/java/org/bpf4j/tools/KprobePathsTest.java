package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * BCC's tools on BCC's own kprobes beside their tracepoint path: both attached at once see one workload, and must
 * give the same rows. The kprobe half runs where the kernel has kprobes (the kernel matrix's guests); where it has
 * none (this machine kind), asking for kprobes is a clear error.
 */
@Tag("kernel")
class KprobePathsTest {
    @BeforeEach
    void kernel() {
        Kernel.require();
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 system call names");
    }

    private static void requireKprobes() {
        Assumptions.assumeTrue(AttachSupport.kprobes().supported(), AttachSupport.kprobes().toString());
    }

    /** Polls every tool until {@code done} holds or 10 s pass. */
    private static void pollUntil(List<Killsnoop> tools, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) for (Killsnoop k : tools) k.poll(20);
        for (Killsnoop k : tools) k.poll(50);
    }

    /** bpftool (the oracle) lists kprobe programs of these names: BCC's, as the seed's listing shows them. */
    private static void assertListed(String... names) throws Exception {
        String listing = new String(new ProcessBuilder("bpftool", "prog", "list").start().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String name : names)
            assertTrue(Pattern.compile("(?m)^\\d+: kprobe\\s+name " + name + "\\s").matcher(listing).find(), name + " in\n" + listing);
    }

    @Test
    void killsnoopOnKprobesGivesTheTracepointsRows() throws Exception {
        requireKprobes();
        List<Killsnoop.Event> byTracepoint = new CopyOnWriteArrayList<>(), byKprobe = new CopyOnWriteArrayList<>(), failed = new CopyOnWriteArrayList<>();
        try (Killsnoop tp = Killsnoop.start(Killsnoop.Options.ALL, byTracepoint::add);
             Killsnoop kp = Killsnoop.start(Killsnoop.Options.ALL.withKprobes(true), byKprobe::add);
             Killsnoop kx = Killsnoop.start(new Killsnoop.Options(true, 0, 0, true), failed::add)) {
            // what bpftool prog list shows: BCC's names, as the seed's listing has them
            assertListed("syscall__kill", "do_ret_sys_kill");
            long child = KillsnoopTest.sh("kill -0 $$; kill -0 $$; kill -15 99999999 2>/dev/null; kill -0 -23705 2>/dev/null; exit 0");
            pollUntil(List.of(tp, kp, kx), () -> byTracepoint.stream().filter(e -> e.pid() == child).count() >= 4
                    && byKprobe.stream().filter(e -> e.pid() == child).count() >= 4 && failed.stream().anyMatch(e -> e.pid() == child));
            int c = (int) child;
            List<Killsnoop.Event> expected = List.of(new Killsnoop.Event(c, "sh", 0, c, 0), new Killsnoop.Event(c, "sh", 0, c, 0),
                    new Killsnoop.Event(c, "sh", 15, 99999999, -3), new Killsnoop.Event(c, "sh", 0, -23705, -3));
            assertEquals(expected, byTracepoint.stream().filter(e -> e.pid() == child).toList());
            assertEquals(expected, byKprobe.stream().filter(e -> e.pid() == child).toList());
            assertEquals(List.of(expected.get(3)), failed.stream().filter(e -> e.pid() == child).toList(), "-x -s 0 on kprobes");
            assertEquals(0, tp.lost() + kp.lost() + kx.lost());
        }
    }

    /** An open as both paths send it, without the time (each path takes its own). */
    private record Row(long pid, long tid, String comm, long ret, String path) {
        static Row of(Opensnoop.Open o) { return new Row(o.pid(), o.tid(), o.comm(), o.ret(), o.path()); }
    }

    @Test
    void opensnoopOnDoSysOpenat2GivesTheTracepointsRows() throws Exception {
        requireKprobes();
        int tid = org.bpf4j.sys.Native.gettid();
        String filter = "tid == " + tid;
        List<Row> byTracepoint = new CopyOnWriteArrayList<>(), byKprobe = new CopyOnWriteArrayList<>();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("bpf4j-opensnoop", ".txt");
        try (org.bpf4j.tool.Tool tp = org.bpf4j.tool.Tool.load("opensnoop", Opensnoop.script(filter));
             org.bpf4j.tool.Tool kp = org.bpf4j.tool.Tool.load("opensnoop", Opensnoop.kprobeScript(filter))) {
            tp.on(Opensnoop.Open.class, o -> byTracepoint.add(Row.of(o)));
            kp.on(Opensnoop.Open.class, o -> byKprobe.add(Row.of(o)));
            tp.start();
            kp.start();
            for (int i = 0; i < 5; i++) java.nio.file.Files.readAllBytes(file);
            assertThrows(java.nio.file.NoSuchFileException.class, () -> java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/nonexistent-bpf4j")));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && !(byTracepoint.stream().anyMatch(r -> r.ret() == -2) && byKprobe.stream().anyMatch(r -> r.ret() == -2))) {
                tp.poll(20);
                kp.poll(20);
            }
            tp.poll(50);
            kp.poll(50);
            List<Row> mine = byTracepoint.stream().filter(r -> r.path().equals(file.toString())).toList();
            assertEquals(5, mine.size(), byTracepoint.toString());
            assertTrue(mine.stream().allMatch(r -> r.ret() >= 0), mine.toString());
            assertTrue(byTracepoint.contains(new Row(org.bpf4j.sys.Native.getpid(), tid, byTracepoint.getFirst().comm(), -2, "/nonexistent-bpf4j")),
                    byTracepoint.toString());
            // the workload's opens (the kprobe tool's own attach opens sysfs files the tracepoints see)
            java.util.function.Predicate<Row> workload = r -> r.path().equals(file.toString()) || r.path().equals("/nonexistent-bpf4j");
            assertEquals(byTracepoint.stream().filter(workload).toList(), byKprobe.stream().filter(workload).toList());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** An exec's end as both paths send it, without the time. */
    private record End(long pid, long ppid, long uid, String comm, long ret) {}

    @Test
    void execsnoopOnSysExecveKprobesGivesTheTracepointsRows() throws Exception {
        requireKprobes();
        List<Execsnoop.Arg> argsTp = new CopyOnWriteArrayList<>(), argsKp = new CopyOnWriteArrayList<>();
        List<End> endsTp = new CopyOnWriteArrayList<>(), endsKp = new CopyOnWriteArrayList<>();
        try (org.bpf4j.tool.Tool tp = org.bpf4j.tool.Tool.load("execsnoop", Execsnoop.script("", 19, false));
             org.bpf4j.tool.Tool kp = org.bpf4j.tool.Tool.load("execsnoop", Execsnoop.script("", 19, true), Execsnoop.BCC_NAMES)) {
            tp.on(Execsnoop.Arg.class, argsTp::add);
            kp.on(Execsnoop.Arg.class, argsKp::add);
            tp.on(Execsnoop.Ret.class, r -> endsTp.add(new End(r.pid(), r.ppid(), r.uid(), r.comm(), r.ret())));
            kp.on(Execsnoop.Ret.class, r -> endsKp.add(new End(r.pid(), r.ppid(), r.uid(), r.comm(), r.ret())));
            tp.start();
            kp.start();
            assertListed("syscall__execve", "do_ret_sys_exec");
            Process echo = new ProcessBuilder("/bin/echo", "bpf4j-kprobe-paths", "two words").start();
            assertEquals(0, echo.waitFor());
            // the shell's child fails to exec a missing file: -ENOENT, the shell as its parent
            Process missing = new ProcessBuilder("/bin/sh", "-c", "/nonexistent-bpf4j arg 2>/dev/null; exit 0").start();
            assertEquals(0, missing.waitFor());
            long deadline = System.nanoTime() + 10_000_000_000L;
            java.util.function.Predicate<End> missingEnd = e -> e.ppid() == missing.pid() && e.ret() == -2;
            while (System.nanoTime() < deadline && !(endsTp.stream().anyMatch(missingEnd) && endsKp.stream().anyMatch(missingEnd))) {
                tp.poll(20);
                kp.poll(20);
            }
            tp.poll(50);
            kp.poll(50);
            long failed = endsTp.stream().filter(missingEnd).findFirst().orElseThrow(() -> new AssertionError("no failed exec in " + endsTp)).pid();
            for (long pid : List.of(echo.pid(), failed)) {
                List<Execsnoop.Arg> a = argsTp.stream().filter(x -> x.pid() == pid).toList();
                List<End> e = endsTp.stream().filter(x -> x.pid() == pid).toList();
                assertFalse(e.isEmpty(), "no exec of " + pid + " in " + endsTp);
                assertEquals(a, argsKp.stream().filter(x -> x.pid() == pid).toList());
                assertEquals(e, endsKp.stream().filter(x -> x.pid() == pid).toList());
            }
            // the JVM's child may first exec its spawn helper (jspawnhelper), then echo: echo's exec is the last
            List<String> echoArgs = argsKp.stream().filter(x -> x.pid() == echo.pid()).map(Execsnoop.Arg::arg).toList();
            assertEquals(List.of("/bin/echo", "bpf4j-kprobe-paths", "two words"), echoArgs.subList(Math.max(0, echoArgs.size() - 3), echoArgs.size()));
            assertEquals(new End(echo.pid(), ProcessHandle.current().pid(), 0, "echo", 0),
                    endsKp.stream().filter(x -> x.pid() == echo.pid()).toList().getLast());
        }
    }

    @Test
    void kprobeOptionsWithoutKprobesSaySo() {
        Assumptions.assumeFalse(AttachSupport.kprobes().supported(), "this kernel has kprobes");
        UserException e = assertThrows(UserException.class, () -> Killsnoop.start(Killsnoop.Options.ALL.withKprobes(true), ev -> { }));
        assertEquals("killsnoop --kprobe: this kernel has no kprobes (" + AttachSupport.kprobes().reason()
                + "); without --kprobe killsnoop traces the system calls' tracepoints", e.getMessage());
        Opensnoop o = new Opensnoop();
        e = assertThrows(UserException.class, () -> o.run(o.args().parse(List.of("--kprobe")), System.out, () -> true));
        assertEquals("opensnoop --kprobe: this kernel has no kprobes (" + AttachSupport.kprobes().reason()
                + "); without --kprobe opensnoop traces the system calls' tracepoints", e.getMessage());
        Execsnoop x = new Execsnoop();
        e = assertThrows(UserException.class, () -> x.run(x.args().parse(List.of("--kprobe")), System.out, () -> true));
        assertEquals("execsnoop --kprobe: this kernel has no kprobes (" + AttachSupport.kprobes().reason()
                + "); without --kprobe execsnoop traces the system calls' tracepoints", e.getMessage());
    }
}
