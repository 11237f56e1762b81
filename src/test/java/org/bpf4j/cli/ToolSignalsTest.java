package org.bpf4j.cli;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.ObjInfo;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 10: no tool leaves a BPF program behind after SIGINT, SIGTERM or SIGKILL. Each tool runs as a user runs it
 * (its own JVM); once its header is out, the ids of the programs its process holds are read from
 * /proc/PID/fdinfo, the signal is sent, and every one of those programs must be gone from the kernel afterwards
 * (SIGKILL included: the kernel frees them with the last descriptor). The LeakCheck after the class checks the
 * whole system too.
 */
@Tag("kernel")
class ToolSignalsTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "INT  | opensnoop",
            "TERM | execsnoop",
            "KILL | biolatency",
            "INT  | tcptop -C 1",
            "TERM | syscount",
            "KILL | bcc-trace t:syscalls:sys_enter_getppid",
            "INT  | argdist -C t:syscalls:sys_enter_read():u64:args->count",
            "TERM | profile -F 49",
            "KILL | memleak",
            "INT  | runqlat",
            "TERM | ext4slower 0",
            "KILL | tcplife",
    })
    void theToolsProgramsAreGoneAfterTheSignal(String signal, String command) throws Exception {
        Kernel.require();
        Process p = KillsnoopCommandTest.bpf4j(command.split(" "));
        Set<Integer> held;
        try {
            BlockingQueue<String> out = KillsnoopCommandTest.lines(p);
            assertNotNull(out.poll(60, TimeUnit.SECONDS), command + ": no header\n" + KillsnoopCommandTest.stderr(p));
            held = programsHeld(p.pid());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (held.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                held = programsHeld(p.pid());
            }
            assertFalse(held.isEmpty(), command + " holds no BPF program once its header is out");
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), command + " did not exit on SIG" + signal);
            if (!signal.equals("KILL")) assertEquals(0, p.exitValue(), command + " on SIG" + signal + ": " + KillsnoopCommandTest.stderr(p));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // the kernel frees a program once its last reference goes; that may take an RCU grace period
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Integer> left = stillLoaded(held);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = stillLoaded(held);
        }
        assertEquals(Set.of(), left, command + " left programs loaded after SIG" + signal);
    }

    /** The ids of the BPF programs process {@code pid} holds a descriptor of (prog_id in its fdinfo). */
    private static Set<Integer> programsHeld(long pid) throws IOException {
        Set<Integer> ids = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    for (String line : Files.readAllLines(fd))
                        if (line.startsWith("prog_id:")) ids.add(Integer.parseInt(line.substring(8).trim()));
                } catch (IOException ignored) {
                    // closed while we read it
                }
            }
        }
        return ids;
    }

    private static Set<Integer> stillLoaded(Set<Integer> ids) {
        Set<Integer> left = new TreeSet<>();
        for (int id : ids) {
            try (var fd = ObjInfo.fdById(BpfCmd.PROG_GET_FD_BY_ID, id)) {
                left.add(id);
            } catch (RuntimeException gone) {
                // ENOENT: freed
            }
        }
        return left;
    }
}
