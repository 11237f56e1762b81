package org.bpf4j.tools;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ustack} in bpf4j's tracing language on a JVM (the profile tests' program, frame pointers on): JIT frames
 * named {@code Class.method} from the JVM's code map, as profile names them, in bpftrace's and perf's stack modes,
 * for a JVM outside and inside its own pid and mount namespaces, and code compiled while tracing named once the
 * snapshot is refreshed. The command runs as users run it, in its own JVM.
 */
@Tag("kernel")
class JavaUstackTest {
    /** The chain as a user stack prints it: innermost first. */
    private static final List<String> CHAIN = List.of("HotChain.delta", "HotChain.gamma", "HotChain.beta", "HotChain.alpha", "HotChain.main");
    private static final Pattern ENTRY = Pattern.compile("(?m)^(@\\w*)\\[\\n((?:.*\\n)*?)\\]: (\\d+)$");

    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void jitFramesOfAJvmAreNamedInUstack() throws Exception {
        chainInStacks(false);
    }

    @Test
    void aJvmInItsOwnPidAndMountNamespacesIsNamedToo() throws Exception {
        chainInStacks(true);
    }

    private void chainInStacks(boolean namespaced) throws Exception {
        String out;
        try (HotJvm jvm = HotJvm.start(true, null, namespaced)) {
            int pid = jvm.pid();
            out = trace("profile:hz:99 /pid == " + pid + "/ { @[ustack] = count(); @perf[ustack(perf)] = count(); @three[ustack(3)] = count(); }"
                    + " interval:s:3 { exit(); }", line -> { });
            // bpftrace's mode: symbol+offset, 4 spaces in a key
            Map<List<String>, Long> stacks = stacks(out, "@");
            long total = sum(stacks), chain = 0;
            for (Map.Entry<List<String>, Long> e : stacks.entrySet()) {
                List<String> names = e.getKey().stream().map(f -> f.strip().replaceFirst("\\+\\d+$", "")).toList();
                int at = java.util.Collections.indexOfSubList(names, CHAIN);
                if (at >= 0 && names.subList(at, names.size()).contains("JavaMain")) chain += e.getValue();
            }
            assertTrue(total >= 20, "too few samples:\n" + out);
            // the main thread runs the chain; the JVM's own threads (compiler, GC) take the rest
            assertTrue(chain * 10 >= total * 6, chain + " of " + total + " samples hold the chain down to JavaMain:\n" + out);
            assertTrue(out.contains("\n    HotChain.delta+"), out);
            // perf's mode: a tab, the address, Class.method+offset, and the JIT's module as perf names it
            Pattern perfFrame = Pattern.compile("^\\t[0-9a-f]+ (HotChain\\.\\w+)\\+\\d+ \\(/tmp/perf-" + pid + "\\.map\\)$");
            long perfChain = 0;
            for (Map.Entry<List<String>, Long> e : stacks(out, "@perf").entrySet()) {
                List<String> names = new ArrayList<>();
                for (String f : e.getKey()) {
                    Matcher m = perfFrame.matcher(f);
                    names.add(m.matches() ? m.group(1) : f);
                }
                if (java.util.Collections.indexOfSubList(names, CHAIN) >= 0) perfChain += e.getValue();
            }
            assertTrue(perfChain * 10 >= total * 6, perfChain + " of " + total + " samples in perf's mode:\n" + out);
            // at most 3 frames: the innermost of the chain's, most often delta's loop under gamma and beta
            Map<List<String>, Long> three = stacks(out, "@three");
            three.keySet().forEach(k -> assertTrue(k.size() <= 3, k.toString()));
            long top = three.entrySet().stream().filter(e -> e.getKey().stream().map(f -> f.strip().replaceFirst("\\+\\d+$", "")).toList()
                    .equals(CHAIN.subList(0, 3))).mapToLong(Map.Entry::getValue).sum();
            assertTrue(top * 2 >= total, top + " of " + total + " samples end delta, gamma, beta:\n" + out);
            jvm.stop();
        }
    }

    @Test
    void codeCompiledWhileTracingIsNamedOnceTheSnapshotIsRefreshed() throws Exception {
        try (HotJvm jvm = HotJvm.start(true, null, false)) {
            int pid = jvm.pid();
            // the first print takes the snapshot; omega and psi are first called after it, so a later print names
            // them only from a new one (an address the snapshot does not hold, a second or more later)
            boolean[] switched = {false};
            // a print a second for 12 s: on a busy machine the JVM may get no CPU for seconds
            String out = trace("profile:hz:99 /pid == " + pid + "/ { @[ustack(6)] = count(); }"
                    + " interval:s:1 { print(@); clear(@); @n++; if (@n == 12) { exit(); } }", line -> {
                if (!switched[0] && line.startsWith("@[")) {
                    switched[0] = true;
                    try {
                        jvm.send("switch");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertTrue(switched[0], out);
            assertTrue(out.contains("    HotChain.psi+") && out.contains("    HotChain.omega+"), out);
            assertTrue(Pattern.compile("\\n    HotChain\\.psi\\+\\d+\\n    HotChain\\.omega\\+\\d+\\n    HotChain\\.main\\+\\d+\\n").matcher(out).find(), out);
            jvm.stop();
        }
    }

    /** Runs {@code bpf4j trace -e script} in its own JVM as the launcher does; each line of its output goes to {@code lines}. */
    private static String trace(String script, Consumer<String> lines) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "trace", "-e", script).redirectErrorStream(true);
        Process run = pb.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                lines.accept(line);
            }
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "trace did not exit:\n" + out);
        } finally {
            run.destroy();
            run.waitFor();
        }
        assertEquals(0, run.exitValue(), out.toString());
        assertFalse(out.toString().contains("WARNING"), out.toString());
        return out.toString();
    }

    /** The entries of map {@code name} whose key is a stack: its frame lines and the count. */
    private static Map<List<String>, Long> stacks(String out, String name) {
        Map<List<String>, Long> m = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(out);
        while (e.find()) {
            if (!e.group(1).equals(name)) continue;
            List<String> frames = e.group(2).lines().filter(l -> !l.isEmpty()).toList();
            m.merge(frames, Long.parseLong(e.group(3)), Long::sum);
        }
        return m;
    }

    private static long sum(Map<List<String>, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
