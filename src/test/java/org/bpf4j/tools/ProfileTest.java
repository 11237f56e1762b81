package org.bpf4j.tools;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.bpf4j.stacks.Chromium;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpf4j profile on a Java program whose main thread runs a known chain of methods: JIT frames named from bpf4j's
 * own map of the code cache, in order, down to the thread's start, agreeing with the JDK's own profiler (JFR) in
 * the same run; the same in a pid and mount namespace; and the frame-pointer warning without the flag.
 */
@Tag("kernel")
class ProfileTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    /** What a profile printed: folded lines and the diagnostics. */
    record Result(Map<String, Long> folded, String diagnostics) {
        long total() { return folded.values().stream().mapToLong(Long::longValue).sum(); }

        long matching(java.util.function.Predicate<String> p) {
            return folded.entrySet().stream().filter(e -> p.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder(diagnostics);
            folded.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> sb.append(e.getValue()).append(' ').append(e.getKey()).append('\n'));
            return sb.toString();
        }
    }

    static Result profile(List<String> argv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Profile tool = new Profile(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            assertEquals(0, tool.run(tool.args().parse(argv), o, () -> false));
        }
        Map<String, Long> folded = new HashMap<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp > 0) folded.merge(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)), Long::sum);
        }
        return new Result(folded, err.toString(StandardCharsets.UTF_8));
    }

    /** The chain in order, called from the Java launcher's thread start (JavaMain), not cut short. */
    static boolean wholeChain(String stack) {
        int at = stack.indexOf(HotJvm.CHAIN);
        return at > 0 && stack.lastIndexOf(";JavaMain;", at) > 0;
    }

    private void chainProfiled(boolean namespaced) throws Exception {
        Path jfr = HotJvm.classes().resolve("hot-" + System.nanoTime() + ".jfr"); // not in /tmp: a namespaced run has its own
        Path page = HotJvm.classes().resolve("flame-" + System.nanoTime() + ".html");
        try {
            chainProfiled(namespaced, jfr, page);
        } finally {
            java.nio.file.Files.deleteIfExists(jfr);
            java.nio.file.Files.deleteIfExists(page);
        }
    }

    private void chainProfiled(boolean namespaced, Path jfr, Path page) throws Exception {
        Result r;
        try (HotJvm jvm = HotJvm.start(true, jfr, namespaced)) {
            r = profile(List.of("-p", String.valueOf(jvm.pid()), "-F", "99", "-f", "--flamegraph", page.toString(), "3"));
            jvm.stop();
        }
        // the main thread's samples (its name is the launcher's, "java"); the JVM's own threads, JFR's sampler
        // among them, run other code
        long main = r.matching(s -> s.startsWith("java;")), chain = r.matching(ProfileTest::wholeChain);
        assertTrue(main >= 20, "too few samples: " + r);
        assertTrue(main * 10 >= r.total() * 7, "the main thread has " + main + " of " + r.total() + " samples:\n" + r);
        // most, not all: a sample taken in the kernel under the hot method (a page fault, a timer's syscall) or while
        // the interpreter still runs a frame of it does not show the chain whole; a broken unwind shows it in none
        assertTrue(chain * 10 >= main * 8, chain + " of the main thread's " + main + " samples hold the whole chain:\n" + r);
        assertFalse(r.diagnostics().contains("PreserveFramePointer"), r.diagnostics());
        // the JDK's own profiler, in the same run, finds the same hot method on top of the main thread's stacks
        Map<String, Integer> tops = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) continue;
            RecordedFrame top = frames.getFirst();
            tops.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
        }
        String jfrHot = tops.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<String, Long> leaves = new HashMap<>();
        r.folded().forEach((stack, n) -> {
            String java = null;
            for (String f : stack.split(";")) if (f.startsWith("HotChain.")) java = f;
            if (java != null) leaves.merge(java, n, Long::sum);
        });
        String bpfHot = leaves.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals("HotChain.delta", bpfHot, r.toString());
        assertEquals(bpfHot, jfrHot, "JFR's top frames: " + tops);
        if (namespaced) return;
        // the flame graph, drawn by a browser with no network: the hot method's frame with its share, found by search
        long deltaSamples = r.matching(s -> s.contains(";HotChain.delta"));
        String dom = Chromium.dom(page, "search=HotChain.delta");
        double drawn = Chromium.frames(dom).stream().filter(f -> f.name().equals("HotChain.delta") && f.match())
                .mapToDouble(Chromium.Frame::share).sum();
        assertEquals(100.0 * deltaSamples / r.total(), drawn, 0.05, "HotChain.delta's frames as drawn");
        assertEquals(100.0 * deltaSamples / r.total(), Chromium.matched(dom), 0.01);
    }

    @Test
    void javaChainNamedInOrderDownToTheThreadStart() throws Exception {
        chainProfiled(false);
    }

    @Test
    void aJvmInItsOwnPidAndMountNamespacesIsNamedToo() throws Exception {
        chainProfiled(true);
    }

    @Test
    void codeCompiledWhileProfilingIsNamedFromTheJitsProbes() throws Exception {
        try (HotJvm jvm = HotJvm.start(true, null, false)) {
            // omega and psi are first called once the profile has its snapshot (its header is printed after it):
            // only compiled__method__load can name them
            String out = ToolRun.run(new Profile(new PrintStream(new ByteArrayOutputStream())),
                    List.of("-p", String.valueOf(jvm.pid()), "-F", "99", "4"), () -> jvm.send("switch"), text -> false);
            assertTrue(out.contains("\n    HotChain.psi\n    HotChain.omega\n    HotChain.main\n"), out);
        }
    }

    @Test
    void withoutFramePointersTheWarningNamesTheFlag() throws Exception {
        Result r;
        try (HotJvm jvm = HotJvm.start(false, null, false)) {
            r = profile(List.of("-p", String.valueOf(jvm.pid()), "-F", "99", "-f", "2"));
        }
        assertTrue(r.diagnostics().contains("-XX:+PreserveFramePointer"), r.toString());
        assertTrue(r.diagnostics().contains("JVM "), r.diagnostics());
    }
}
