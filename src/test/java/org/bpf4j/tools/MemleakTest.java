package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memleak against a C program that leaks known blocks from named functions (40 x malloc(4000) in leak_blocks,
 * 25 x calloc(16, 96) in leak_zeroed, 15 x posix_memalign(64, 640) in leak_aligned) and frees as many again
 * (malloc, realloc, free in churn_freed); and in kernel mode, the pipes this JVM holds open.
 */
@Tag("kernel")
class MemleakTest {
    private static final Pattern ENTRY = Pattern.compile("\t(\\d+) bytes in (\\d+) allocations from stack\n((?:\t\t.*\n)+)");
    private static final Pattern HEADER = Pattern.compile("(?m)^\\[\\d\\d:\\d\\d:\\d\\d] Top (\\d+) stacks with outstanding allocations:$");

    @TempDir
    Path dir;

    @BeforeEach
    void kernel() { Kernel.require(); }

    /** One "N bytes in M allocations from stack" entry and its frames. */
    record Entry(long bytes, long count, List<String> frames) {}

    private Path leaker() throws Exception {
        Path out = dir.resolve("leaker");
        Process cc = new ProcessBuilder("cc", "-O1", "-fno-omit-frame-pointer", "-o", out.toString(),
                Path.of("src/test/resources/tools/leaker.c").toAbsolutePath().toString()).inheritIO().start();
        assertEquals(0, cc.waitFor(), "cc leaker.c");
        return out;
    }

    /** The entries of the last report in {@code out}. */
    static List<Entry> lastReport(String out) {
        Matcher h = HEADER.matcher(out);
        int last = -1;
        while (h.find()) last = h.end();
        assertTrue(last >= 0, "no report in:\n" + out);
        List<Entry> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(out.substring(last + 1));
        while (m.find()) entries.add(new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3).lines().map(String::strip).toList()));
        return entries;
    }

    /** The entry whose first frame is {@code function} of the leaker, in BCC's {@code 0x%016x\tname+0xoff [module]}. */
    static Entry from(List<Entry> entries, String function, String module, String out) {
        for (Entry e : entries)
            if (!e.frames().isEmpty() && e.frames().getFirst().matches("0x[0-9a-f]{16}\t" + function + "\\+0x[0-9a-f]+ \\[" + module + "]"))
                return e;
        return fail("no stack from " + function + " in the last report:\n" + out);
    }

    @Test
    void reportsAProcesssLeakByStackAndNotWhatItFreed() throws Exception {
        Process p = new ProcessBuilder(leaker().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream();
             BufferedReader fromLeaker = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String out = ToolRun.run(new Memleak(), List.of("-a", "-p", Long.toString(p.pid()), "1"), () -> {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                assertEquals("done", fromLeaker.readLine());
            }, text -> {
                String whole = complete(text); // a whole report after the leak (-o 500: half a second old)
                int at = whole.lastIndexOf("] Top 10");
                return at > 0 && whole.indexOf("leak_aligned", at) > 0 && whole.indexOf("leak_blocks", at) > 0
                        && whole.indexOf("leak_zeroed", at) > 0;
            });
            assertTrue(out.startsWith("Attaching to pid " + p.pid() + ", Ctrl+C to quit.\n"), out);
            List<Entry> report = lastReport(out);
            Entry blocks = from(report, "leak_blocks", "leaker", out), zeroed = from(report, "leak_zeroed", "leaker", out),
                    aligned = from(report, "leak_aligned", "leaker", out);
            assertEquals(List.of(160_000L, 40L), List.of(blocks.bytes(), blocks.count()), out);
            assertEquals(List.of(38_400L, 25L), List.of(zeroed.bytes(), zeroed.count()), out);
            assertEquals(List.of(9_600L, 15L), List.of(aligned.bytes(), aligned.count()), out);
            // called from main, and main from libc's start
            for (Entry e : List.of(blocks, zeroed, aligned)) {
                assertTrue(e.frames().get(1).matches("0x[0-9a-f]{16}\tmain\\+0x[0-9a-f]+ \\[leaker]"), e.toString());
                assertTrue(e.frames().get(2).contains("__libc_start"), e.toString());
            }
            assertFalse(out.contains("churn_freed"), "the freed blocks are reported:\n" + out);
            // -a: each of the last report's outstanding blocks, 40 of them of 4000 bytes
            String last = out.substring(out.lastIndexOf("] Top 10"));
            assertEquals(40, Pattern.compile("(?m)^\taddr = [0-9a-f]+ size = 4000$").matcher(last).results().count(), last);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    @Test
    void tracesACommandFromItsStartCombined() throws Exception {
        Memleak tool = new Memleak();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            // the command starts stopped and runs once attached: its allocations right at start are seen
            assertEquals(0, tool.run(tool.args().parse(List.of("-c", leaker() + " 3", "--combined-only", "-z", "1000", "2", "1")), out, () -> false));
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("Executing '" + dir.resolve("leaker") + " 3' and tracing the resulting process.\nAttaching to pid "), out);
        List<Entry> report = lastReport(out);
        Entry blocks = from(report, "leak_blocks", "leaker", out), zeroed = from(report, "leak_zeroed", "leaker", out);
        assertEquals(List.of(160_000L, 40L), List.of(blocks.bytes(), blocks.count()), out);
        assertEquals(List.of(38_400L, 25L), List.of(zeroed.bytes(), zeroed.count()), out);
        assertFalse(out.contains("leak_aligned"), "-z 1000 leaves out the 640-byte blocks:\n" + out);
        assertFalse(out.contains("churn_freed"), out);
    }

    @Test
    void traceShowsEachCall() throws Exception {
        Process p = new ProcessBuilder(leaker().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream();
             BufferedReader fromLeaker = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String out = ToolRun.run(new Memleak(), List.of("-t", "-z", "3000", "-Z", "4000", "-p", Long.toString(p.pid())), () -> {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                assertEquals("done", fromLeaker.readLine());
            }, text -> text.split("free entered, address = [0-9a-f]+, size = 3500\n", -1).length > 60);
            String who = " +leaker-" + p.pid() + " +";
            // 40 leaked blocks of 4000, 60 of 3000 reallocated to 3500 (the realloc frees the first), then freed
            assertEquals(40, count(out, who + "alloc exited, size = 4000, result = [0-9a-f]+"), out);
            assertEquals(100, count(out, who + "alloc entered, size = (3000|4000)"), out);
            assertEquals(60, count(out, who + "free entered, address = [0-9a-f]+, size = 3000"), out);
            assertEquals(60, count(out, who + "free entered, address = [0-9a-f]+, size = 3500"), out);
            assertEquals(0, count(out, ".*size = (1536|640).*"), "-z 3000 leaves out the calloc and posix_memalign blocks:\n" + out);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static long count(String out, String line) {
        return Pattern.compile("(?m)^" + line + "$").matcher(out).results().count();
    }

    @Test
    void aCommandThatCannotBeTracedIsNotLeftStopped() throws Exception {
        Memleak tool = new Memleak();
        var parsed = tool.args().parse(List.of("-c", leaker() + " 30", "-O", dir.resolve("no-such-lib.so").toString(), "1", "1"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var e = assertThrows(org.bpf4j.UserException.class, () -> tool.run(parsed, new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> false));
        assertTrue(e.getMessage().contains("no-such-lib.so"), e.getMessage());
        long end = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) Thread.sleep(20);
        assertEquals(List.of(), ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(h -> h.info().commandLine().orElse("?")).toList());
    }

    @Test
    void kernelModeSeesThePipesThisJvmHolds() throws Exception {
        List<Pipe> pipes = new ArrayList<>();
        try {
            // each pipe's buffer array: kcalloc(16, sizeof(struct pipe_buffer)), from kmalloc's 1 KiB cache
            String out = ToolRun.run(new Memleak(), List.of("-z", "1024", "-Z", "1024", "-T", "50", "1"), () -> {
                for (int i = 0; i < 200; i++) pipes.add(Pipe.open());
            }, text -> {
                String whole = complete(text);
                if (!HEADER.matcher(whole).find()) return false;
                Entry e = pipeEntry(lastReport(whole));
                return e != null && e.count() >= 200;
            });
            assertTrue(out.startsWith("Attaching to kernel allocators, Ctrl+C to quit.\n"), out);
            Entry e = pipeEntry(lastReport(out)); // the tool stops between reports: its last one is whole
            assertNotNull(e, out);
            assertTrue(e.count() >= 200, "the 200 pipes' buffers (and others' pipes):\n" + out);
            assertEquals(1024 * e.count(), e.bytes(), out);
            assertTrue(e.frames().stream().anyMatch(f -> f.matches("0x[0-9a-f]{16}\tdo_pipe2\\+0x[0-9a-f]+ \\[kernel]")), e.toString());
        } finally {
            for (Pipe p : pipes) {
                p.source().close();
                p.sink().close();
            }
        }
    }

    /** The reports of {@code text} before the one being printed (the text up to the last header). */
    private static String complete(String text) {
        int last = text.lastIndexOf("\n[");
        return last < 0 ? "" : text.substring(0, last + 1);
    }

    private static Entry pipeEntry(List<Entry> report) {
        for (Entry e : report) if (e.frames().stream().anyMatch(f -> f.contains("\talloc_pipe_info+0x"))) return e;
        return null;
    }
}
