package org.bpf4j.cli.bpftool;

import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Syscalls;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** {@code link show|list} on a raw tracepoint link this test makes, compared with bpftool. */
@Tag("kernel")
class LinkVerbsTest {
    /** BPF_RAW_TRACEPOINT_OPEN: name @0, prog_fd @8; the result is a BPF link. */
    static Fd rawTracepoint(KernelProgram p, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(JAVA_LONG, 0, arena.allocateFrom(name).address());
            attr.set(JAVA_INT, 8, p.fd().value());
            return new Fd(Syscalls.bpf(BpfCmd.RAW_TRACEPOINT_OPEN, attr));
        }
    }

    @Test
    void rawTracepointLinkAsBpftoolShowsIt() {
        Kernel.require();
        Bpftool.require();
        byte[] ret0 = HexFormat.of().parseHex("b700000000000000" + "9500000000000000");
        try (KernelProgram p = KernelProgram.load("t_rawtp", ProgramType.RAW_TRACEPOINT, ret0, "GPL", 0);
             Fd link = rawTracepoint(p, "sys_enter")) {
            String json = Cli.ok("link", "list", "-j");
            Matcher m = Pattern.compile("\\{\"id\":(\\d+),\"type\":\"raw_tracepoint\",\"prog_id\":" + p.info().id() + ",\"tp_name\":\"sys_enter\"}").matcher(json);
            assertTrue(m.find(), json);
            String id = m.group(1);
            assertEquals(Bpftool.run("link", "show", "id", id), Cli.ok("link", "show", "id", id));
            assertEquals(Bpftool.run("-j", "link", "show", "id", id), Cli.ok("link", "show", "id", id, "-j"));
            assertEquals(Bpftool.run("-p", "link", "show", "id", id), Cli.ok("link", "-p", "show", "id", id));
            assertTrue(Cli.ok("link", "list").contains(Bpftool.run("link", "show", "id", id)));
        }
        assertEquals("bpf4j: link id 999999: no such link\n", Cli.run("link", "show", "id", "999999").err());
    }
}
