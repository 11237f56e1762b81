package org.bpf4j.asm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helper (shared with the VM's tests): the bpf_conformance `.data` files in ../shared/conformance, split into their sections. */
public final class Conformance {
    private Conformance() {
    }

    /** The suite folder; fails (not skips) when the checkout lacks shared/ beside it. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).resolve("../shared/conformance/bpf_conformance").normalize();
        assertTrue(Files.isDirectory(dir), "conformance suite missing: " + dir);
        return dir;
    }

    /** The execution tests (top-level *.data). */
    public static List<Path> tests() {
        return list(root());
    }

    /** The negative tests (negative/*.data). */
    public static List<Path> negatives() {
        return list(root().resolve("negative"));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sections of a file by name ("asm", "raw", "mem", "result", ...), comment lines starting '#' kept in asm. */
    public static Map<String, String> sections(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = null;
        List<String> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("-- ")) {
                    if (name != null) {
                        out.put(name, String.join("\n", lines));
                    }
                    name = line.substring(3).trim();
                    lines.clear();
                } else if (name != null) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (name != null) {
            out.put(name, String.join("\n", lines));
        }
        return out;
    }

    /**
     * The bytes of a "-- raw" section: either spaced hex bytes ("07 00 01 00 ...") or one 64-bit slot value per
     * line ("0x5566778800000018", the slot read as a little-endian u64); '#' comments are ignored.
     */
    public static byte[] raw(String section) {
        return org.bpf4j.vm.ProgramFile.rawSection(section);
    }

}
