package org.bpf4j.link;

import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.KernelConfig;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * kprobes, kretprobes, function+offset, wildcard kprobes (kprobe_multi or one kprobe per match) and fentry/fexit
 * counting a known workload (n getppid or getpgid calls from this thread give n events), where the kernel has them; the
 * kernel's own answer (its build configuration, bpftool's feature probe) says whether it should. Run on the host
 * and, by the kernel matrix (scripts/kernel-matrix.sh), on Debian's 6.1 and 6.12 kernels.
 */
@Tag("kernel")
class KprobeLinkTest {
    private static final String GETPPID = "__x64_sys_getppid", GETPGID = "__x64_sys_getpgid";
    private static final int N = 50;
    /** getpgid(2) from the C library: unlike getppid (SYSCALL_DEFINE0), its wrapper is traceable and in BTF. */
    private static final MethodHandle LIBC_GETPGID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getpgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    @BeforeEach
    void kernel() { Kernel.require(); }

    private static boolean on(String option) { return KernelConfig.get().value(option).filter("y"::equals).isPresent(); }

    private static void requireKprobes() {
        Assumptions.assumeTrue(on("CONFIG_KPROBES") && on("CONFIG_KPROBE_EVENTS"), "the kernel's config has no kprobes");
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 system call names");
    }

    private static void workload() { for (int i = 0; i < N; i++) Native.getppid(); }

    private static void getpgidWorkload() {
        try {
            for (int i = 0; i < N; i++) { int r = (int) LIBC_GETPGID.invokeExact(0); assertTrue(r >= 0); }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Test
    void supportIsWhatTheKernelConfigSays() {
        assumeConfigKnown();
        boolean kprobes = on("CONFIG_KPROBES") && on("CONFIG_KPROBE_EVENTS");
        assertEquals(kprobes, AttachSupport.kprobes().supported(), AttachSupport.kprobes().toString());
        // kprobe_multi links are fprobe's (5.18)
        assertEquals(kprobes && on("CONFIG_FPROBE"), AttachSupport.kprobeMulti().supported(), AttachSupport.kprobeMulti().toString());
        if (!kprobes) assertEquals("kprobes", assertThrows(NotSupportedException.class,
                () -> KprobeMultiLink.attach(Counter.spec(ProgramType.KPROBE, b -> { }), java.util.Map.of(), "vfs_*", false)).feature());
    }

    @Test
    void fentrySupportIsWhatBpftoolFinds() {
        Bpftool.require();
        String probe = Bpftool.run("-j", "feature", "probe", "kernel");
        boolean bpftool = probe.contains("\"have_tracing_prog_type\":true");
        assertEquals(bpftool, AttachSupport.fentry().supported(), AttachSupport.fentry().toString());
    }

    @Test
    void kprobeAndKretprobeCountCalls() {
        requireKprobes();
        for (boolean ret : new boolean[] {false, true}) {
            try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()));
                 KprobeLink link = KprobeLink.attach(c.program, GETPPID, 0, ret)) {
                assertEquals((ret ? "kretprobe:" : "kprobe:") + GETPPID, link.describe());
                workload();
                assertEquals(N, c.get(), link.describe());
            }
        }
    }

    @Test
    void kprobeAtAnOffset() {
        requireKprobes();
        // past the function's first instructions: endbr64 (4 bytes, with IBT) and the 5-byte ftrace nop
        long ftrace = on("CONFIG_X86_KERNEL_IBT") ? 4 : 0, offset = ftrace + 5;
        Assumptions.assumeTrue(on("CONFIG_DYNAMIC_FTRACE") && KprobeMultiLink.matching(GETPGID).equals(List.of(GETPGID)),
                GETPGID + " does not start with ftrace's nop");
        try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()));
             KprobeLink link = KprobeLink.attach(c.program, GETPGID, offset, false)) {
            assertEquals("kprobe:" + GETPGID + "+" + offset, link.describe());
            getpgidWorkload();
            assertEquals(N, c.get());
        }
        try (Counter c = Counter.load(ProgramType.KPROBE, b -> { })) {
            long inside = ftrace + 2; // inside the nop
            var e = assertThrows(UserException.class, () -> KprobeLink.attach(c.program, GETPGID, inside, false).close());
            assertEquals("kprobe:" + GETPGID + "+" + inside + ": offset " + inside
                    + " is not at an instruction boundary of " + GETPGID, e.getMessage());
            var none = assertThrows(UserException.class, () -> KprobeLink.attach(c.program, "no_such_function_x", 0, false).close());
            assertEquals("kprobe:no_such_function_x: no kernel function no_such_function_x in /proc/kallsyms", none.getMessage());
        }
    }

    @Test
    void wildcardKprobesCountEveryMatch() {
        requireKprobes();
        List<String> matches = KprobeMultiLink.matching("__x64_sys_*etpgid");
        assertTrue(matches.containsAll(List.of(GETPGID, "__x64_sys_setpgid")), matches.toString());
        for (boolean ret : new boolean[] {false, true}) {
            try (Counter c = Counter.mapOnly();
                 KprobeMultiLink link = KprobeMultiLink.attach(Counter.spec(ProgramType.KPROBE, Counter.onlyThread(Native.gettid())),
                         c.maps(), "__x64_sys_*etpgid", ret)) {
                assertEquals(AttachSupport.kprobeMulti().supported(), link.isMulti(), AttachSupport.kprobeMulti().toString());
                assertEquals(matches.size(), link.functions());
                getpgidWorkload();
                assertEquals(N, c.get(), link.describe());
            }
        }
        var e = assertThrows(UserException.class, () -> KprobeMultiLink.attach(Counter.spec(ProgramType.KPROBE, b -> { }),
                java.util.Map.of(), "no_such_fn_*", false).close());
        assertEquals("kprobe:no_such_fn_*: no traceable kernel function matches no_such_fn_* (available_filter_functions)", e.getMessage());
    }

    @Test
    void fentryAndFexitCountCalls() {
        Assumptions.assumeTrue(AttachSupport.fentry().supported(), AttachSupport.fentry().toString());
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 system call names");
        for (TracingLink.Kind kind : TracingLink.Kind.values()) {
            try (Counter c = Counter.mapOnly();
                 TracingLink link = TracingLink.attach(Counter.spec(ProgramType.TRACING, Counter.onlyThread(Native.gettid())),
                         c.maps(), GETPGID, kind)) {
                getpgidWorkload();
                assertEquals(N, c.get(), link.describe());
            }
        }
    }

    @Test
    void withoutKprobesAttachIsRefusedNamingWhy() {
        AttachSupport.Support kprobes = AttachSupport.kprobes();
        Assumptions.assumeFalse(kprobes.supported(), "this kernel has kprobes (the tests above run them)");
        for (boolean ret : new boolean[] {false, true}) {
            try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()))) {
                NotSupportedException e = assertThrows(NotSupportedException.class, () -> KprobeLink.attach(c.program, GETPPID, 0, ret).close());
                assertEquals(kprobes.toString(), e.getMessage());
                assertEquals("kprobes", e.feature());
            }
        }
    }

    @Test
    void withoutFentryTheLoadIsRefusedNamingWhy() {
        AttachSupport.Support fentry = AttachSupport.fentry();
        Assumptions.assumeFalse(fentry.supported(), "this kernel loads fentry programs (the test above runs them)");
        try (Counter c = Counter.mapOnly()) {
            NotSupportedException e = assertThrows(NotSupportedException.class, () -> TracingLink.attach(
                    Counter.spec(ProgramType.TRACING, Counter.onlyThread(Native.gettid())), c.maps(), GETPGID, TracingLink.Kind.values()[0]).close());
            assertEquals(fentry.toString(), e.getMessage());
        }
    }

    private static void assumeConfigKnown() {
        Assumptions.assumeTrue(KernelConfig.get().known(), "the kernel's config is not readable (/proc/config.gz, /boot)");
    }
}
