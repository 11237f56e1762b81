package org.bpf4j.link;

import org.bpf4j.UserException;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Size;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

@Tag("kernel")
class RawTracepointLinkTest {
    static final int NR_GETPPID = 110;

    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void sysEnterSeesEachGetppidOfThisThreadWhileAttached() {
        int tid = Native.gettid();
        // ctx is struct bpf_raw_tracepoint_args: for sys_enter, args[0] = struct pt_regs *, args[1] = syscall number
        try (Counter c = Counter.load(ProgramType.RAW_TRACEPOINT, b -> {
            b.ldx(Size.DW, R1, R6, 8).jmp(JmpOp.JNE, R1, NR_GETPPID, "out");
            Counter.onlyThread(tid).accept(b);
        })) {
            try (RawTracepointLink link = RawTracepointLink.attach(c.program, "raw_syscalls:sys_enter")) {
                assertEquals("rawtracepoint:sys_enter", link.describe());
                for (int i = 0; i < 1000; i++) Native.getppid();
                assertEquals(1000, c.get());
            }
            for (int i = 0; i < 100; i++) Native.getppid();
            assertEquals(1000, c.get(), "a closed link must not run the program");
        }
    }

    @Test
    void unknownTracepointIsNamed() {
        try (Counter c = Counter.load(ProgramType.RAW_TRACEPOINT, b -> {})) {
            UserException e = assertThrows(UserException.class, () -> RawTracepointLink.attach(c.program, "no_such_tracepoint"));
            assertEquals("raw tracepoint no_such_tracepoint not found", e.getMessage());
        }
    }

    @Test
    void wrongProgramTypeIsACallerError() {
        try (Counter c = Counter.load(ProgramType.TRACEPOINT, b -> {})) {
            assertThrows(IllegalArgumentException.class, () -> RawTracepointLink.attach(c.program, "sys_enter"));
        }
    }
}
