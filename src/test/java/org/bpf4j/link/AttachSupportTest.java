package org.bpf4j.link;

import org.bpf4j.NotSupportedException;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.KernelConfig;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kprobes and fentry/fexit: attached for real where the kernel has them; on this machine kind (no CONFIG_KPROBES,
 * tracing programs refused with EPERM) the refusals must say exactly which feature is missing and why.
 */
@Tag("kernel")
class AttachSupportTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void kprobeAttachesOrSaysTheKernelLacksKprobes() {
        boolean pmu = Files.isDirectory(Path.of("/sys/bus/event_source/devices/kprobe"));
        assertEquals(pmu, AttachSupport.kprobes().supported(), AttachSupport.kprobes().toString());
        try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()))) {
            if (pmu) {
                try (KprobeLink link = KprobeLink.attach(c.program, "__x64_sys_getppid", 0, false)) {
                    for (int i = 0; i < 100; i++) Native.getppid();
                }
                assertEquals(100, c.get());
                return;
            }
            NotSupportedException e = assertThrows(NotSupportedException.class,
                    () -> KprobeLink.attach(c.program, "__x64_sys_getppid", 0, false));
            assertEquals("kprobes", e.feature());
            if (KernelConfig.get().isOff("CONFIG_KPROBES"))
                assertEquals("kprobes: kernel built without CONFIG_KPROBES", e.getMessage());
            else
                assertTrue(e.getMessage().startsWith("kprobes: "), e.getMessage());
            NotSupportedException ret = assertThrows(NotSupportedException.class,
                    () -> KprobeLink.attach(c.program, "__x64_sys_getppid", 0, true));
            assertEquals(e.getMessage(), ret.getMessage(), "kretprobes share the kprobe PMU");
        }
    }

    @Test
    void fentryAttachesOrSaysWhyTheKernelRefuses() {
        ProgramSpec spec = new ProgramSpec("t_fentry", ProgramType.TRACING,
                Program.builder().mov64(Reg.R0, 0).exit().build(), "GPL");
        AttachSupport.Support support = AttachSupport.fentry();
        if (support.supported()) {
            try (TracingLink l = TracingLink.attach(spec, Map.of(), "vfs_read", TracingLink.Kind.FENTRY);
                 TracingLink x = TracingLink.attach(spec, Map.of(), "vfs_read", TracingLink.Kind.FEXIT)) {
                assertEquals("fentry:vfs_read", l.describe());
                assertEquals(ProgramType.TRACING, l.program().info().type());
            }
            return;
        }
        for (TracingLink.Kind kind : TracingLink.Kind.values()) {
            NotSupportedException e = assertThrows(NotSupportedException.class,
                    () -> TracingLink.attach(spec, Map.of(), "vfs_read", kind));
            assertEquals("fentry/fexit", e.feature());
            assertEquals(support.toString(), e.getMessage());
        }
        assertTrue(support.reason().startsWith(
                "the kernel refuses to load BPF_PROG_TYPE_TRACING programs (BPF_PROG_LOAD: "),
                support.reason());
    }

    @Test
    void unknownKernelFunctionIsNamedBeforeAnyLoad() {
        ProgramSpec spec = new ProgramSpec("t_fentry", ProgramType.TRACING,
                Program.builder().mov64(Reg.R0, 0).exit().build(), "GPL");
        var e = assertThrows(org.bpf4j.UserException.class,
                () -> TracingLink.attach(spec, Map.of(), "no_such_kernel_function", TracingLink.Kind.FENTRY));
        assertEquals("fentry:no_such_kernel_function: no kernel function no_such_kernel_function in /sys/kernel/btf/vmlinux",
                e.getMessage());
    }
}
