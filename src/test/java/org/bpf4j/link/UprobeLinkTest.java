package org.bpf4j.link;

import org.bpf4j.UserException;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Size;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/** Uprobes on the C library's getppid, which this JVM calls through FFM and a child Python process calls too. */
@Tag("kernel")
class UprobeLinkTest {
    /** struct pt_regs offset of rax (x86-64). */
    static final int PT_REGS_RAX = 80;

    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void entryProbeByLibraryNameAndSymbolCountsThisThreadsCalls() {
        int me = Native.getpid();
        try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()));
             UprobeLink link = UprobeLink.attach(c.program, "libc", "getppid", false, me)) {
            Path libc = ProcMaps.of(me).library("libc").orElseThrow();
            assertEquals("uprobe:" + libc + ":getppid", link.describe());
            for (int i = 0; i < 500; i++) Native.getppid();
            assertEquals(500, c.get());
        }
    }

    @Test
    void returnProbeSeesTheReturnValue() {
        int tid = Native.gettid();
        // slot 1 counts the calls that returned our parent's pid, slot 0 the others
        try (Counter c = Counter.load(ProgramType.KPROBE, b -> {
                Counter.onlyThread(tid).accept(b);
                b.ldx(Size.DW, R1, R6, PT_REGS_RAX).jmp(JmpOp.JNE, R1, (int) ProcessHandle.current().parent().orElseThrow().pid(), "other")
                        .mov64(R7, 1).label("other");
             });
             UprobeLink link = UprobeLink.attach(c.program, "libc", "getppid", true, -1)) {
            assertTrue(link.describe().startsWith("uretprobe:"), link.describe());
            for (int i = 0; i < 200; i++) Native.getppid();
            assertEquals(200, c.get(1));
            assertEquals(0, c.get(0));
        }
    }

    @Test
    void byFileOffsetIsTheSameProbe() {
        Path libc = ProcMaps.of(Native.getpid()).library("libc").orElseThrow();
        long offset = UprobeLink.offsetOf(libc, "getppid");
        try (Counter c = Counter.load(ProgramType.KPROBE, Counter.onlyThread(Native.gettid()));
             UprobeLink link = UprobeLink.attach(c.program, libc, offset, false, -1)) {
            assertEquals("uprobe:" + libc + ":0x" + Long.toHexString(offset), link.describe());
            for (int i = 0; i < 100; i++) Native.getppid();
            assertEquals(100, c.get());
        }
    }

    @Test
    void pidFilterKeepsOnlyThatProcess() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Kernel.unless(Files.isExecutable(python) ? null : "no /usr/bin/python3 to run a second process");
        Process child = new ProcessBuilder(python.toString(), "-c",
                "import os, sys\nsys.stdin.readline()\nfor _ in range(100): os.getppid()\nprint('done', flush=True)")
                .redirectErrorStream(true).start();
        try {
            int pid = (int) child.pid();
            // slot 0: calls from the child's process, slot 1: any other
            try (Counter c = Counter.load(ProgramType.KPROBE, b -> b
                    .call(org.bpf4j.asm.Helper.GET_CURRENT_PID_TGID).alu64(org.bpf4j.asm.AluOp.RSH, R0, 32)
                    .jmp(JmpOp.JEQ, R0, pid, "child").mov64(R7, 1).label("child"));
                 UprobeLink link = UprobeLink.attach(c.program, "libc", "getppid", false, pid)) {
                for (int i = 0; i < 200; i++) Native.getppid();
                try (OutputStream in = child.getOutputStream()) {
                    in.write('\n');
                }
                assertEquals("done", new String(child.getInputStream().readAllBytes()).trim());
                assertEquals(0, child.waitFor());
                assertEquals(100, c.get(0));
                assertEquals(0, c.get(1), "this JVM's calls are filtered out");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void unknownSymbolAndUnknownLibraryAreNamed() {
        try (Counter c = Counter.load(ProgramType.KPROBE, b -> {})) {
            Path libc = ProcMaps.of(Native.getpid()).library("libc").orElseThrow();
            UserException e = assertThrows(UserException.class,
                    () -> UprobeLink.attach(c.program, libc.toString(), "no_such_function_here", false, -1));
            assertEquals("uprobe: no symbol no_such_function_here in " + libc, e.getMessage());
            e = assertThrows(UserException.class, () -> UprobeLink.attach(c.program, "libnosuchlib", "f", false, -1));
            assertTrue(e.getMessage().startsWith("uprobe target libnosuchlib: not found"), e.getMessage());
        }
    }
}
