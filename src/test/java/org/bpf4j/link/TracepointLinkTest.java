package org.bpf4j.link;

import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

@Tag("kernel")
class TracepointLinkTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void attachesThroughABpfLinkOnThisKernelAndTwoProgramsShareATracepoint() throws Exception {
        int tid = Native.gettid();
        try (Counter a = Counter.load(ProgramType.TRACEPOINT, Counter.onlyThread(tid));
             Counter b = Counter.load(ProgramType.TRACEPOINT, Counter.onlyThread(tid));
             TracepointLink la = TracepointLink.attach(a.program, "syscalls", "sys_enter_getppid");
             TracepointLink lb = TracepointLink.attach(b.program, "syscalls", "sys_enter_getppid")) {
            assertEquals("tracepoint:syscalls:sys_enter_getppid", la.describe());
            assertEquals(Boolean.TRUE, PerfAttachment.perfLinks(), "kernel 5.15+ makes perf-event BPF links");
            PerfAttachment att = la.attachment();
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + att.link().value())).toString();
            assertEquals("anon_inode:bpf_link", target);
            for (int i = 0; i < 300; i++) Native.getppid();
            assertEquals(300, a.get());
            assertEquals(300, b.get());
        }
    }


    @Test
    void theIoctlPathOfOlderKernelsStillAttaches() {
        int tid = Native.gettid();
        Boolean before = PerfAttachment.perfLinks();
        PerfAttachment.assumePerfLinks(false); // as on a kernel before 5.15
        try (Counter c = Counter.load(ProgramType.TRACEPOINT, Counter.onlyThread(tid));
             TracepointLink l = TracepointLink.attach(c.program, "syscalls", "sys_enter_getppid")) {
            assertNull(l.attachment().link(), "PERF_EVENT_IOC_SET_BPF makes no BPF link");
            for (int i = 0; i < 50; i++) Native.getppid();
            assertEquals(50, c.get());
            // the ioctl takes one program per perf event, and each link opens its own event: two programs still share it
            try (Counter d = Counter.load(ProgramType.TRACEPOINT, Counter.onlyThread(tid));
                 TracepointLink l2 = TracepointLink.attach(d.program, "syscalls", "sys_enter_getppid")) {
                for (int i = 0; i < 10; i++) Native.getppid();
                assertEquals(10, d.get());
            }
        } finally {
            PerfAttachment.assumePerfLinks(before);
        }
    }
}
