package org.bpf4j.lang.runtime;

import org.bpf4j.NotSupportedException;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What {@link KernelProbesTest} runs where the kernel has kprobes and fentry, refused where it has not (this machine
 * kind: no CONFIG_KPROBES, fentry loads fail with EPERM): the script compiles, its load or attach fails with the
 * feature and the kernel's reason, and nothing is left behind (the leak check after the class).
 */
@Tag("kernel")
class KernelProbesRefusedTest {
    @Test
    void kprobeScriptsAreRefusedNamingTheMissingFeature() {
        Kernel.require();
        AttachSupport.Support kprobes = AttachSupport.kprobes();
        Assumptions.assumeFalse(kprobes.supported(), "this kernel has kprobes (KernelProbesTest runs them)");
        for (String script : new String[] {"kprobe:do_nanosleep { @ = count(); }", "kretprobe:do_nanosleep { @ = count(); }",
                "kprobe:do_nano* { @[probe] = count(); }"}) {
            NotSupportedException e = assertThrows(NotSupportedException.class, () -> SessionTest.run(script), script);
            assertEquals(kprobes.toString(), e.getMessage(), script);
        }
    }

    @Test
    void kfuncScriptsAreRefusedNamingTheMissingFeature() {
        Kernel.require();
        AttachSupport.Support fentry = AttachSupport.fentry();
        Assumptions.assumeFalse(fentry.supported(), "this kernel loads fentry programs (KernelProbesTest runs them)");
        NotSupportedException e = assertThrows(NotSupportedException.class, () -> SessionTest.run("kfunc:do_nanosleep { @ = count(); }"));
        assertEquals(fentry.toString(), e.getMessage());
    }
}
