package org.bpf4j.asm;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generated helper table matches enum bpf_func_id. */
class HelperTest {

    @ParameterizedTest
    @CsvSource({"0,unspec", "1,map_lookup_elem", "2,map_update_elem", "3,map_delete_elem", "6,trace_printk",
            "12,tail_call", "14,get_current_pid_tgid", "113,probe_read_kernel", "130,ringbuf_output",
            "209,user_ringbuf_drain"})
    void knownIds(int id, String name) {
        Helper h = Helper.byId(id).orElseThrow();
        assertEquals(id, h.id());
        assertEquals(name, h.helperName());
        assertEquals(Optional.of(h), Helper.byName("bpf_" + name));
        assertEquals(Optional.of(h), Helper.byName(name));
    }

    @Test
    void idsArePositions() {
        for (Helper h : Helper.values()) {
            assertEquals(h.ordinal(), h.id());
        }
    }

    @Test
    void outOfRange() {
        assertEquals(Optional.empty(), Helper.byId(-1));
        assertEquals(Optional.empty(), Helper.byId(100000));
        assertEquals(Optional.empty(), Helper.byName("bpf_nope"));
    }
}
