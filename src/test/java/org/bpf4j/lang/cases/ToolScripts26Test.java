package org.bpf4j.lang.cases;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpftrace v0.26's 39 tool scripts (shared/bpftrace-0.26/tools), unchanged: every one compiles (bpf4j's
 * {@code -d codegen}: checked against this kernel's BTF and probes, compiled, not loaded) except those listed in
 * {@link #NOT_COMPILING} with the reason; the ones on tracepoints, uprobes and perf events run under a load and
 * show its events ({@link ToolScriptsTest#runUnderLoad}). The kprobe/fentry tools compile; at attach they fail as
 * bpftrace does on a kernel without kprobes.
 */
@Tag("kernel")
class ToolScripts26Test {
    static final Path TOOLS = Bpftrace26CasesTest.SHARED.resolveSibling("tools");
    /** The tools that do not compile yet, with the missing piece. */
    static final Map<String, String> NOT_COMPILING = Map.of(
            "loads.bt", "kaddr(\"avenrun\"): a data symbol, which this kernel's /proc/kallsyms does not list (bpftrace fails the same way)");
    static Path bpftrace;
    @org.junit.jupiter.api.io.TempDir
    static Path tmp;

    @BeforeAll
    static void launcher() throws Exception {
        Kernel.require();
        Kernel.unless(Files.isDirectory(TOOLS) ? null : "no bpftrace v0.26 tools at " + TOOLS);
        bpftrace = Launcher.create(tmp);
    }

    @Test
    void everyToolCompilesButTheListedOnes() throws Exception {
        List<String> wrong = new ArrayList<>();
        int compiled = 0;
        List<Path> tools;
        try (var s = Files.list(TOOLS)) {
            tools = s.filter(p -> p.toString().endsWith(".bt")).sorted().toList();
        }
        assertEquals(39, tools.size());
        for (Path t : tools) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int rc = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "trace", "-d", "codegen", t.toString());
            String name = t.getFileName().toString();
            if (rc == 0) compiled++;
            if ((rc == 0) == NOT_COMPILING.containsKey(name))
                wrong.add(name + ": exit " + rc + (rc == 0 ? " (listed as not compiling)" : ": " + err.toString().strip().lines().findFirst().orElse("")));
            else if (rc != 0) assertFalse(err.toString().contains("Exception"), name + ": " + err);
        }
        System.out.println("bpftrace 0.26 tool scripts compiling: " + compiled + " of " + tools.size());
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** A kprobe tool compiles, and attaching says why it cannot run here, without a stack trace. */
    @Test
    void aKprobeToolReportsTheMissingKprobesAtAttach() throws Exception {
        Process p = new ProcessBuilder(bpftrace.toString(), TOOLS.resolve("vfsstat.bt").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("kprobes: kernel built without CONFIG_KPROBES"), out);
        assertFalse(out.contains("Exception"), out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "killsnoop => kill -0 $$; echo $$ => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+(<PID>)\\s+\\S+\\s+N/A\\s+<PID>\\s+0$",
            "execsnoop => /bin/echo bpf4j-exec-marker => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+\\d+\\s+\\d+\\s+/bin/echo bpf4j-exec-marker$",
            "statsnoop => stat /etc/hostname > /dev/null => (?m)^\\d+\\s+stat\\s+0 /etc/hostname$",
            "syncsnoop => sync => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+sync\\s+tracepoint:syscalls:sys_enter_sync$",
            "setuids => python3 -c 'import os; os.setuid(0)' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+0\\s+setuid\\s+uid=0 \\(0\\)$",
            "pidpersec => true; true; sleep 1.2 => (?m)^\\d\\d:\\d\\d:\\d\\d PIDs/sec: @: \\d+$",
            "cpuwalk => sleep 0.5 => (?m)^@cpu:\\n\\[\\d+, \\d+\\)\\s+\\d+ \\|@*\\s*\\|$",
            "runqlat => sleep 0.3 => (?m)^@usecs:\\n(\\[\\d+(, \\d+[KM]?\\))?\\]?\\s+\\d+ \\|@*\\s*\\|\\n)+",
            "runqlen => sleep 0.5 => (?m)^@runqlen:\\n\\[\\d+, \\d+\\)\\s+\\d+ \\|@*\\s*\\|$",
            "gethostlatency => getent hosts localhost > /dev/null => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+getent\\s+\\d+ localhost$",
            "threadsnoop => python3 -c 'import threading; t = threading.Thread(target=lambda: None); t.start(); t.join()' => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+\\d+\\s+python3\\s+\\S+$",
            "writeback => dd if=/dev/zero of=wb.tmp bs=1M count=8 2>/dev/null; sync; rm -f wb.tmp => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+:\\d+\\s+\\d+\\s+\\S+\\s+\\d+\\.\\d{3}$",
            "bitesize => dd if=/dev/zero of=bs.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bs.tmp => (?m)^@\\[.+\\]:\\n\\[\\d+[KM]?, \\d+[KM]?\\)\\s+\\d+ \\|@*\\s*\\|$",
            "biosnoop => dd if=/dev/zero of=bs.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bs.tmp => (?m)^\\d+\\s+\\d+\\s+\\d+\\s+\\S.*\\s+\\d+\\s+\\d+$",
            "tcpdrop => python3 -c 'import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); c = socket.create_connection(s.getsockname()); c.send(b\"x\" * 100); time.sleep(0.2); s.close()' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+127\\.0\\.0\\.1:\\d+\\s+127\\.0\\.0\\.1:\\d+\\s+[A-Z_0-9]+\\s*$",
            "bashreadline => true => (?m)^TIME\\s+PID\\s+COMMAND$",
            "syscount => sync => (?m)^@syscall\\[\\d+\\]: \\d+$",
            "opensnoop => cat bpf4j-opensnoop-missing 2>/dev/null; true => (?m)^\\d+\\s+cat\\s+-1\\s+2 /\\S*/bpf4j-opensnoop-missing$",
    })
    void toolRunsUnchangedAndShowsTheEvent(String tool, String load, String expect) throws Exception {
        ToolScriptsTest.runUnderLoad(bpftrace, TOOLS.resolve(tool + ".bt"), "cd " + tmp + " && " + load, expect);
    }
}
