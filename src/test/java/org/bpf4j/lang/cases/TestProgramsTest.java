package org.bpf4j.lang.cases;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What bpftrace's cases do not check on our stand-in test programs, through {@code bpf4j trace}: a USDT argument
 * that names a global relative to %rip in a position-independent executable (bpftrace 0.17 reads garbage there),
 * and the guards on a uprobe at an offset into a function.
 */
@Tag("kernel")
class TestProgramsTest {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;
    private Path work;
    private String bpf4j;

    /** The working directory with the stand-ins built (the test needs {@code program}), and a bpf4j launcher. */
    private void setUp(String program) throws Exception {
        Kernel.require();
        work = CaseRunner.workdir(BpftraceCasesTest.SHARED.resolve("runtime"), tmp);
        Path prog = work.resolve("testprogs").resolve(program);
        Kernel.unless(Files.isExecutable(prog) ? null : "testprogs/" + program + " was not built (cc and sys/sdt.h)");
        bpf4j = Launcher.create(Files.createDirectories(tmp.resolve("launcher"))).toString();
    }

    @Test
    void usdtArgumentsOfEverySizeIncludingRipRelativeGlobals() throws Exception {
        setUp("usdt_sized_args");
        String notes = run(work, "readelf", "-n", "testprogs/usdt_sized_args");
        assertTrue(notes.contains("-8@s64(%rip)"), "the compiler placed s64 relative to %rip:\n" + notes);
        String out = run(work, bpf4j, "-e",
                "usdt:./testprogs/usdt_sized_args:test:probe1 { printf(\"%d %d %d %lld\\n\", arg0, arg1, arg2, arg3); exit(); }",
                "-c", "./testprogs/usdt_sized_args");
        assertTrue(out.contains("\n-16 -3600 -202182160 -579005069656919568\n"), out);
    }

    @Test
    void aUprobeInsideAFunctionNeedsUnsafeAndOneOutsideItIsRefused() throws Exception {
        setUp("uprobe_test");
        String zero = run(work, bpf4j, "-e", "uprobe:./testprogs/uprobe_test:_init { exit(); }");
        assertTrue(zero.startsWith("stdin:1:1: ERROR: Could not determine boundary for _init (symbol has size 0).\nUse --unsafe"), zero);
        String zeroUnsafe = run(work, bpf4j, "--unsafe", "-e", "uprobe:./testprogs/uprobe_test:_init { printf(\"init\\n\"); exit(); }",
                "-c", "./testprogs/uprobe_test");
        assertTrue(zeroUnsafe.contains("\ninit\n"), zeroUnsafe);
        String outside = run(work, bpf4j, "-e", "uprobe:./testprogs/uprobe_test:function1+4096 { exit(); }");
        assertTrue(outside.contains("ERROR: Offset outside the function bounds ('function1' size is "), outside);
        String inside = run(work, bpf4j, "-e", "uprobe:./testprogs/uprobe_test:function1+4 { exit(); }");
        assertTrue(inside.contains("ERROR: Can't check if uprobe is in proper place"), inside);
        String unsafe = run(work, bpf4j, "--unsafe", "-e", "uprobe:./testprogs/uprobe_test:function1+4 { printf(\"in\\n\"); exit(); }",
                "-c", "./testprogs/uprobe_test");
        assertTrue(unsafe.contains("\nin\n"), unsafe);
    }

    @Test
    void aUprobeReadsTheProcessThroughItsArgumentsAndTheKernelThroughKernelPointers() throws Exception {
        setUp("uprobe_test");
        String out = run(work, bpf4j, "--no-warnings", "-e",
                "struct Foo { int a; char b[10]; } uprobe:./testprogs/uprobe_test:function2 { $f = (struct Foo *)arg0;"
                        + " printf(\"%d %s %d %d\\n\", $f->a, $f->b, ((struct task_struct *)curtask)->tgid == pid, curtask->tgid == pid); exit(); }",
                "-c", "./testprogs/uprobe_test");
        assertTrue(out.contains("\n123 hello 1 1\n"), "the argument's struct is the process's memory; a cast of curtask stays"
                + " the kernel's:\n" + out);
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd));
        return out;
    }
}
