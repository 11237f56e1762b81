package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** One program on two functions of the C library (getppid, syscall) by one uprobe_multi link, where the kernel has them (6.6). */
@Tag("kernel")
class UprobeMultiLinkTest {
    @Test
    void oneLinkCountsTheCallsOfBothFunctionsOrTheKernelSaysWhyNot() {
        Kernel.require();
        int me = Native.getpid();
        Path libc = ProcMaps.of(me).library("libc").orElseThrow();
        long[] offsets = {UprobeLink.offsetOf(libc, "getppid"), UprobeLink.offsetOf(libc, "syscall")};
        AttachSupport.Support support = AttachSupport.uprobeMulti();
        try (Counter c = Counter.mapOnly()) {
            ProgramSpec counting = Counter.spec(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()));
            ProgramSpec spec = new ProgramSpec(counting.name(), counting.type(), counting.program(), counting.license(),
                    UprobeMultiLink.ATTACH_TYPE);
            if (!support.supported()) { // 6.1: the program does not load, or the link is refused
                assertFalse(support.reason().isEmpty());
                assertThrows(BpfException.class, () -> {
                    try (KernelProgram p = KernelProgram.load(spec, c.maps());
                         UprobeMultiLink l = UprobeMultiLink.attach(p, libc, offsets, false, me)) {
                        fail("attached without support: " + l.describe());
                    }
                });
                return;
            }
            try (KernelProgram p = KernelProgram.load(spec, c.maps());
                 UprobeMultiLink link = UprobeMultiLink.attach(p, libc, offsets, false, me)) {
                assertEquals(2, link.places());
                // the JVM itself calls syscall() on this thread now and then (futexes): a few more, never fewer
                long before = c.get();
                for (int i = 0; i < 150; i++) Native.getppid();
                long getppid = c.get() - before;
                assertTrue(getppid >= 150 && getppid <= 155, "getppid: " + getppid);
                for (int i = 0; i < 50; i++) Native.getpid(); // a raw system call, through the C library's syscall()
                long both = c.get() - before;
                assertTrue(both >= 200 && both <= 210, "getppid and syscall: " + both);
            }
        }
    }
}
