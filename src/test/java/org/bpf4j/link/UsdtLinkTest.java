package org.bpf4j.link;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.perf.PerfBuffer;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Cpus;
import org.bpf4j.testing.Kernel;
import org.bpf4j.usdt.UsdtArgument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * USDT against real processes: a child JVM's hotspot probes (thread__start with its five arguments in registers
 * and memory, gc__begin with two sites of different layouts) and Python's function__entry, guarded by a semaphore.
 */
@Tag("kernel")
class UsdtLinkTest {
    static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
    /** The event record: up to 5 arguments as u64, then 32 bytes of the string the first or second points at. */
    static final int ARGS = 5, STR = 32, EVENT = ARGS * 8 + STR, EV = -(EVENT + 8), SCRATCH = EV - 8;

    @BeforeEach
    void kernel() { Kernel.require(); }

    record Event(long[] args, String str) {}

    /**
     * A program that reads every argument of a layout into the event, the string at argument {@code strArg}, and
     * sends the event through the perf event array "events".
     */
    static ProgramSpec argsProgram(List<UsdtArgument> args, int strArg) {
        Program.Builder b = Program.builder().mov64(R6, R1);
        for (int i = 0; i < EVENT; i += 8) b.st(Size.DW, R10, EV + i, 0);
        for (int i = 0; i < Math.min(ARGS, args.size()); i++) {
            args.get(i).emitLoad(b, R7, R6, SCRATCH);
            b.stx(Size.DW, R10, EV + 8 * i, R7);
        }
        if (strArg >= 0) {
            b.ldx(Size.DW, R3, R10, EV + 8 * strArg)
                    .mov64(R1, R10).alu64(AluOp.ADD, R1, EV + ARGS * 8)
                    .mov64(R2, STR)
                    .call(Helper.PROBE_READ_USER_STR);
        }
        b.mov64(R1, R6).loadMapFd(R2, "events").lddw(R3, 0xffffffffL)
                .mov64(R4, R10).alu64(AluOp.ADD, R4, EV).mov64(R5, EVENT)
                .call(Helper.PERF_EVENT_OUTPUT)
                .mov64(R0, 0).exit();
        return new ProgramSpec("t_usdt", ProgramType.KPROBE, b.build(), "GPL");
    }

    static Event decode(MemorySegment data) {
        long[] args = new long[ARGS];
        for (int i = 0; i < ARGS; i++) args[i] = data.get(JAVA_LONG_UNALIGNED, 8L * i);
        byte[] s = data.asSlice(ARGS * 8, STR).toArray(JAVA_BYTE);
        int n = 0;
        while (n < s.length && s[n] != 0) n++;
        return new Event(args, new String(s, 0, n, StandardCharsets.UTF_8));
    }

    /** Collects events from the perf buffer of "events" until {@code done} says stop or 10 seconds pass. */
    static final class Events implements AutoCloseable {
        final KernelMap map = KernelMap.create(MapSpec.of("events", MapType.PERF_EVENT_ARRAY, 4, 4, Cpus.possibleCount()));
        final List<Event> seen = new ArrayList<>();
        final PerfBuffer buffer;

        Events() {
            PerfBuffer b;
            try {
                b = PerfBuffer.open(map, 16, new RecordHandler() {
                    @Override public void onRecord(int cpu, MemorySegment data) { seen.add(decode(data)); }
                    @Override public void onLost(int cpu, long count) { fail("lost " + count); }
                });
            } catch (RuntimeException e) {
                map.close();
                throw e;
            }
            buffer = b;
        }

        Function<List<UsdtArgument>, KernelProgram> loader(int strArg) {
            return args -> KernelProgram.load(argsProgram(args, strArg), Map.of("events", map));
        }

        @Override
        public void close() {
            buffer.close();
            map.close();
        }
    }

    @Test
    void hotspotThreadStartAndGcBeginInAChildJvm() throws Exception {
        Process child = JvmChild.start(4);
        try (Events events = new Events()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("ready", out.readLine());
            int pid = (int) child.pid();
            List<String> lines = new ArrayList<>();
            // and a plain uprobe on a function only .symtab names (the child runs the serial collector)
            String collect = "_ZN10SerialHeap7collectEN7GCCause5CauseE";
            try (Counter collects = Counter.load(ProgramType.KPROBE, b -> {});
                 UprobeLink collectProbe = UprobeLink.attach(collects.program, LIBJVM.toString(), collect, false, pid);
                 UsdtLink start = UsdtLink.attach(LIBJVM.toString(), "hotspot", "thread__start", pid, events.loader(0));
                 UsdtLink gc = UsdtLink.attach("libjvm.so", "hotspot", "gc__begin", pid, events.loader(-1))) {
                assertEquals("usdt:" + LIBJVM + ":hotspot:thread__start", start.describe());
                assertEquals(2, gc.sites().size(), "gc__begin has two sites");
                assertEquals(2, gc.programs().size(), "one program per argument layout (1@%dil, 1@$1)");
                try (OutputStream in = child.getOutputStream()) {
                    in.write('\n');
                }
                for (String l; (l = out.readLine()) != null && !l.equals("done"); ) lines.add(l);
                assertEquals(0, child.waitFor());
                while (events.buffer.poll(100) > 0) { /* drain */ }
                assertTrue(collects.get() >= 3, "SerialHeap::collect ran for each System.gc(): " + collects.get());
            }
            assertEquals(4, lines.size(), lines.toString());
            for (String line : lines) {
                String[] f = line.split(" "); // thread ID NAME DAEMON
                Event e = events.seen.stream().filter(ev -> ev.str.equals(f[2])).findFirst()
                        .orElseThrow(() -> new AssertionError("no thread__start for " + f[2] + " in " + events.seen));
                assertEquals(f[2].length(), e.args[1], "arg1: the name's length (-4@%r14d)");
                assertEquals(Long.parseLong(f[1]), e.args[2], "arg2: the Java thread id (-8@-64(%rbp))");
                assertTrue(e.args[3] > pid, "arg3: the native thread id (8@-56(%rbp)): " + e.args[3]);
                assertEquals(Boolean.parseBoolean(f[3]) ? 1 : 0, e.args[4], "arg4: daemon (1@%al)");
            }
            long fullGcs = events.seen.stream().filter(e -> e.str.isEmpty() && e.args[0] == 1).count();
            assertTrue(fullGcs >= 3, "System.gc() x3 are full collections: " + events.seen.size() + " events");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void pythonGcStartFiresOnlyThroughItsSemaphore() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Kernel.unless(Files.isRegularFile(python) ? null : "no /usr/bin/python3 (Debian's, with USDT probes)");
        // Python checks the probe's semaphore before firing: a plain uprobe on the site sees nothing, the USDT
        // link (the same uprobe with the semaphore as its reference counter) sees every collection.
        Process child = new ProcessBuilder(python.toString(), "-c", """
                import gc, sys
                gc.disable()
                print('ready', flush=True)
                for _ in sys.stdin:
                    for _ in range(10): gc.collect(1)
                    print('done', flush=True)
                """).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (Events events = new Events(); OutputStream in = child.getOutputStream()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("ready", out.readLine());
            var site = org.bpf4j.usdt.UsdtProbe.find(python.toRealPath(), "python", "gc__start").getFirst();
            assertNotEquals(0, site.semaphoreOffset());
            // gc__start(generation): -4@112(%rsp), a signed int in memory above the stack pointer
            assertEquals(UsdtArgument.Kind.MEMORY, site.arguments().getFirst().kind());
            try (KernelProgram p = events.loader(-1).apply(site.arguments());
                 UprobeLink plain = UprobeLink.attach(p, python, site.fileOffset(), false, (int) child.pid())) {
                in.write('\n');
                in.flush();
                assertEquals("done", out.readLine());
                while (events.buffer.poll(100) > 0) { /* drain */ }
            }
            assertEquals(List.of(), events.seen, "without the semaphore Python does not fire the probe");
            try (UsdtLink link = UsdtLink.attach(python.toString(), "python", "gc__start", (int) child.pid(), events.loader(-1))) {
                in.write('\n');
                in.flush();
                assertEquals("done", out.readLine());
                while (events.buffer.poll(100) > 0) { /* drain */ }
            }
            List<Long> generations = events.seen.stream().map(e -> e.args[0]).toList();
            assertEquals(java.util.Collections.nCopies(10, 1L), generations, "gc.collect(1) x10");
        } finally {
            child.destroyForcibly();
        }
        child.waitFor();
    }
}
