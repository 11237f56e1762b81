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

    @Test
    void batchesMoveWholeMapsAndAgreeWithPerKeyCalls() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_batch", MapType.HASH, 4, 8, 2048))) {
            List<BpfMap.Entry> entries = new ArrayList<>();
            for (int k = 0; k < 1000; k++) entries.add(new BpfMap.Entry(u32(k), Bpf.u64(k * 3L)));
            m.updateBatch(entries, BpfMap.UpdateFlag.ANY);
            List<BpfMap.Entry> batch = m.lookupBatch();
            assertFalse(MapBatch.fellBack(MapType.HASH, 0), "a 6.x kernel has BPF_MAP_LOOKUP_BATCH for hashes");
            assertEquals(1000, batch.size());
            assertEquals(asMap(m.entries()), asMap(batch), "the batch sees what per-key lookups see");
            for (BpfMap.Entry e : batch) assertEquals(Bpf.u32(e.key()) * 3L, Bpf.u64(e.value()));
            List<byte[]> evens = new ArrayList<>();
            for (int k = 0; k < 1000; k += 2) evens.add(u32(k));
            evens.add(u32(5000)); // not there: counted out, the rest still deleted
            assertEquals(500, m.deleteBatch(evens));
            List<BpfMap.Entry> drained = m.lookupAndDeleteBatch();
            assertEquals(500, drained.size());
            assertTrue(drained.stream().allMatch(e -> Bpf.u32(e.key()) % 2 == 1));
            assertTrue(m.nextKey(null).isEmpty(), "drained");
        }
    }

    @Test
    void batchFallsBackToPerKeyCallsWhereTheMapTypeHasNone() {
        try (KernelMap m = KernelMap.create(MapSpec.progArray("t_pa_batch", 8));
             var p = Bpf.socketFilter(java.util.Map.of(), b -> {})) {
            m.putFd(u32(2), p.fd());
            m.putFd(u32(5), p.fd());
            List<BpfMap.Entry> all = m.lookupBatch();
            assertTrue(MapBatch.fellBack(MapType.PROG_ARRAY, 0), "program arrays have no batch lookup");
            assertEquals(List.of(2, 5), all.stream().map(e -> Bpf.u32(e.key())).toList(), "the filled slots, by key");
            for (BpfMap.Entry e : all) assertEquals(p.info().id(), Bpf.u32(e.value()));
            assertEquals(2, m.lookupAndDeleteBatch().size());
            assertEquals(List.of(), m.lookupBatch());
        }
    }

    static java.util.Map<Integer, Long> asMap(List<BpfMap.Entry> entries) {
        java.util.Map<Integer, Long> out = new java.util.HashMap<>();
        for (BpfMap.Entry e : entries) out.put(Bpf.u32(e.key()), Bpf.u64(e.value()));
        return out;
    }

    @Test
    void lookupAndDeleteOnAHash() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_lad", MapType.HASH, 4, 4, 4))) {
            m.put(u32(1), u32(11));
            assertEquals(11, Bpf.u32(m.lookupAndDelete(u32(1)).orElseThrow()));
            assertTrue(m.lookup(u32(1)).isEmpty());
            assertTrue(m.lookupAndDelete(u32(1)).isEmpty());
        }
    }

    @Test
    void frozenMapsRefuseUserSpaceWritesButStillRead() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_frozen", MapType.ARRAY, 4, 4, 2))) {
            m.put(u32(0), u32(5));
            m.freeze();
            BpfException e = assertThrows(BpfException.class, () -> m.put(u32(0), u32(6)));
            assertEquals(1, e.errno(), e.getMessage()); // EPERM
            assertEquals(5, Bpf.u32(m.lookup(u32(0)).orElseThrow()));
        }
    }

    @Test
    void openByIdReadsTheSpecBack() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_byid", MapType.LRU_HASH, 8, 16, 32));
             KernelMap again = KernelMap.openById(m.id())) {
            assertEquals(m.spec(), again.spec());
            m.put(new byte[8], new byte[16]);
            assertTrue(again.lookup(new byte[8]).isPresent(), "one map, two descriptors");
        }
        org.bpf4j.UserException e = assertThrows(org.bpf4j.UserException.class, () -> KernelMap.openById(Integer.MAX_VALUE));
        assertEquals("no map with id " + Integer.MAX_VALUE, e.getMessage());
    }

    @Test
    void pinnedMapsAndProgramsOpenByPathUntilUnpinned() {
        java.nio.file.Path fs = org.bpf4j.sys.BpfFs.ensureMounted();
        java.nio.file.Path mapPin = fs.resolve("bpf4j-test-" + ProcessHandle.current().pid() + "-map");
        java.nio.file.Path progPin = fs.resolve("bpf4j-test-" + ProcessHandle.current().pid() + "-prog");
        try (KernelMap m = KernelMap.create(MapSpec.of("t_pinned", MapType.HASH, 4, 4, 4));
             var p = Bpf.socketFilter(java.util.Map.of(), b -> {})) {
            m.pin(mapPin);
            p.pin(progPin);
            try (KernelMap again = KernelMap.open(mapPin); var p2 = org.bpf4j.prog.KernelProgram.open(progPin)) {
                assertEquals(m.id(), again.id());
                assertEquals(m.spec(), again.spec());
                again.put(u32(1), u32(2));
                assertEquals(2, Bpf.u32(m.lookup(u32(1)).orElseThrow()));
                assertEquals(p.info().id(), p2.info().id());
                assertEquals("t_maps", p2.name());
            }
            org.bpf4j.UserException twice = assertThrows(org.bpf4j.UserException.class, () -> m.pin(mapPin));
            assertEquals("cannot pin map 't_pinned' at " + mapPin + ": the path exists", twice.getMessage());
        } finally {
            org.bpf4j.sys.BpfFs.unpin(mapPin);
            org.bpf4j.sys.BpfFs.unpin(progPin);
        }
        org.bpf4j.UserException gone = assertThrows(org.bpf4j.UserException.class, () -> KernelMap.open(mapPin));
        assertEquals("nothing pinned at " + mapPin, gone.getMessage());
        org.bpf4j.UserException outside = assertThrows(org.bpf4j.UserException.class, () -> {
            try (KernelMap m = KernelMap.create(MapSpec.of("t_pinned", MapType.HASH, 4, 4, 4))) {
                m.pin(java.nio.file.Path.of("/tmp/not-bpffs"));
            }
        });
        assertTrue(outside.getMessage().startsWith("cannot pin map 't_pinned' at /tmp/not-bpffs: not on a BPF file system"),
                outside.getMessage());
        // the leak check fails this class if a pin kept the map or program alive
    }
}
