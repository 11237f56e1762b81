package org.bpf4j.lang.codegen;

import org.bpf4j.lang.LangTesting;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The config block's {@code max_map_keys} sizes the script's maps (bpftrace's BPFTRACE_MAX_MAP_KEYS); 4096 without. */
class MapKeysTest {
    private static Map<String, Integer> sizes(String script) {
        return LangTesting.compile(script).maps().stream().collect(Collectors.toMap(MapPlan::name, m -> m.spec().maxEntries()));
    }

    @Test
    void maxMapKeysSizesTheUserMaps() {
        Map<String, Integer> s = sizes("config = { max_map_keys = 100000 } BEGIN { @a[1] = 2; @c[3] = count(); @h = hist(5); }");
        assertEquals(100_000, s.get("AT_a"), s.toString());
        assertEquals(100_000, s.get("AT_c"), s.toString());
        assertEquals(100_000, s.get("AT_h"), s.toString());
    }

    @Test
    void stackMapsFollowUpTo16384() {
        Map<String, Integer> big = sizes("config = { max_map_keys = 100000 } BEGIN { @k[kstack] = count(); }");
        Map<String, Integer> small = sizes("BEGIN { @k[kstack] = count(); }");
        String stacks = big.keySet().stream().filter(n -> n.startsWith("stack")).findFirst().orElseThrow(() -> new AssertionError(big.toString()));
        assertEquals(16_384, big.get(stacks), big.toString());
        assertEquals(4096, small.get(stacks), small.toString());
    }

    @Test
    void withoutItMapsKeepBpftracesDefault() {
        assertEquals(4096, sizes("BEGIN { @a[1] = 2; }").get("AT_a"));
        assertEquals(4096, sizes("config = { BPFTRACE_MAX_MAP_KEYS = 0 } BEGIN { @a[1] = 2; }").get("AT_a"), "0 is no size: the default");
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.bpf4j.lang.sema.SemanticError.class,
                () -> sizes("config = { max_map_keys = lots } BEGIN { @a[1] = 2; }"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("Invalid value for max_map_keys"), e.getMessage());
    }
}
