package org.bpf4j.tools;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tool.ToolException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** BCC's argdist: counts of a program's known arguments and results, a histogram of a tracepoint's field. */
class ArgdistTest {
    /** The last count printed for {@code event} under the table titled {@code title}. */
    private static long last(String out, String title, String event) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(title) + "\n\tCOUNT      EVENT\n((?:\t.*\n)*)").matcher(out);
        long found = -1;
        while (m.find()) {
            Matcher row = Pattern.compile("(?m)^\t(\\d+) +" + Pattern.quote(event) + "$").matcher(m.group(1));
            if (row.find()) found = Long.parseLong(row.group(1));
        }
        return found;
    }

    @Test
    @Tag("kernel")
    void countsAProgramsArgumentsAndResults() throws Exception {
        Kernel.require();
        try (WorkProgram w = WorkProgram.start(30)) {
            String bin = w.binary().toString();
            String args = "p:" + bin + ":work(int n, const char *tag):int,char*:n,tag", calls = "p:" + bin + ":work()#work calls",
                    rets = "r:" + bin + ":work()", even = "p:" + bin + ":work(int n):int:n:n!=2", usdt = "u:" + bin + ":step():int:arg2#steps";
            String out = ToolRun.run(new Argdist(), List.of("-c", "-p", Long.toString(w.pid()), "-C", args, "-C", calls, "-C", rets,
                    "-C", even, "-C", usdt), w::go, text -> last(text, "work calls", "total calls") == 30 && last(text, rets, "retval = 7") == 10
                    && last(text, args, "n = 3, tag = bpf4j-tag") == 10 && last(text, even, "n = 3") == 10 && last(text, "steps", "arg2 = 3") == 10);
            assertTrue(out.startsWith("["), out);
            assertTrue(out.lines().findFirst().orElseThrow().matches("\\[\\d\\d:\\d\\d:\\d\\d\\]"), out);
            for (int n = 1; n <= 3; n++) {
                assertEquals(10, last(out, args, "n = " + n + ", tag = bpf4j-tag"), out);
                assertEquals(10, last(out, rets, "retval = " + (2 * n + 1)), out);
            }
            assertEquals(30, last(out, "work calls", "total calls"), out);
            for (int n = 1; n <= 3; n++) assertEquals(10, last(out, "steps", "arg2 = " + n), out); // the USDT probe's second argument
            assertEquals(10, last(out, even, "n = 1"), out);
            assertEquals(-1, last(out, even, "n = 2"), "the filter n!=2 leaves n = 2 out:\n" + out);
        }
    }

    @Test
    @Tag("kernel")
    void histogramOfATracepointField() throws Exception {
        Kernel.require();
        // the child waits for a line, then becomes dd reading 3000 single bytes: 3000 read(2) calls of count 1
        Process p = new ProcessBuilder("sh", "-c", "read x; exec dd if=/dev/zero of=/dev/null bs=1 count=3000 2>/dev/null").start();
        try {
            String spec = "t:syscalls:sys_enter_read():u64:args->count";
            String out = ToolRun.run(new Argdist(), List.of("-c", "-p", Long.toString(p.pid()), "-T", "1", "-H", spec, "-C", "t:syscalls:sys_enter_read():u64:args->count#sizes"), () -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write("go\n".getBytes());
                }
                assertEquals(0, p.waitFor());
            }, text -> last(text, "sizes", "args->count = 1") >= 3000);
            long ones = last(out, "sizes", "args->count = 1");
            String table = out.substring(out.lastIndexOf("sizes\n"));
            assertEquals(1, table.lines().skip(2).takeWhile(l -> l.startsWith("\t")).count(), "-T 1 leaves out ld.so's 832-byte read:\n" + out);
            assertTrue(ones >= 3000 && ones < 3010, "dd's 3000 reads and the shell's few one-byte reads of its line:\n" + out);
            String hist = out.substring(out.lastIndexOf(String.format("     %-19s : count     distribution%n", "args->count")));
            Matcher row = Pattern.compile("(?m)^         0 -> 1          : (\\d+) +\\|\\*{40}\\|$").matcher(hist);
            assertTrue(row.find(), out);
            assertEquals(ones, Long.parseLong(row.group(1)), out);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    @Tag("kernel")
    void aKernelFunctionSaysKprobesAreMissing() throws Exception {
        Kernel.require();
        var parsed = new Argdist().args().parse(List.of("-H", "p::__kmalloc(u64 size):u64:size"));
        var e = assertThrows(ToolException.NotSupported.class, () -> new Argdist().run(parsed, System.out, () -> true));
        assertTrue(e.getMessage().contains("kprobes are not available on this kernel"), e.getMessage());
    }

    @Test
    void specifiersAsArgdistReadsThem() {
        ArgdistProbe p = ArgdistProbe.parse("p:c:write(int fd, const void *buf, size_t count):size_t:count:fd==1", true, 0, List.of("pid == 9"), 80);
        assertEquals("uprobe:c:write /pid == 9/ { if (((int32)arg0)==1) { @h0 = hist((uint64)(((uint64)arg2))); } }\n", p.script());
        assertEquals("count", p.display(0));
        ArgdistProbe r = ArgdistProbe.parse("r:c:read(int fd, void *buf, size_t count):size_t:$entry(count):$latency > 1000000", true, 3, List.of(), 80);
        assertEquals("uprobe:c:read { @t3[tid] = nsecs; @e3_count[tid] = ((uint64)arg2); }\n"
                + "uretprobe:c:read /@t3[tid]/ { if ((nsecs - @t3[tid]) > 1000000) { @h3 = hist((uint64)(@e3_count[tid])); } delete(@t3[tid]); delete(@e3_count[tid]); }\n", r.script());
        assertEquals("count", r.display(0));
        assertEquals("tracepoint:irq:irq_handler_entry { @c1[(int32)(args->irq)] = count(); }\n",
                ArgdistProbe.parse("t:irq:irq_handler_entry():int:args->irq", false, 1, List.of(), 80).script());
        assertEquals("uretprobe:c:gets { @c0[str(retval, 20)] = count(); }\n",
                ArgdistProbe.parse("r:c:gets():char*:(char*)$retval#snooped strings", false, 0, List.of(), 20).script());
        assertEquals("uprobe:c:fork { @c0 = count(); }\n", ArgdistProbe.parse("p:c:fork()#fork calls", false, 0, List.of(), 80).script());
        assertEquals("uretprobe:c:read { @c0[(int32)(retval)] = count(); }\n", ArgdistProbe.parse("r:c:read()", false, 0, List.of(), 80).script());
        for (String[] bad : new String[][] {
                {"p:c", "at least the probe type, library, and function signature must be specified"},
                {"x:c:f()", "probe type must be 'p', 'r', 't', or 'u' but got 'x'"},
                {"p:c:f", "function signature 'f' has an invalid format"},
                {"p:c:f(int a):int,int:a", "mismatched # of exprs and types"},
                {"p:c:f()", "histograms must have expr"},
                {"r:c:f():u64:$entry(q)", "$entry(q): no such param"}}) {
            var e = assertThrows(ProbeSpec.BadSpec.class, () -> ArgdistProbe.parse(bad[0], true, 0, List.of(), 80));
            assertEquals("error parsing probe '" + bad[0] + "': " + bad[1], e.getMessage());
        }
    }

    @Test
    void commandLine() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(err), "argdist", "-h"));
        assertTrue(out.toString().startsWith("usage: argdist [-h] [-p PID] [-t TID] [-z STRING_SIZE] [-i INTERVAL]\n"), out.toString());
        assertTrue(out.toString().contains("  -C specifier, --count specifier\n"), out.toString());
        err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "argdist", "-i", "x"));
        assertTrue(err.toString().endsWith("argdist: error: argument -i/--interval: invalid int value: 'x'\n"), err.toString());
        err = new StringWriter();
        assertEquals(1, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "argdist"));
        assertEquals("bpf4j: argdist: at least one specifier is required\n", err.toString());
    }
}
