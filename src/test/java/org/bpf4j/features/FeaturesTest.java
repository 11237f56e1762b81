package org.bpf4j.features;

import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Errno;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** How a program-type probe reads the kernel's refusals (the live probes are checked against bpftool in FeatureProbeTest). */
class FeaturesTest {
    /**
     * Issue 15: ext was reported missing where bpftool finds it, because the probe looked for the tracing types'
     * complaint. These are the kernel's answers to an ext program aimed at a kernel function (6.12's text), and this
     * machine's EPERM.
     */
    @Test
    void extIsRecognisedByTheKernelsAnswer() {
        int einval = Errno.EINVAL;
        assertTrue(Features.refusedAsExpected(ProgramType.EXT, einval, new Probe.Result(false, einval, "Cannot replace kernel functions\nprocessed 0 insns\n")));
        assertTrue(Features.refusedAsExpected(ProgramType.EXT, einval,
                new Probe.Result(false, einval, "FENTRY/FEXIT program can only be attached to another program annotated with BTF\n")));
        assertFalse(Features.refusedAsExpected(ProgramType.EXT, einval, new Probe.Result(false, einval, "unknown program type\n")));
        assertFalse(Features.refusedAsExpected(ProgramType.EXT, einval, new Probe.Result(false, Errno.EPERM, "")));
        assertTrue(Features.refusedAsExpected(ProgramType.TRACING, einval, new Probe.Result(false, einval, "attach_btf_id 1 is not a function\n")));
        assertFalse(Features.refusedAsExpected(ProgramType.TRACING, einval, new Probe.Result(false, einval, "Cannot replace kernel functions\n")));
    }
}
