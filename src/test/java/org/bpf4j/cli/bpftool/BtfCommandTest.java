package org.bpf4j.cli.bpftool;

import org.bpf4j.btf.BtfBuilder;
import org.bpf4j.btf.BtfLoader;
import org.bpf4j.btf.Kind;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Fd;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code btf dump} through the command line, on a BTF file and a kernel BTF object, against bpftool. */
class BtfCommandTest {
    static byte[] sample() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.type("int", Kind.INT, 0, false, 4, (1 << 24) | 32);
        int ptr = b.type("", Kind.PTR, 0, false, 3);
        b.type("node", Kind.STRUCT, 3, true, 16, b.str("next"), ptr, 0, b.str("v"), i32, 64, b.str("bits"), i32, (4 << 24) | 96);
        int proto = b.type("", Kind.FUNC_PROTO, 1, false, i32, b.str("n"), ptr);
        b.type("walk", Kind.FUNC, 1, false, proto);
        b.type("node_t", Kind.TYPEDEF, 0, false, 3);
        return b.build();
    }

    @Test
    void fileDumpsMatchBpftool(@TempDir Path dir) throws Exception {
        Bpftool.require();
        Path file = dir.resolve("sample.btf");
        Files.write(file, sample());
        assertEquals(Bpftool.run("btf", "dump", "file", file.toString()), Cli.ok("btf", "dump", "file", file.toString()));
        assertEquals(Bpftool.run("btf", "dump", "file", file.toString(), "format", "raw"), Cli.ok("btf", "dump", "file", file.toString(), "format", "raw"));
        assertEquals(Bpftool.run("btf", "dump", "file", file.toString(), "format", "c"), Cli.ok("btf", "dump", "file", file.toString(), "format", "c"));
    }

    @Test
    @Tag("kernel")
    void kernelObjectByIdMatchesBpftool() {
        Kernel.require();
        Bpftool.require();
        try (Fd btf = BtfLoader.load(sample());
             KernelMap m = KernelMap.create(MapSpec.of("t_btf_id", MapType.ARRAY, 4, 4, 1), btf, 1, 1);
             KernelMap m2 = KernelMap.create(MapSpec.of("t_btf_id2", MapType.HASH, 4, 4, 1), btf, 1, 1)) {
            String id = Integer.toString(m.info().btfId());
            assertEquals(Bpftool.run("btf", "show", "id", id), Cli.ok("btf", "show", "id", id));
            assertEquals(Bpftool.run("-j", "btf", "show", "id", id), Cli.ok("btf", "show", "id", id, "-j"));
            assertEquals(Bpftool.run("-p", "btf", "show", "id", id), Cli.ok("btf", "-p", "show", "id", id));
            assertTrue(Cli.ok("btf", "show", "id", id).contains("map_ids " + m2.id() + "," + m.id()), "newest first, as bpftool");
            String vmlinux = Bpftool.run("btf", "show", "id", "1");
            assertTrue(Cli.ok("btf", "list").startsWith(vmlinux), vmlinux);
            assertEquals(Bpftool.run("btf", "dump", "id", id), Cli.ok("btf", "dump", "id", id));
            assertEquals(Bpftool.run("btf", "dump", "id", id, "format", "c"), Cli.ok("btf", "dump", "id", id, "format", "c"));
        }
    }

    @Test
    void userErrors(@TempDir Path dir) throws Exception {
        assertEquals("bpf4j: btf dump: /nonexistent.btf: no such file\n", Cli.run("btf", "dump", "file", "/nonexistent.btf").err());
        Path junk = dir.resolve("junk.btf");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25});
        assertEquals("bpf4j: " + junk + ": bad magic 0x0201, expected 0xeb9f\n", Cli.run("btf", "dump", "file", junk.toString()).err());
        assertEquals("bpf4j: btf dump: unknown format 'json' (expected raw or c)\n", Cli.run("btf", "dump", "file", junk.toString(), "format", "json").err());
    }
}
