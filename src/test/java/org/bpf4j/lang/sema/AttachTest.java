package org.bpf4j.lang.sema;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Attach points as bpftrace reads them: quoted parts keep colons and take escapes. */
class AttachTest {
    @Test
    void quotedPartsTakeEscapesAndKeepColons() {
        assertEquals(new Attach.Usdt("./app", "test", "\"probe1\""), Attach.parse("usdt:./app:test:\"\\\"probe1\\\"\""));
        assertEquals(new Attach.Uprobe("/opt/a:b/app", "main", 0, false), Attach.parse("uprobe:\"/opt/a:b/app\":main"));
        assertEquals(new Attach.Uprobe("/bin/bash", "echo_builtin", 0, false), Attach.parse("uprobe:/bin/bash:\"echo_builtin\""));
        assertEquals(new Attach.Usdt("./app", "", "p"), Attach.parse("usdt:./app:p"));
    }

    @Test
    void benchAndTestProbesAreRunByTheTool() {
        assertEquals(new Attach.Run("bench", "a"), Attach.parse("bench:a"));
        assertEquals(new Attach.Run("test", "x_1"), Attach.parse("TEST:x_1"));
        assertEquals("bench:a", Attach.parse("bench:a").text());
        assertEquals("bench", Attach.parse("bench:a").probeType());
        assertThrows(IllegalArgumentException.class, () -> Attach.parse("bench:"));
        assertThrows(IllegalArgumentException.class, () -> Attach.parse("test:a:b"));
    }
}
