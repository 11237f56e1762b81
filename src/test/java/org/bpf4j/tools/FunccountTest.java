package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.bpf4j.tool.ToolException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/** funccount with BCC's patterns: a tracepoint wildcard on a child's known reads and writes, a libc wildcard on calls this JVM makes. */
@Tag("kernel")
class FunccountTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    private static long count(String out, String func) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(String.format("%-36s", func)) + " +(\\d+)$").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : fail("no " + func + " row in:\n" + out);
    }

    @Test
    void syscallTracepointsOfOneProcess() throws Exception {
        // the child waits for a line, then becomes dd copying 3000 single bytes: its pid is known before it works
        Process p = new ProcessBuilder("sh", "-c", "read x; exec dd if=/dev/zero of=/dev/null bs=1 count=3000 2>/dev/null").start();
        try {
            String out = ToolRun.run(new Funccount(), List.of("-p", String.valueOf(p.pid()), "t:syscalls:sys_enter_*"), () -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write("go\n".getBytes());
                }
                assertEquals(0, p.waitFor());
            }, null);
            Matcher head = Pattern.compile("^Tracing (\\d+) functions for \"t:syscalls:sys_enter_\\*\"\\.\\.\\. Hit Ctrl-C to end\\.\n\nFUNC {36}COUNT\n").matcher(out);
            assertTrue(head.find(), out);
            assertTrue(Integer.parseInt(head.group(1)) > 200, "one per system call's tracepoint:\n" + out);
            assertTrue(out.endsWith("\nDetaching...\n"), out);
            long reads = count(out, "syscalls:sys_enter_read"), writes = count(out, "syscalls:sys_enter_write");
            assertTrue(reads >= 3000 && reads < 3050, out);
            assertTrue(writes >= 3000 && writes < 3050, out);
            assertTrue(count(out, "syscalls:sys_enter_execve") >= 1, "sh execs dd (trying each PATH directory):\n" + out);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void libcFunctionsByWildcard() throws Exception {
        Linker linker = Linker.nativeLinker();
        MethodHandle strverscmp = linker.downcallHandle(linker.defaultLookup().find("strverscmp").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle strfry = linker.downcallHandle(linker.defaultLookup().find("strfry").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        String out = ToolRun.run(new Funccount(), List.of("-p", String.valueOf(ProcessHandle.current().pid()), "c:str*"), () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom("file9"), b = arena.allocateFrom("file10");
                for (int i = 0; i < 100; i++) assertTrue((int) strverscmp.invokeExact(a, b) < 0);
                for (int i = 0; i < 7; i++) { MemorySegment r = (MemorySegment) strfry.invokeExact(a); }
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }, null);
        Matcher head = Pattern.compile("^Tracing (\\d+) functions for \"c:str\\*\"").matcher(out);
        assertTrue(head.find() && Integer.parseInt(head.group(1)) > 10, "libc has dozens of str* functions:\n" + out);
        // functions nothing else in the JVM calls: exactly the test's calls
        assertEquals(100, count(out, "strverscmp"), out);
        assertEquals(7, count(out, "strfry"), out);
    }

    @Test
    void regularExpressionsMatchFromTheStartAsPythonsReMatch() throws Exception {
        // -r: re.match, anchored at the start only: sched_wakeup also matches sched_wakeup_new, a $ ends it
        assertEquals(List.of("tracepoint:sched:sched_wakeup", "tracepoint:sched:sched_wakeup_new"),
                List.of(FuncRegex.attachPoints("t:sched:sched_wakeup").split(", ")).stream().sorted().toList());
        assertEquals(List.of("tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_enter_write"),
                List.of(FuncRegex.attachPoints("t:syscalls:sys_enter_(read|write)$").split(", ")).stream().sorted().toList());
        assertEquals("", FuncRegex.attachPoints("t:nosuch:.*"));
        assertTrue(assertThrows(Funccount.BadPattern.class, () -> FuncRegex.attachPoints("t:.*:.*")).getMessage()
                .matches("maximum of 1000 probes allowed, attempted \\d+"));
        var e = assertThrows(ToolException.NotSupported.class, () -> FuncRegex.attachPoints("^vfs_r"));
        assertTrue(e.getMessage().contains("kprobes are not available"), e.getMessage());

        Linker linker = Linker.nativeLinker();
        MethodHandle strverscmp = linker.downcallHandle(linker.defaultLookup().find("strverscmp").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        String out = ToolRun.run(new Funccount(), List.of("-r", "-p", String.valueOf(ProcessHandle.current().pid()), "c:strv.r"), () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom("file9"), b = arena.allocateFrom("file10");
                for (int i = 0; i < 40; i++) assertTrue((int) strverscmp.invokeExact(a, b) < 0);
            } catch (Exception | Error x) {
                throw x;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }, null);
        assertTrue(out.startsWith("Tracing 1 functions for \"c:strv.r\"... Hit Ctrl-C to end.\n"), out);
        assertEquals(40, count(out, "strverscmp"), out);
    }

    @Test
    void patternsAsBccReadsThem() {
        assertEquals("tracepoint:sched:sched_fork", Funccount.attachPoint("t:sched:sched_fork"));
        assertEquals("uprobe:c:malloc", Funccount.attachPoint("c:malloc"));
        assertEquals("uprobe:/bin/bash:read*", Funccount.attachPoint("p:/bin/bash:read*"));
        assertEquals("usdt:node:gc*", Funccount.attachPoint("u:node:gc*"));
        assertEquals("kprobe:vfs_*", Funccount.attachPoint("vfs_*"));
        assertEquals("Type must be 'p', 't', or 'u', but got x",
                assertThrows(Funccount.BadPattern.class, () -> Funccount.attachPoint("x:a:b")).getMessage());
        assertEquals("syscalls:sys_enter_read", Funccount.func("tracepoint:syscalls:sys_enter_read"));
        assertEquals("strlen", Funccount.func("uprobe:/lib/x86_64-linux-gnu/libc.so.6:strlen"));
    }

    @Test
    void aKernelFunctionSaysKprobesAreMissing() throws Exception {
        var parsed = new Funccount().args().parse(List.of("vfs_read"));
        var e = assertThrows(ToolException.NotSupported.class, () -> new Funccount().run(parsed, System.out, () -> true));
        assertTrue(e.getMessage().contains("kprobes are not available"), e.getMessage());
    }
}
