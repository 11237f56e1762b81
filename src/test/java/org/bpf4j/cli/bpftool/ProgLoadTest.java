package org.bpf4j.cli.bpftool;

import org.bpf4j.elf.BpfObjects;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bpf4j prog load} and {@code prog loadall} on the C fixtures, checked with bpftool on the pins. */
@Tag("kernel")
class ProgLoadTest {
    private final Path base = Path.of("/sys/fs/bpf/bpf4j_progload_" + ProcessHandle.current().pid());

    @BeforeEach
    void kernel() { Kernel.require(); }

    @AfterEach
    void cleanUp() throws IOException {
        if (!Files.exists(base)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) Files.deleteIfExists(p);
    }

    @Test
    void loadallPinsEveryProgramByNameAndMapsWithPinmaps() throws Exception {
        Bpftool.require();
        Files.createDirectory(base);
        Path progs = base.resolve("progs"), maps = base.resolve("maps");
        Cli r = Cli.run("prog", "loadall", BpfObjects.object("globals").toString(), progs.toString(), "pinmaps", maps.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("on_getppid", "on_raw"), names(progs));
        assertEquals(List.of("counts", "events", "globals_bss", "globals_data", "globals_rodata"), names(maps));
        String shown = Bpftool.run("prog", "show", "pinned", progs.resolve("on_getppid").toString());
        assertTrue(shown.contains("tracepoint  name on_getppid  tag "), shown);
        assertTrue(Bpftool.run("map", "show", "pinned", maps.resolve("globals_rodata").toString()).contains("frozen"));
    }

    @Test
    void loadPinsTheFirstProgram() throws Exception {
        Files.createDirectory(base);
        Path p = base.resolve("first");
        Cli r = Cli.run("prog", "load", BpfObjects.object("execsnoop").toString(), p.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Cli.ok("prog", "show", "pinned", p.toString()).contains("name handle_execve"));
    }

    @Test
    void userErrorsAreOneLineAndLeaveNothingBehind() throws Exception {
        Files.createDirectory(base);
        Cli missing = Cli.run("prog", "loadall", "/no/such.bpf.o", base.resolve("x").toString());
        assertNotEquals(0, missing.status());
        assertEquals("/no/such.bpf.o: no such file", missing.err().strip().replaceFirst("^bpf4j: ", "").replaceFirst("^Error: ", ""));

        Cli bad = Cli.run("prog", "loadall", BpfObjects.object("badsection").toString(), base.resolve("x").toString());
        assertNotEquals(0, bad.status());
        assertTrue(bad.err().contains("section 'bogus/thing'"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());

        // the verifier refuses the program: its message, and no pin or directory is left
        Cli refused = Cli.run("prog", "loadall", BpfObjects.object("verifier").toString(), base.resolve("v").toString());
        assertNotEquals(0, refused.status());
        assertTrue(refused.err().contains("missing_null_check"), refused.err());
        assertEquals(List.of(), names(base));

        // the target exists: the first program is not pinned over it, and the map pins made are removed
        Files.createDirectory(base.resolve("taken"));
        Cli taken = Cli.run("prog", "load", BpfObjects.object("globals").toString(), base.resolve("taken").toString(),
                "pinmaps", base.resolve("m").toString());
        assertNotEquals(0, taken.status());
        assertEquals(List.of("taken"), names(base));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
