package org.bpf4j.elf;

import org.bpf4j.UserException;
import org.bpf4j.symbols.ProcMaps;
import org.bpf4j.sys.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The ELF reader against binutils' readelf (an oracle when installed) on the machine's own libraries. */
class ElfFileTest {
    static Path libc() {
        return ProcMaps.of(Native.getpid()).library("libc").orElseThrow();
    }

    static String readelf(String... args) throws Exception {
        org.bpf4j.testing.Kernel.unless(Files.isExecutable(Path.of("/usr/bin/readelf")) ? null : "readelf (binutils) is not installed: it is the oracle of this test");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/readelf"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void dynamicSymbolsOfLibcMatchReadelf() throws Exception {
        Path libc = libc();
        String out = readelf("-W", "--dyn-syms", libc.toString());
        // "  1130: 00000000000e3a40    10 FUNC    GLOBAL DEFAULT   16 getppid@@GLIBC_2.2.5"
        Pattern row = Pattern.compile("^\\s*\\d+: ([0-9a-f]+)\\s+(\\d+) (\\w+)\\s+\\w+\\s+\\w+\\s+(\\d+) (\\S+)$", Pattern.MULTILINE);
        Matcher m = row.matcher(out);
        int checked = 0;
        try (ElfFile elf = ElfFile.open(libc)) {
            assertEquals(ElfFile.ET_DYN, elf.type());
            assertEquals(62, elf.machine());
            while (m.find()) {
                String name = m.group(5).replaceAll("@.*", "");
                if (!m.group(3).equals("FUNC") || !List.of("getppid", "malloc", "free", "write", "getpid").contains(name)) continue;
                ElfFile.Symbol s = elf.symbol(name).orElseThrow(() -> new AssertionError("no " + name));
                assertEquals(Long.parseLong(m.group(1), 16), s.value(), name);
                assertEquals(Long.parseLong(m.group(2)), s.size(), name);
                assertTrue(s.isFunction() && s.dynamic(), name);
                checked++;
            }
        }
        assertTrue(checked >= 5, "readelf listed the functions: " + checked);
    }

    @Test
    void sectionsAndSegmentsMatchReadelfAndOffsetsFollowTheSegments() throws Exception {
        Path jvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
        String out = readelf("-W", "-S", jvm.toString());
        Pattern row = Pattern.compile("^\\s*\\[\\s*(\\d+)\\] (\\S+)\\s+\\S+\\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)", Pattern.MULTILINE);
        Matcher m = row.matcher(out);
        try (ElfFile elf = ElfFile.open(jvm)) {
            int n = 0;
            while (m.find()) {
                ElfFile.Section s = elf.sections().get(Integer.parseInt(m.group(1)));
                assertEquals(m.group(2), s.name());
                assertEquals(Long.parseLong(m.group(3), 16), s.addr(), s.name());
                assertEquals(Long.parseLong(m.group(4), 16), s.offset(), s.name());
                assertEquals(Long.parseLong(m.group(5), 16), s.size(), s.name());
                n++;
            }
            assertEquals(elf.sections().size() - 1, n, "every section but the null one");
            ElfFile.Section text = elf.section(".text").orElseThrow();
            assertEquals(text.offset() + 16, elf.fileOffset(text.addr() + 16));
            ElfFile.Section data = elf.section(".data").orElseThrow();
            assertEquals(data.offset() + 8, elf.fileOffset(data.addr() + 8));
        }
    }

    @Test
    void symtabOnlySymbolsOfLibjvmMatchReadelf() throws Exception {
        Path jvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
        String name = "_ZN10SerialHeap7collectEN7GCCause5CauseE";
        Matcher m = Pattern.compile("^\\s*\\d+: ([0-9a-f]+)\\s+(\\d+) FUNC\\s+LOCAL\\s+\\w+\\s+\\d+ " + name + "$", Pattern.MULTILINE)
                .matcher(readelf("-W", "-s", jvm.toString()));
        assertTrue(m.find(), "readelf lists " + name);
        try (ElfFile elf = ElfFile.open(jvm)) {
            ElfFile.Symbol s = elf.symbol(name).orElseThrow();
            assertFalse(s.dynamic(), "only .symtab has it");
            assertEquals(0, s.binding(), "STB_LOCAL");
            assertEquals(Long.parseLong(m.group(1), 16), s.value());
            assertEquals(Long.parseLong(m.group(2)), s.size());
        }
    }

    @Test
    void functionContainingAnAddressInsideIt() {
        try (ElfFile elf = ElfFile.open(libc())) {
            ElfFile.Symbol s = elf.symbol("malloc").orElseThrow();
            assertEquals("malloc", elf.functionContaining(s.value() + s.size() / 2).orElseThrow().name(), "the global alias without underscores");
            assertTrue(elf.functionContaining(0).isEmpty());
        }
    }

    @Test
    void notAnElfFileIsNamed(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("text"), "#!/bin/sh\necho hello, this is long enough to have a header of sixty-four bytes\n");
        UserException e = assertThrows(UserException.class, () -> ElfFile.open(f));
        assertEquals(f + ": not an ELF file", e.getMessage());
        UserException missing = assertThrows(UserException.class, () -> ElfFile.open(dir.resolve("none")));
        assertEquals(dir.resolve("none") + ": no such file", missing.getMessage());
    }

    /** Issue 15's fuzzing find: a section whose offset is past the end of the file (an internal error before). */
    @Test
    void aSectionPastTheEndIsNamed(@TempDir Path dir) throws IOException {
        byte[] b = Files.readAllBytes(Path.of("/bin/true"));
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3a)), shnum = Short.toUnsignedInt(buf.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3e));
        buf.putLong((int) (shoff + (long) shstrndx * shentsize + 0x18), b.length + 0x100000L); // the names' sh_offset
        Path f = Files.write(dir.resolve("bad"), b);
        UserException e = assertThrows(UserException.class, () -> {
            try (ElfFile elf = ElfFile.open(f)) {
                elf.symbols();
            }
        });
        assertTrue(e.getMessage().startsWith(f + ": section #" + shstrndx + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("past the end of the file (" + b.length + " bytes)"), e.getMessage());
        // and the huge sizes that overflowed the bounds check
        buf.putLong((int) (shoff + (long) shstrndx * shentsize + 0x18), 16).putLong((int) (shoff + (long) shstrndx * shentsize + 0x20), Long.MAX_VALUE);
        Path g = Files.write(dir.resolve("huge"), b);
        assertThrows(UserException.class, () -> ElfFile.open(g).close());
    }
}
