package org.bpf4j.tool;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tool API against the kernel: typed events, typed maps, and errors typed by cause. */
@Tag("kernel")
class ToolTest {
    record Call(long pid, String comm, long id) {}

    record Wrong(String pid, String comm, long id) {}

    @BeforeEach
    void kernel() { Kernel.require(); }

    private static final String GETPPID = """
            tracepoint:syscalls:sys_enter_getppid /pid == %d/ { print((pid, comm, (uint64)args.__syscall_nr)); @calls[comm] = count(); }
            """.formatted(ProcessHandle.current().pid());

    @Test
    void recordsAndCountsFromTheScript() throws Exception {
        List<Call> seen = new ArrayList<>();
        try (Tool t = Tool.load("test", GETPPID)) {
            t.on(Call.class, seen::add);
            t.start();
            for (int i = 0; i < 3; i++) org.bpf4j.sys.Native.getppid();
            long end = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < 3 && System.nanoTime() < end) t.poll(50);
            assertEquals(3, seen.size(), seen.toString());
            for (Call c : seen) assertEquals(new Call(ProcessHandle.current().pid(), c.comm(), 110), c); // x86_64 getppid
            Map<String, Long> counts = t.counts("@calls", String.class);
            assertEquals(3L, counts.values().stream().mapToLong(Long::longValue).sum(), counts.toString());
            assertEquals(0, t.lost());
            t.clear("@calls");
            assertTrue(t.counts("@calls", String.class).isEmpty());
        }
    }

    @Test
    void aRecordThatDoesNotFitIsRefusedByName() {
        try (Tool t = Tool.load("test", GETPPID)) {
            var e = assertThrows(ToolException.LayoutMismatch.class, () -> t.on(Wrong.class, w -> { }));
            assertEquals("Wrong.pid is String but the script sends uint64 there", e.getMessage());
            assertThrows(ToolException.LayoutMismatch.class, t::start, "an unbound print must not start");
        }
    }

    @Test
    void errorsTypedByCause() {
        var missing = assertThrows(ToolException.NoSuchProbe.class,
                () -> Tool.load("test", "tracepoint:nosuch:event { print((pid)); }"));
        assertEquals("tracepoint:nosuch:event", missing.probe());
        // kprobes are refused as not supported where the kernel's own config has none, and load where it has them
        if (org.bpf4j.sys.KernelConfig.get().isOff("CONFIG_KPROBES"))
            assertThrows(ToolException.NotSupported.class, () -> Tool.load("test", "kprobe:do_nanosleep { print((pid)); }"));
        else
            try (Tool t = Tool.load("test", "kprobe:do_nanosleep { print((pid)); }")) { assertNotNull(t); }
        assertThrows(ToolException.BadScript.class, () -> Tool.load("test", "tracepoint:syscalls:sys_enter_getppid { print((nosuch)); }"));
    }
}
