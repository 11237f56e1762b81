package org.bpf4j.cli.bpftool;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** {@code pinned PATH} selects an object pinned on bpffs; the pins are removed before the test ends. */
@Tag("kernel")
class PinnedSelectorTest {
    static final Path BPFFS = Path.of("/sys/fs/bpf");

    static void ensureBpffs() throws Exception {
        boolean mounted = Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(l -> l.split(" ").length > 2 && l.split(" ")[1].equals(BPFFS.toString()) && l.split(" ")[2].equals("bpf"));
        if (!mounted) Syscalls.mount("bpf", BPFFS.toString(), "bpf");
    }

    /** BPF_OBJ_PIN: pathname @0, bpf_fd @8. */
    static void pin(Fd fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(JAVA_LONG, 0, arena.allocateFrom(path.toString()).address());
            attr.set(JAVA_INT, 8, fd.value());
            Syscalls.bpf(BpfCmd.OBJ_PIN, attr);
        }
    }

    @Test
    void showsPinnedProgramsAndMaps() throws Exception {
        Kernel.require();
        Bpftool.require();
        ensureBpffs();
        Path progPin = BPFFS.resolve("bpf4j_test_prog_" + ProcessHandle.current().pid());
        Path mapPin = BPFFS.resolve("bpf4j_test_map_" + ProcessHandle.current().pid());
        try (KernelProgram p = KernelProgram.load("t_pinned", ProgramType.SOCKET_FILTER,
                HexFormat.of().parseHex("b700000000000000" + "9500000000000000"), "GPL", 0);
             KernelMap m = KernelMap.create(MapSpec.of("t_pinned_map", MapType.ARRAY, 4, 4, 1))) {
            pin(p.fd(), progPin);
            pin(m.fd(), mapPin);
            assertEquals(Bpftool.run("map", "show", "pinned", mapPin.toString()), Cli.ok("map", "show", "pinned", mapPin.toString()));
            assertEquals(Bpftool.run("prog", "dump", "xlated", "pinned", progPin.toString()), Cli.ok("prog", "dump", "xlated", "pinned", progPin.toString()));
            String shown = Cli.ok("prog", "show", "pinned", progPin.toString());
            assertTrue(shown.startsWith(p.info().id() + ": socket_filter  name t_pinned  tag "), shown);
            assertEquals("bpf4j: prog show: pinned " + mapPin + " is not a program\n", Cli.run("prog", "show", "pinned", mapPin.toString()).err());
        } finally {
            Files.deleteIfExists(progPin);
            Files.deleteIfExists(mapPin);
        }
    }
}
