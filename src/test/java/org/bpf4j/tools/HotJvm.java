package org.bpf4j.tools;

import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The profile tests' Java program (test resource {@code stacks/HotChain.java}), compiled once under target/ and run
 * with the JIT's inlining off for its chain, optionally with frame pointers, a JFR recording, or in its own pid and
 * mount namespaces with its own /tmp. {@link #close} ends it through its standard input and waits for its exit.
 */
final class HotJvm implements AutoCloseable {
    static final String CHAIN = "HotChain.main;HotChain.alpha;HotChain.beta;HotChain.gamma;HotChain.delta";

    private final Process process;
    private final long pid;
    private final BufferedReader stdout;
    private String last = "";

    private HotJvm(Process process, long pid) {
        this.process = process;
        this.pid = pid;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The directory of the compiled program (under target/, not /tmp: a namespaced run mounts its own /tmp). */
    static synchronized Path classes() throws IOException {
        Path dir = Path.of("target", "stacks-hot").toAbsolutePath();
        Path src0 = dir.resolve("HotChain.java");
        if (Files.isRegularFile(dir.resolve("HotChain.class")) && Files.isRegularFile(src0)) {
            try (InputStream in = HotJvm.class.getResourceAsStream("/stacks/HotChain.java")) {
                if (java.util.Arrays.equals(in.readAllBytes(), Files.readAllBytes(src0))) return dir;
            }
        }
        Files.createDirectories(dir);
        Path src = dir.resolve("HotChain.java");
        try (InputStream in = HotJvm.class.getResourceAsStream("/stacks/HotChain.java")) {
            Files.write(src, in.readAllBytes());
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), src.toString()));
        return dir;
    }

    /**
     * Starts the program; {@code jfr} a recording file (null: none); waits until its chain is compiled. G1, whose
     * compiled loops poll for safepoints (UseCountedLoopSafepoints): JFR samples Java stacks at those polls, so in a
     * loop without one it would name the caller instead.
     */
    static HotJvm start(boolean framePointers, Path jfr, boolean namespaced) throws Exception {
        return start(framePointers, jfr, namespaced, List.of());
    }

    /** The same, with the program's arguments ({@code sleep}: off CPU). */
    static HotJvm start(boolean framePointers, Path jfr, boolean namespaced, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseG1GC", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,HotChain::*", (framePointers ? "-XX:+" : "-XX:-") + "PreserveFramePointer"));
        if (jfr != null) cmd.add("-XX:StartFlightRecording:filename=" + jfr + ",settings=profile");
        cmd.addAll(List.of("-cp", classes().toString(), "HotChain"));
        cmd.addAll(args);
        ProcessBuilder pb;
        if (namespaced) {
            List<String> ns = new ArrayList<>(List.of("unshare", "--pid", "--mount", "--fork", "--mount-proc", "sh", "-c",
                    "mount -t tmpfs bpf4j-test /tmp && exec \"$@\"", "sh"));
            ns.addAll(cmd);
            pb = new ProcessBuilder(ns);
        } else {
            pb = new ProcessBuilder(cmd);
        }
        Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long pid = p.pid();
        if (namespaced) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            pid = -1;
            while (pid < 0 && System.nanoTime() < deadline) {
                pid = p.toHandle().children().filter(c -> c.info().command().map(s -> s.endsWith("/java")).orElse(false))
                        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
                if (pid < 0) Thread.sleep(20);
            }
            assertTrue(pid > 0, "no java process under unshare");
        }
        HotJvm j = new HotJvm(p, pid);
        String line;
        while ((line = j.stdout.readLine()) != null && !line.equals("warm")) { } // JFR's start-up lines
        assertEquals("warm", line, "the program did not start");
        return j;
    }

    /** The JVM's pid here (in a namespace, its pid there differs). */
    int pid() { return (int) pid; }

    /** Sends {@code line} to the program's standard input. */
    void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Ends the program and returns its last line ({@code calls/s N}). */
    String stop() throws Exception {
        process.getOutputStream().close();
        for (String l; (l = stdout.readLine()) != null; ) last = l;
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the program did not end");
        return last;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                stop();
            } finally {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
