package org.bpf4j.lang.runtime;

import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.stap.StapParser;
import org.bpf4j.sys.KernelConfig;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.bpf4j.tracefs.Tracefs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * bpftrace's kprobe, kretprobe and wildcard kprobe scripts, kfunc/kretfunc with {@code args} typed from BTF,
 * {@code -l 'kprobe:*'} and SystemTap's
 * {@code kernel.function("F")} on real kprobes, each counting a known workload from this thread (n calls give n
 * events), where the kernel's config has kprobes: on the kernel matrix's guests (scripts/kernel-matrix.sh).
 */
@Tag("kernel")
class KernelProbesTest {
    private static final int N = 50;
    private static final MethodHandle GETPGID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getpgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    @BeforeEach
    void kernel() {
        Kernel.require();
        KernelConfig c = KernelConfig.get();
        Assumptions.assumeTrue(c.value("CONFIG_KPROBES").equals(Optional.of("y")), "the kernel's config has no kprobes");
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 system call names");
    }

    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private static int kill(int pid, int sig) {
        try {
            return (int) KILL.invokeExact(pid, sig);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void getppids() { for (int i = 0; i < N; i++) Native.getppid(); }

    /** getpgid(pid of this JVM): looks the process up by pid (find_task_by_vpid), unlike getpgid(0). */
    private static void getpgids() {
        try {
            for (int i = 0; i < N; i++) { int r = (int) GETPGID.invokeExact(Native.getpid()); assertTrue(r >= 0); }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static String run(CompiledScript script, Runnable workload) {
        return run(script, workload, null);
    }

    /** Runs {@code script} around {@code workload}; events are read until the output ends with {@code last} (or 10 s). */
    private static String run(CompiledScript script, Runnable workload, String last) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Output out = new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true);
        try (Session s = Session.load(script, out, new Session.Options(0, false))) {
            s.start(() -> { });
            workload.run();
            long deadline = System.nanoTime() + 10_000_000_000L;
            s.run(() -> last == null || System.nanoTime() > deadline || bytes.toString(StandardCharsets.UTF_8).endsWith(last));
            s.finish();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void kprobeAndKretprobeScriptsCountCalls() {
        int tid = Native.gettid();
        String out = SessionTest.run("kprobe:__x64_sys_getppid /tid == " + tid + "/ { @entries = count(); }\n"
                + "kretprobe:__x64_sys_getppid /tid == " + tid + "/ { @returns = count(); }", false, KernelProbesTest::getppids, o -> true).out();
        assertTrue(out.contains("@entries: " + N + "\n") && out.contains("@returns: " + N + "\n"), out);
    }

    @Test
    void wildcardKprobeIsOneProbePerMatchingFunction() {
        int tid = Native.gettid();
        String out = SessionTest.run("kprobe:__x64_sys_*etpgid /tid == " + tid + "/ { @[probe] = count(); }",
                false, KernelProbesTest::getpgids, o -> true).out();
        assertTrue(out.contains("@[kprobe:__x64_sys_getpgid]: " + N + "\n"), out);
        assertFalse(out.contains("setpgid"), out);
    }

    @Test
    void kfuncArgsAreTypedFromBtf() {
        Assumptions.assumeTrue(org.bpf4j.link.AttachSupport.fentry().supported(), org.bpf4j.link.AttachSupport.fentry().toString());
        int tid = Native.gettid();
        // __x64_sys_getpgid(const struct pt_regs *regs): the system call's first argument is regs->di
        String out = SessionTest.run("kfunc:__x64_sys_getpgid /tid == " + tid + "/ { @calls = count(); @pid = args->regs->di; }\n"
                + "kretfunc:__x64_sys_getpgid /tid == " + tid + "/ { @returns = count(); }", false, KernelProbesTest::getpgids, o -> true).out();
        assertTrue(out.contains("@calls: " + N + "\n") && out.contains("@returns: " + N + "\n")
                && out.contains("@pid: " + Native.getpid() + "\n"), out);
    }

    @Test
    void listingKprobesIsAvailableFilterFunctions() throws IOException {
        TreeSet<String> expected = new TreeSet<>();
        for (String l : Files.readAllLines(Tracefs.get().root().resolve("available_filter_functions"))) {
            String name = l.split(" ")[0];
            if (name.startsWith("__x64_sys_getp")) expected.add("kprobe:" + name);
        }
        assertFalse(expected.isEmpty());
        List<String> listed = new ArrayList<>();
        ProbeList.list("kprobe:__x64_sys_getp*", false, ProbeCatalog.system(), listed::add);
        assertEquals(List.copyOf(expected), listed);
    }

    @Test
    void stapKernelFunctionIsARealKprobe() {
        int tid = Native.gettid();
        var script = StapParser.parse(new Source("stdin", """
                global calls, returns
                probe kernel.function("find_task_by_vpid") { if (tid() == %d) calls++ }
                probe kernel.function("find_task_by_vpid").return { if (tid() == %d) returns++ }
                probe end { printf("%%d %%d\\n", calls, returns) }
                """.formatted(tid, tid)), StapKernel.SYSTEM);
        var analysis = Checker.check(script, new Params(List.of()), ProbeCatalog.system(), new Checker.Options(false));
        assertEquals(List.of("kprobe:find_task_by_vpid", "kretprobe:find_task_by_vpid"), analysis.units().stream()
                .map(u -> u.point().text()).filter(t -> t.contains("find_task")).toList());
        String out = run(Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, org.bpf4j.sys.Cpus.possibleCount())),
                KernelProbesTest::getpgids);
        assertEquals(N + " " + N + "\n", out);
    }

    /**
     * Issue 15: SystemTap's {@code kernel.function("sys_kill")} is a kprobe on the syscall wrapper, {@code $pid} and
     * {@code $sig} read from the caller's registers with their declared types (a negative pid prints signed), and
     * {@code .return} a kretprobe whose {@code $return} is the call's result.
     */
    @Test
    void stapSysKillIsAKprobeWithTheSyscallsArguments() {
        int tid = Native.gettid(), pid = Native.getpid();
        var script = StapParser.parse(new Source("stdin", """
                probe kernel.function("sys_kill") { if (tid() == %d) printf("%%d %%d\\n", $pid, $sig) }
                probe kernel.function("sys_kill").return { if (tid() == %d) printf("ret %%d\\n", $return) }
                """.formatted(tid, tid)), StapKernel.SYSTEM);
        var analysis = Checker.check(script, new Params(List.of()), ProbeCatalog.system(), new Checker.Options(false));
        assertEquals(List.of("kprobe:__x64_sys_kill", "kretprobe:__x64_sys_kill"), analysis.units().stream().map(u -> u.point().text()).toList());
        String out = run(Compiler.compile(analysis, new Compiler.Options(System.nanoTime(), 0, org.bpf4j.sys.Cpus.possibleCount())), () -> {
            for (int i = 0; i < N; i++) assertEquals(0, kill(pid, 0));
            assertEquals(-1, kill(-23705, 0), "no process group 23705");
        }, "ret -3\n");
        String expected = (pid + " 0\nret 0\n").repeat(N) + "-23705 0\nret -3\n";
        assertEquals(expected, out);
    }
}
