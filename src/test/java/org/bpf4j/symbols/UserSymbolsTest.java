package org.bpf4j.symbols;

import org.bpf4j.UserException;
import org.bpf4j.sys.Native;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class UserSymbolsTest {
    static final List<String> MAPS = List.of(
            "55d0c0a00000-55d0c0a02000 r--p 00000000 fe:01 1316 /usr/bin/python3.11",
            "7f1a2b000000-7f1a2b028000 r--p 00000000 fe:01 2345 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f1a2b028000-7f1a2b19d000 r-xp 00028000 fe:01 2345 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f1a2c000000-7f1a2c100000 r-xp 00000000 fe:01 999 /opt/app/libfoo-1.2.so (deleted)",
            "7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0                          [stack]");

    @Test
    void parsesMappingsAndFindsLibrariesByShortName() {
        var m = ProcMaps.parse(MAPS);
        assertEquals(5, m.size());
        assertEquals(new ProcMaps.Mapping(0x7f1a2b028000L, 0x7f1a2b19d000L, "r-xp", 0x28000, 2345,
                "/usr/lib/x86_64-linux-gnu/libc.so.6"), m.get(2));
        assertTrue(m.get(2).executable());
        assertFalse(m.get(4).isFile());
    }

    @Test
    void findsTheLibraryAndTheFunctionOfAnAddressInThisProcess() {
        long getppid = Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow().address();
        try (UserSymbols s = UserSymbols.of(Native.getpid())) {
            UserSymbols.Resolved r = s.resolve(getppid).orElseThrow();
            assertEquals(new UserSymbols.Resolved("getppid", 0, r.file()), r);
            assertEquals("getppid+2", new UserSymbols.Resolved("getppid", 2, r.file()).toString());
            assertEquals("getppid+0", r.toString(), "bpftrace writes +0 at a function's start");
            assertTrue(s.resolve(getppid + 1).orElseThrow().toString().equals("getppid+1"));
            assertTrue(s.resolve(8).isEmpty(), "nothing is mapped at 8");
        }
        Path libc = ProcMaps.of(Native.getpid()).library("libc").orElseThrow();
        assertTrue(libc.getFileName().toString().startsWith("libc.so"), libc.toString());
        assertEquals(libc, ProcMaps.of(Native.getpid()).library("c").orElseThrow(), "lib + c");
        assertTrue(ProcMaps.of(Native.getpid()).library("libnosuch").isEmpty());
    }

    @Test
    void aFileStrippedToDynsymTakesItsSymbolsFromTheDebugFileOfItsBuildId() {
        Path libc = ProcMaps.of(Native.getpid()).library("libc").orElseThrow();
        try (org.bpf4j.elf.ElfFile elf = org.bpf4j.elf.ElfFile.open(libc)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(elf.section(".symtab").isEmpty(), "this libc has its own .symtab");
            var debug = UserSymbols.debugFile(elf);
            // Debian's libc6-dbg (on this machine kind) installs /usr/lib/debug/.build-id/xx/yyyy.debug
            org.junit.jupiter.api.Assumptions.assumeTrue(debug.isPresent(), "no debug file for " + libc);
            try (var d = debug.get()) {
                var local = d.symbol("__libc_start_call_main").orElseThrow(); // a local function: not in .dynsym
                assertTrue(elf.symbol("__libc_start_call_main").isEmpty());
                assertEquals("__libc_start_call_main", d.functionContaining(local.value() + 1).orElseThrow().name());
            }
        }
    }

    @Test
    void aMissingProcessIsNamed() {
        UserException e = assertThrows(UserException.class, () -> ProcMaps.of(Integer.MAX_VALUE));
        assertEquals("no process " + Integer.MAX_VALUE + " (no /proc/" + Integer.MAX_VALUE + "/maps)", e.getMessage());
    }
}
