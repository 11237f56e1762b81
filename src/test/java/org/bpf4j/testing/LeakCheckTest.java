package org.bpf4j.testing;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The leak check itself must see a leak, or it proves nothing. */
@Tag("kernel")
class LeakCheckTest {
    @Test
    void seesAnOpenMapDescriptorUntilItIsClosed() {
        Kernel.require();
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        KernelMap m = KernelMap.create(MapSpec.of("t_leak", MapType.ARRAY, 4, 4, 1));
        String leak = LeakCheck.snapshot().leaksAgainst(before);
        assertTrue(leak.contains("anon_inode:bpf-map"), leak);
        int id = m.id();
        assertTrue(LeakCheck.held().maps().contains(id), "a map this JVM holds is held, not orphaned");
        m.close();
        assertEquals("", LeakCheck.snapshot().leaksAgainst(before));
    }
}
