package org.bpf4j.tool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** BCC's histogram text, byte for byte from its biolatency_example.txt. */
class HistogramTest {
    @Test
    void log2AsBiolatencyPrintsIt() {
        long[] c = new long[65];
        long[] xvdb = {0, 0, 0, 0, 0, 0, 0, 0, 1, 33, 36, 58, 51, 21, 2};
        System.arraycopy(xvdb, 0, c, 0, xvdb.length);
        assertEquals("""
                     usecs               : count     distribution
                         0 -> 1          : 0        |                                        |
                         2 -> 3          : 0        |                                        |
                         4 -> 7          : 0        |                                        |
                         8 -> 15         : 0        |                                        |
                        16 -> 31         : 0        |                                        |
                        32 -> 63         : 0        |                                        |
                        64 -> 127        : 0        |                                        |
                       128 -> 255        : 1        |                                        |
                       256 -> 511        : 33       |**********************                  |
                       512 -> 1023       : 36       |************************                |
                      1024 -> 2047       : 58       |****************************************|
                      2048 -> 4095       : 51       |***********************************     |
                      4096 -> 8191       : 21       |**************                          |
                      8192 -> 16383      : 2        |*                                       |
                """, new Histogram(false, c).render("usecs"));
    }

    @Test
    void linearRowsFromZero() {
        assertEquals("""
                     kbytes        : count     distribution
                        0          : 0        |                                        |
                        1          : 2        |****************************************|
                        2          : 1        |********************                    |
                """, new Histogram(true, new long[] {0, 2, 1, 0}).render("kbytes"));
    }

    @Test
    void emptyPrintsNothing() {
        assertEquals("", new Histogram(false, new long[65]).render("usecs"));
    }
}
