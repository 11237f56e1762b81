package org.bpf4j.map;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.*;
import static org.junit.jupiter.api.Assertions.*;

class ByteCodecTest {
    record Inner(short a, byte b) {}
    record Event(int pid, long uid, long ts, String comm, Inner inner, boolean ok, long[] ips) {}

    static final StructLayout INNER = MemoryLayout.structLayout(JAVA_SHORT.withName("a"), JAVA_BYTE.withName("b"),
            MemoryLayout.paddingLayout(1));
    static final StructLayout EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"), JAVA_INT.withName("uid"), JAVA_LONG.withName("ts"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("comm"), INNER.withName("inner"),
            JAVA_BOOLEAN.withName("ok"), MemoryLayout.paddingLayout(3), MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("ips"));

    @Test
    void integersAreLittleEndian() {
        assertArrayEquals(new byte[] {1, 2, 3, 4}, ByteCodec.int32().encode(0x04030201));
        assertEquals(0xfffffffeL, ByteCodec.uint32().decode(new byte[] {-2, -1, -1, -1}));
        assertEquals(-2L, ByteCodec.int64().decode(new byte[] {-2, -1, -1, -1, -1, -1, -1, -1}));
        assertEquals((short) 0x0201, ByteCodec.int16().decode(new byte[] {1, 2}));
    }

    @Test
    void stringsArePaddedWithNulsAndReadToTheFirst() {
        ByteCodec<String> c = ByteCodec.string(8);
        assertArrayEquals(new byte[] {'s', 'h', 0, 0, 0, 0, 0, 0}, c.encode("sh"));
        assertEquals("ab", c.decode(new byte[] {'a', 'b', 0, 'x', 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> c.encode("too long!"));
    }

    @Test
    void recordsFollowTheirLayoutWithPaddingZeroed() {
        ByteCodec<Event> c = ByteCodec.record(Event.class, EVENT);
        assertEquals(EVENT.byteSize(), c.size());
        Event e = new Event(42, 0xfffffffeL, 1234567890123L, "java", new Inner((short) -3, (byte) 7), true, new long[] {1, 2});
        byte[] b = c.encode(e);
        assertEquals(42, b[0]);
        assertEquals((byte) 0xfe, b[4], "uid as an unsigned 32-bit member");
        assertEquals('j', b[16]);
        assertEquals(7, b[34], "inner.b after inner.a at 32");
        assertEquals(0, b[35], "padding");
        assertEquals(1, b[36]);
        Event back = c.decode(b);
        assertEquals(e.pid(), back.pid());
        assertEquals(e.uid(), back.uid());
        assertEquals(e.ts(), back.ts());
        assertEquals("java", back.comm());
        assertEquals(e.inner(), back.inner());
        assertTrue(back.ok());
        assertArrayEquals(new long[] {1, 2}, back.ips());
    }

    record Mismatch(long pid) {}
    record Missing(int nothere) {}

    @Test
    void aComponentThatDoesNotFitItsMemberIsNamed() {
        StructLayout l = MemoryLayout.structLayout(JAVA_SHORT.withName("pid"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteCodec.record(Mismatch.class, l));
        assertEquals("Mismatch.pid: a long component does not fit a 2-byte value member", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ByteCodec.record(Missing.class, l));
        assertEquals("Missing.nothere: the layout has no member of that name", e.getMessage());
    }
}
