package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** killsnoop against the real kernel: a child process sends signals, the probes must see them. */
@Tag("kernel")
class KillsnoopTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    /** Runs {@code sh -c script} and returns its pid once it has exited. */
    static long sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).inheritIO().start();
        assertEquals(0, p.waitFor(), script);
        return p.pid();
    }

    static Killsnoop.Event await(Killsnoop k, List<Killsnoop.Event> seen, Predicate<Killsnoop.Event> match) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            k.poll(50);
            for (Killsnoop.Event e : seen) if (match.test(e)) return e;
        }
        return fail("no matching event among " + seen);
    }

    @Test
    void seesASuccessfulKillFromAChildProcess() throws Exception {
        List<Killsnoop.Event> seen = new CopyOnWriteArrayList<>();
        try (Killsnoop k = Killsnoop.start(Killsnoop.Options.ALL, seen::add)) {
            long child = sh("kill -0 $$");
            Killsnoop.Event e = await(k, seen, ev -> ev.pid() == child);
            assertEquals(new Killsnoop.Event((int) child, "sh", 0, (int) child, 0), e);
            assertEquals(0, k.lost());
        }
    }

    @Test
    void failedOnlyShowsTheFailureWithMinusEsrch() throws Exception {
        List<Killsnoop.Event> seen = new CopyOnWriteArrayList<>();
        try (Killsnoop k = Killsnoop.start(new Killsnoop.Options(true, 0, -1), seen::add)) {
            long ok = sh("kill -0 $$");
            long bad = sh("kill -0 99999999 2>/dev/null; exit 0");
            Killsnoop.Event e = await(k, seen, ev -> ev.pid() == bad);
            assertEquals(new Killsnoop.Event((int) bad, "sh", 0, 99999999, -3), e);
            k.poll(100);
            assertTrue(seen.stream().noneMatch(ev -> ev.pid() == ok), "-x must hide the successful kill: " + seen);
        }
    }

    @Test
    void pidAndSignalFiltersRunInTheKernel() throws Exception {
        long parent = ProcessHandle.current().pid();
        List<Killsnoop.Event> seen = new CopyOnWriteArrayList<>();
        // only signal 0 sent by this JVM: the child's kill comes from another process and is filtered out
        try (Killsnoop k = Killsnoop.start(new Killsnoop.Options(false, (int) parent, 0), seen::add)) {
            long child = sh("kill -0 $$");
            ProcessHandle.current().children().count(); // no kill; just make sure time passes
            Process sleeper = new ProcessBuilder("sleep", "30").start();
            try {
                sleeper.destroy(); // SIGTERM (15) from this JVM: not signal 0, filtered out
                sleeper.waitFor();
                sh("kill -0 " + parent); // from the child: not this pid, filtered out
                k.poll(200);
                assertTrue(seen.stream().noneMatch(ev -> ev.pid() == child), seen.toString());
                assertTrue(seen.stream().noneMatch(ev -> ev.sig() == 15), seen.toString());
            } finally {
                sleeper.destroyForcibly();
            }
        }
        // and the unfiltered probe does see SIGTERM from this JVM, so the check above could fail
        try (Killsnoop k = Killsnoop.start(new Killsnoop.Options(false, (int) parent, -1), seen::add)) {
            Process sleeper = new ProcessBuilder("sleep", "30").start();
            sleeper.destroy();
            sleeper.waitFor();
            Killsnoop.Event e = await(k, seen, ev -> ev.tpid() == sleeper.pid());
            assertEquals(15, e.sig());
            assertEquals(parent, e.pid());
        }
    }
}
