package org.bpf4j.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's bpftool as a test oracle: runs it and returns what it printed. A test that needs it skips when it is
 * missing, except under {@code BPF4J_REQUIRE_KERNEL=1} where it fails (CI installs it). Never a runtime dependency.
 */
public final class Bpftool {
    private Bpftool() {}

    private static final List<String> PLACES = List.of("/usr/sbin/bpftool", "/usr/bin/bpftool", "/sbin/bpftool");

    /** The path of bpftool, skipping (or failing, when required) the test when there is none. */
    public static String require() {
        for (String p : PLACES) if (new File(p).canExecute()) return p;
        Kernel.unless("bpftool is not installed (apt-get install bpftool)");
        throw new AssertionError("unreachable");
    }

    /** Runs {@code bpftool args...} and returns its standard output; fails the test on a non-zero exit. */
    public static String run(String... args) {
        Result r = exec(args);
        if (r.status != 0) throw new AssertionError("bpftool " + String.join(" ", args) + " exited " + r.status + ": " + r.err);
        return r.out;
    }

    /** Runs {@code bpftool args...} and returns its exit status and output, whatever the status. */
    public static Result exec(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(require());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("bpftool", ".out"), err = Files.createTempFile("bpftool", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("bpftool " + String.join(" ", args) + " timed out");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("running bpftool: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** What one run printed, and how it ended. */
    public record Result(int status, String out, String err) {}
}
