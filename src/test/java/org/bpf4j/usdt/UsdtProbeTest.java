package org.bpf4j.usdt;

import org.bpf4j.UserException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** USDT notes of the JDK's libjvm.so (hundreds of hotspot probes) and Python's, against readelf -n. */
class UsdtProbeTest {
    static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");

    record Expected(String provider, String name, long location, long semaphore, String args) {}

    static List<Expected> readelf(Path file) throws Exception {
        org.bpf4j.testing.Kernel.unless(Files.isExecutable(Path.of("/usr/bin/readelf")) ? null : "readelf (binutils) is not installed: it is the oracle of this test");
        Process p = new ProcessBuilder("/usr/bin/readelf", "-n", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        Pattern note = Pattern.compile("Provider: (\\S+)\\s+Name: (\\S+)\\s+Location: 0x([0-9a-f]+), Base: 0x[0-9a-f]+, "
                + "Semaphore: 0x([0-9a-f]+)\\s+Arguments: ?([^\\n]*)");
        Matcher m = note.matcher(out);
        List<Expected> list = new ArrayList<>();
        while (m.find())
            list.add(new Expected(m.group(1), m.group(2), Long.parseUnsignedLong(m.group(3), 16),
                    Long.parseUnsignedLong(m.group(4), 16), m.group(5).trim()));
        return list;
    }

    @Test
    void everyHotspotProbeMatchesReadelfAndItsArgumentsParse() throws Exception {
        List<Expected> expected = readelf(LIBJVM);
        List<UsdtProbe> probes = UsdtProbe.read(LIBJVM);
        assertTrue(probes.size() > 300, "libjvm.so has hundreds of probes: " + probes.size());
        assertEquals(expected.size(), probes.size());
        for (int i = 0; i < probes.size(); i++) {
            UsdtProbe p = probes.get(i);
            Expected e = expected.get(i);
            assertEquals(e, new Expected(p.provider(), p.name(), p.address(), p.semaphore(), p.argumentText()));
            assertEquals(p.argumentText().isEmpty() ? 0 : p.argumentText().split(" ").length, p.arguments().size());
        }
        UsdtProbe start = UsdtProbe.find(LIBJVM, "hotspot", "thread__start").getFirst();
        assertEquals(5, start.arguments().size());
        assertTrue(start.fileOffset() > 0);
    }

    @Test
    void semaphoresHaveFileOffsets() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.bpf4j.testing.Kernel.unless(Files.isRegularFile(python) ? null : "no Debian python3 (" + python + ") to trace");
        List<UsdtProbe> probes = UsdtProbe.read(python.toRealPath());
        assertEquals(readelf(python.toRealPath()).size(), probes.size());
        UsdtProbe entry = UsdtProbe.find(python.toRealPath(), "python", "function__entry").getFirst();
        assertNotEquals(0, entry.semaphore());
        assertNotEquals(0, entry.semaphoreOffset());
        assertNotEquals(entry.semaphore(), entry.semaphoreOffset(), "a data address is not its file offset in a PIE");
    }

    @Test
    void missingProbeIsNamed() {
        UserException e = assertThrows(UserException.class, () -> UsdtProbe.find(LIBJVM, "hotspot", "no__such__probe"));
        assertEquals("usdt: no probe hotspot:no__such__probe in " + LIBJVM, e.getMessage());
    }
}
