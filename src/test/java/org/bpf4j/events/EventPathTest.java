package org.bpf4j.events;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The path users run, from the kernel to stdout: {@code bpf4j trace} and {@code bpf4j killsnoop} in their own JVM
 * (with the launcher's JIT settings), under a storm from one tight loop, with stdout a pipe or a file. Every event
 * the kernel produced is printed, in order, or counted and reported lost.
 */
@Tag("kernel")
class EventPathTest {
    private static final String SCRIPT =
            "tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf(\"%d %d %s %llu\\n\", pid, tid, comm, nsecs); }";
    private static final Pattern EVENT = Pattern.compile("^(\\d+) (\\d+) gen (\\d+)$", Pattern.MULTILINE);
    private static final Pattern LOST = Pattern.compile("^Lost (\\d+) events$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    /** A JVM running bpf4j as ./bpf4j runs it (C1 only, thresholds x100), with this test's class path. */
    private static ProcessBuilder bpf4j(List<String> args, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:CompileThresholdScaling=100", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    private Path compile(Path source, String name) throws Exception {
        Path out = dir.resolve(name);
        Process cc = new ProcessBuilder("cc", "-O2", "-o", out.toString(), source.toString()).inheritIO().start();
        assertEquals(0, cc.waitFor(), "cc " + source);
        return out;
    }

    private Path generator() throws Exception {
        return compile(Path.of("bench", "getppid_count.c").toAbsolutePath(), "gen");
    }

    /** Runs the script with -c on the generator making {@code calls} calls; returns stdout. */
    private String trace(int calls, boolean toFile, Map<String, String> env, boolean holdOutput) throws Exception {
        Path gen = generator();
        Path genOut = dir.resolve("gen.out");
        Path wrapper = dir.resolve("run.sh");
        Files.writeString(wrapper, "exec '" + gen + "' " + calls + " > '" + genOut + "'\n");
        ProcessBuilder pb = bpf4j(List.of("trace", "-c", "/bin/sh " + wrapper, "-e", SCRIPT), env)
                .redirectError(dir.resolve("stderr").toFile());
        Path file = dir.resolve("stdout");
        if (toFile) pb.redirectOutput(file.toFile());
        Process p = pb.start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII)); // the generator waits for it on the inherited stdin
            }
            if (holdOutput) { // nobody reads the pipe until the burst is over: the buffers fill
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!(Files.exists(genOut) && Files.size(genOut) > 0) && System.nanoTime() < deadline) Thread.sleep(50);
                assertTrue(Files.size(genOut) > 0, "the generator did not finish: " + stderr());
            }
            String out = toFile ? null : read(p.getInputStream());
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "bpf4j trace did not end with its -c command");
            assertEquals(0, p.exitValue(), stderr());
            assertEquals(calls + "", Files.readString(genOut).split(" ")[0], "the generator's own count");
            return toFile ? Files.readString(file) : out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private String stderr() throws IOException {
        Path f = dir.resolve("stderr");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /**
     * Checks every event line: the generator's, and with {@code ordered} (the ring buffer, one for all CPUs) nsecs
     * never going back; a perf buffer keeps order per CPU only, and a thread that moves between CPUs interleaves.
     * Returns how many.
     */
    private static int events(String out, boolean ordered) {
        Matcher m = EVENT.matcher(out);
        int n = 0;
        long last = 0, pid = -1;
        while (m.find()) {
            long ns = Long.parseLong(m.group(3));
            assertTrue(!ordered || ns >= last, "event " + n + " out of order: " + ns + " after " + last);
            if (pid < 0) pid = Long.parseLong(m.group(1));
            assertEquals(pid, Long.parseLong(m.group(1)), "one generator");
            assertEquals(m.group(1), m.group(2), "its one thread");
            last = ns;
            n++;
        }
        return n;
    }

    private static long lost(String out) {
        Matcher m = LOST.matcher(out);
        long n = 0;
        while (m.find()) n += Long.parseLong(m.group(1));
        return n;
    }

    @Test
    void aMillionEventsFromATightLoopAllReachAPipe() throws Exception {
        Kernel.require();
        String out = trace(1_000_000, false, Map.of(), false);
        assertEquals(0, lost(out), "lost");
        assertEquals(1_000_000, events(out, true));
    }

    @Test
    void aMillionEventsFromATightLoopAllReachAFile() throws Exception {
        Kernel.require();
        String out = trace(1_000_000, true, Map.of(), false);
        assertEquals(0, lost(out), "lost");
        assertEquals(1_000_000, events(out, true));
    }

    @Test
    void eventsTheBuffersCannotHoldAreCountedAndReported() throws Exception {
        assertLossCounted(Map.of());
    }

    @Test
    void thePerfBufferCountsItsLossesToo() throws Exception {
        assertLossCounted(Map.of("BPF4J_EVENT_CHANNEL", "perf"));
    }

    /** One page per CPU of kernel buffer and 1 MiB of queue, stdout a pipe nobody reads during the burst. */
    private void assertLossCounted(Map<String, String> channel) throws Exception {
        Kernel.require();
        Map<String, String> env = new java.util.HashMap<>(channel);
        env.put("BPFTRACE_PERF_RB_PAGES", "1");
        env.put("BPF4J_EVENT_QUEUE_MB", "1");
        String out = trace(200_000, false, env, true);
        long lost = lost(out);
        int printed = events(out, !channel.containsKey("BPF4J_EVENT_CHANNEL"));
        assertTrue(lost > 0, "nothing was lost: the test did not fill the buffers (" + printed + " printed)");
        assertEquals(200_000, printed + lost, "printed " + printed + " + reported lost " + lost);
    }

    @Test
    void killsnoopPrintsEveryKillOfAStorm() throws Exception {
        Kernel.require();
        Path storm = compile(Path.of("src", "test", "resources", "events", "killstorm.c").toAbsolutePath(), "killstorm");
        Process p = bpf4j(List.of("killsnoop"), Map.of()).redirectError(dir.resolve("stderr").toFile()).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("TIME      PID    COMM             SIG  TPID   RESULT", lines.readLine(), stderr());
            Process s = new ProcessBuilder(storm.toString(), "100000").start();
            try (OutputStream in = s.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(s.waitFor(120, TimeUnit.SECONDS), "the storm did not end");
            String pid = String.valueOf(s.pid());
            Pattern row = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d  " + pid + " +killstorm +0 +" + pid + " +0$");
            java.util.concurrent.atomic.AtomicInteger rows = new java.util.concurrent.atomic.AtomicInteger();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String l; (l = lines.readLine()) != null; ) if (row.matcher(l).matches()) rows.incrementAndGet();
                } catch (IOException e) {
                    // the process went away
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rows.get() < 100_000 && System.nanoTime() < deadline) Thread.sleep(50);
            Thread.sleep(200); // a row too many would show now
            int seen = rows.get();
            assertEquals(100_000, seen, stderr());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "killsnoop did not exit on SIGTERM");
            assertEquals(0, p.exitValue(), stderr());
            reader.join(5000);
            assertFalse(stderr().contains("lost"), stderr());
        } finally {
            p.destroyForcibly();
        }
    }
}
