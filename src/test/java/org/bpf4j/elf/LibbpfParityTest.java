package org.bpf4j.elf;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapInfo;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.sys.FdInfo;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * libbpf as the oracle: bpftool 7.1 ({@code prog loadall}, libbpf 1.1) and bpf4j load the same fixture side by
 * side; the programs must come out the same (type, name, tag, translated instructions with map ids replaced by
 * map names) and so must the maps they use (type, sizes, flags, frozen, initial global data). The tag is the
 * kernel's hash of the instructions as submitted, so equal tags mean the same linking and the same CO-RE decisions.
 */
@Tag("kernel")
class LibbpfParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"globals", "core", "maps", "execsnoop", "calls", "externs", "uprobe"})
    void loadsAsLibbpfLoads(String fixture) throws Exception {
        Kernel.require();
        Bpftool.require();
        Path obj = BpfObjects.object(fixture);
        Path pins = Path.of("/sys/fs/bpf/bpf4j_parity_" + fixture + "_" + ProcessHandle.current().pid());
        Bpftool.run("prog", "loadall", obj.toString(), pins.toString());
        try (Collection ours = Collection.load(ObjectFile.read(obj))) {
            Map<String, String> theirs = new TreeMap<>(), mine = new TreeMap<>();
            Map<String, String> theirMaps = new TreeMap<>(), myMaps = new TreeMap<>();
            try (Stream<Path> files = Files.list(pins)) {
                for (Path pin : files.sorted().toList()) {
                    try (KernelProgram p = KernelProgram.open(pin)) {
                        ProgramInfo info = p.info();
                        theirs.put(info.name(), describe(info, theirMaps));
                    }
                }
            }
            for (KernelProgram p : ours.programs().values()) {
                ProgramInfo info = p.info();
                mine.put(info.name(), describe(info, myMaps));
            }
            assertEquals(theirs.keySet(), mine.keySet(), "the same programs");
            for (String name : theirs.keySet()) assertEquals(theirs.get(name), mine.get(name), "program " + name);
            assertEquals(theirMaps, myMaps, "the maps the programs use");
        } finally {
            removePins(pins);
        }
    }

    /** A program as text: type, tag and xlated instructions with map ids replaced by names; its maps into {@code maps}. */
    private static String describe(ProgramInfo info, Map<String, String> maps) {
        Map<Integer, String> names = new TreeMap<>();
        for (int id : info.mapIds()) {
            try (KernelMap m = KernelMap.openById(id)) {
                MapInfo mi = m.info();
                names.put(id, mi.name());
                maps.put(mi.name(), describe(m, mi));
            }
        }
        byte[] x = info.xlated().clone();
        for (int slot = 0; slot + 1 < x.length / 8; slot++) {
            int at = slot * 8;
            if ((x[at] & 0xff) != 0x18) continue;
            int src = (x[at + 1] >>> 4) & 0xf;
            if (src == 1 || src == 2) {
                int id = (x[at + 4] & 0xff) | (x[at + 5] & 0xff) << 8 | (x[at + 6] & 0xff) << 16 | (x[at + 7] & 0xff) << 24;
                String name = names.get(id);
                assertNotNull(name, "map id " + id + " of an lddw is among the program's maps");
                int h = name.hashCode();
                x[at + 4] = (byte) h; x[at + 5] = (byte) (h >>> 8); x[at + 6] = (byte) (h >>> 16); x[at + 7] = (byte) (h >>> 24);
            }
            slot++;
        }
        return info.type() + " " + info.name() + " tag " + info.tag() + " gpl " + info.gplCompatible() + "\n"
                + HexFormat.of().formatHex(x).replaceAll("(.{16})", "$1\n");
    }

    private static String describe(KernelMap m, MapInfo mi) {
        String frozen = FdInfo.self(m.fd(), "frozen").orElse("?");
        String data = "";
        if (mi.type() == MapType.ARRAY && mi.maxEntries() == 1 && mi.name().contains("."))
            data = " data " + HexFormat.of().formatHex(m.lookup(new byte[4]).orElseThrow());
        return mi.type() + " key " + mi.keySize() + " value " + mi.valueSize() + " max " + mi.maxEntries()
                + " flags 0x" + Integer.toHexString(mi.flags()) + " extra " + mi.mapExtra() + " frozen " + frozen + data;
    }

    private static void removePins(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(all::add);
        }
        for (Path p : all) Files.deleteIfExists(p);
        Files.deleteIfExists(dir);
    }
}
