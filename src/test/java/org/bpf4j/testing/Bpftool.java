package org.bpf4j.testing;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Debian's bpftool as a test oracle: found on PATH or in /usr/sbin; missing, its tests skip (fail in CI). */
public final class Bpftool {
    private Bpftool() {}

    /** The bpftool executable; skips (or fails under BPF4J_REQUIRE_KERNEL=1) when there is none. */
    public static String require() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            File f = new File(dir, "bpftool");
            if (f.canExecute()) return f.getPath();
        }
        Kernel.unless("bpftool is not installed (apt-get install bpftool): it is the oracle of this test");
        throw new AssertionError("unreachable");
    }

    /** Runs bpftool with {@code args} and returns its stdout; fails the test on a non-zero exit. */
    public static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(require());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bpftool timed out");
        assertEquals(0, p.exitValue(), "bpftool " + String.join(" ", args) + ": " + err);
        return out;
    }
}
