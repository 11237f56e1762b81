package org.bpf4j.tracefs;

import org.bpf4j.UserException;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TracefsTest {
    static final String KILL_FORMAT = """
            name: sys_enter_kill
            ID: 251
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:pid_t pid;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:int sig;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:char comm[16];\toffset:32;\tsize:16;\tsigned:0;
            \tfield:__data_loc char[] filename;\toffset:48;\tsize:4;\tsigned:0;
            \tfield:const char * name;\toffset:56;\tsize:8;\tsigned:0;

            print fmt: "pid: 0x%08lx", ((unsigned long)(REC->pid))
            """;

    @Test
    void parsesFieldsArraysDataLocAndPointers() {
        EventFormat f = EventFormat.parse("syscalls", "sys_enter_kill", KILL_FORMAT);
        assertEquals(251, f.id());
        assertEquals(new EventFormat.Field("pid_t", "pid", 16, 8, false, 0, false), f.field("pid").orElseThrow());
        assertEquals(new EventFormat.Field("char[16]", "comm", 32, 16, false, 16, false), f.field("comm").orElseThrow());
        assertEquals(new EventFormat.Field("char[]", "filename", 48, 4, false, 0, true), f.field("filename").orElseThrow());
        assertEquals(new EventFormat.Field("const char *", "name", 56, 8, false, 0, false), f.field("name").orElseThrow());
        assertEquals(6, f.ownFields().size());
        assertTrue(f.field("common_pid").orElseThrow().signed());
    }

    @Test
    @Tag("kernel")
    void readsTheRunningKernelsKillTracepoints() {
        Kernel.require();
        EventFormat enter = Tracefs.get().format("syscalls", "sys_enter_kill");
        assertEquals(16, enter.field("pid").orElseThrow().offset());
        assertEquals(24, enter.field("sig").orElseThrow().offset());
        EventFormat exit = Tracefs.get().format("syscalls", "sys_exit_kill");
        assertEquals(new EventFormat.Field("long", "ret", 16, 8, true, 0, false), exit.field("ret").orElseThrow());
        assertNotEquals(enter.id(), exit.id());
        assertTrue(Tracefs.get().tracepoints().contains("syscalls:sys_enter_kill"));
    }

    /** The tracepoints listed are the kernel's available_events: not ftrace's own events (ftrace:function...), which cannot be attached. */
    @Test
    @Tag("kernel")
    void tracepointsAreTheAvailableEvents() throws Exception {
        Kernel.require();
        java.nio.file.Path avail = Tracefs.get().root().resolve("available_events");
        java.util.List<String> expected = java.nio.file.Files.readAllLines(avail).stream().filter(l -> !l.isBlank()).sorted().toList();
        assertEquals(expected, Tracefs.get().tracepoints());
        assertFalse(Tracefs.get().tracepoints().contains("ftrace:function"));
    }

    @Test
    @Tag("kernel")
    void unknownTracepointIsOneLineNamingIt() {
        Kernel.require();
        UserException e = assertThrows(UserException.class, () -> Tracefs.get().format("syscalls", "sys_enter_kil"));
        assertTrue(e.getMessage().startsWith("tracepoint syscalls:sys_enter_kil not found"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
