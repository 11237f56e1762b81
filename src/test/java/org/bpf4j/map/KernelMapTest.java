package org.bpf4j.map;

import org.bpf4j.BpfException;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Tag("kernel")
class KernelMapTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    static byte[] u32(int v) { return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)}; }

    @Test
    void hashMapStoresLooksUpIteratesAndDeletes() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_hash", MapType.HASH, 4, 8, 16))) {
            assertTrue(m.lookup(u32(1)).isEmpty());
            m.put(u32(1), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            m.put(u32(2), new byte[8]);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, m.lookup(u32(1)).orElseThrow());
            List<Integer> keys = new ArrayList<>();
            for (byte[] k = m.nextKey(null).orElse(null); k != null; k = m.nextKey(k).orElse(null)) keys.add(k[0] & 0xff);
            keys.sort(null);
            assertEquals(List.of(1, 2), keys);
            assertTrue(m.delete(u32(1)));
            assertFalse(m.delete(u32(1)));
            assertTrue(m.lookup(u32(1)).isEmpty());
        }
    }

    @Test
    void updateFlagsAreEnforcedByTheKernel() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_flags", MapType.HASH, 4, 4, 4))) {
            m.update(u32(7), u32(1), BpfMap.UpdateFlag.NOEXIST);
            BpfException e = assertThrows(BpfException.class, () -> m.update(u32(7), u32(2), BpfMap.UpdateFlag.NOEXIST));
            assertEquals(17, e.errno(), e.getMessage()); // EEXIST
            assertTrue(e.getMessage().contains("BPF_MAP_UPDATE_ELEM"), e.getMessage());
            assertThrows(BpfException.class, () -> m.update(u32(8), u32(2), BpfMap.UpdateFlag.EXIST));
        }
    }

    @Test
    void infoReportsWhatWasCreated() {
        try (KernelMap m = KernelMap.create(new MapSpec("t_info", MapType.ARRAY, 4, 24, 3, 0))) {
            MapInfo info = m.info();
            assertEquals("t_info", info.name());
            assertEquals(MapType.ARRAY, info.type());
            assertEquals(4, info.keySize());
            assertEquals(24, info.valueSize());
            assertEquals(3, info.maxEntries());
            assertTrue(info.id() > 0);
            assertArrayEquals(new byte[24], m.lookup(u32(2)).orElseThrow(), "array entries start zeroed");
        }
    }

    @Test
    void badSpecIsRefusedWithTheMapNamed() {
        BpfException e = assertThrows(BpfException.class, () -> KernelMap.create(MapSpec.of("t_bad", MapType.ARRAY, 8, 4, 1)));
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("'t_bad'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MapSpec.of("name-with-dash", MapType.HASH, 4, 4, 1));
    }

    @Test
    void wrongKeySizeIsACallerError() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_ks", MapType.HASH, 4, 4, 1))) {
            assertThrows(IllegalArgumentException.class, () -> m.lookup(new byte[3]));
        }
    }
}
