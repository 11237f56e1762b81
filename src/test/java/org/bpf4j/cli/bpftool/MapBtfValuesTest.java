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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** Maps created with BTF: {@code map dump} and {@code map lookup} print typed values, as bpftool does. */
@Tag("kernel")
class MapBtfValuesTest {
    @Test
    void typedValuesAsBpftoolPrintsThem() {
        Kernel.require();
        Bpftool.require();
        BtfBuilder b = new BtfBuilder();
        int i32 = b.type("int", Kind.INT, 0, false, 4, (1 << 24) | 32);                 // 1
        int u32 = b.type("unsigned int", Kind.INT, 0, false, 4, 32);                    // 2
        int chr = b.type("char", Kind.INT, 0, false, 1, (1 << 24) | 8);                 // 3
        int name = b.type("", Kind.ARRAY, 0, false, 0, chr, i32, 8);                    // 4 char[8]
        int color = b.type("color", Kind.ENUM, 2, true, 4, b.str("RED"), -1, b.str("BLUE"), 2); // 5
        int u64 = b.type("long long unsigned int", Kind.INT, 0, false, 8, 64);          // 6
        int ptr = b.type("", Kind.PTR, 0, false, i32);                                   // 7
        int key = b.type("u32", Kind.TYPEDEF, 0, false, u32);                            // 8
        int val = b.type("val", Kind.STRUCT, 7, true, 48,                                // 9
                b.str("cnt"), i32, 0, b.str("name"), name, 32, b.str("flags"), u32, (3 << 24) | 96,
                b.str("c"), color, 128, b.str("big"), u64, 192, b.str("p"), ptr, 256, b.str("q"), ptr, 320);
        try (Fd btf = BtfLoader.load(b.build());
             KernelMap m = KernelMap.create(MapSpec.of("t_btf_hash", MapType.HASH, 4, 48, 4), btf, key, val);
             KernelMap pc = KernelMap.create(MapSpec.of("t_btf_pcpu", MapType.PERCPU_ARRAY, 4, 4, 2), btf, key, i32)) {
            byte[] v = new byte[48];
            ByteBuffer vb = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
            vb.putInt(0, -5);
            v[4] = 'a';
            v[5] = 'b';
            v[12] = 5;                 // flags: 3 bits
            vb.putInt(16, 2);          // BLUE
            vb.putLong(24, -1L);       // u64 max
            vb.putLong(32, 0x1234);    // p; q stays NULL
            m.put(new byte[] {1, 0, 0, 0}, v);
            v[4] = 1;                  // not a string any more
            vb.putInt(16, 7);          // no enumerator
            m.put(new byte[] {2, 0, 0, 0}, v);
            String id = Integer.toString(m.id()), pid = Integer.toString(pc.id());
            assertEquals(Bpftool.run("map", "dump", "id", id), Cli.ok("map", "dump", "id", id));
            assertEquals(Bpftool.run("-j", "map", "dump", "id", id), Cli.ok("map", "dump", "id", id, "-j"));
            assertEquals(Bpftool.run("map", "lookup", "id", id, "key", "1", "0", "0", "0"), Cli.ok("map", "lookup", "id", id, "key", "1", "0", "0", "0"));
            assertEquals(Bpftool.run("-j", "map", "lookup", "id", id, "key", "1", "0", "0", "0"), Cli.ok("map", "lookup", "id", id, "key", "1", "0", "0", "0", "-j"));
            assertEquals(Bpftool.run("map", "dump", "id", pid), Cli.ok("map", "dump", "id", pid));
            assertEquals(Bpftool.run("-j", "map", "dump", "id", pid), Cli.ok("map", "dump", "id", pid, "-j"));
            assertEquals(Bpftool.run("map", "show", "id", id), Cli.ok("map", "show", "id", id));
            String dump = Cli.ok("map", "dump", "id", id);
            assertTrue(dump.contains("\"name\": \"ab\"") && dump.contains("\"c\": \"BLUE\"") && dump.contains("\"q\": (nil)"), dump);
        }
    }
}
