package org.bpf4j.elf;

import org.bpf4j.btf.BtfType;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The execsnoop fixture end to end: a tracepoint program with a ring buffer, a {@code const volatile} filter set
 * before load and a {@code struct event} decoded with the offsets the object's own BTF gives, against real execs
 * of /bin/true started by this JVM.
 */
@Tag("kernel")
class ExecsnoopTest {
    record Event(int pid, int ppid, int uid, String comm, String filename) {}

    @Test
    void tracesTheExecsOfThisJvmsChildren() throws Exception {
        Kernel.require();
        int self = (int) ProcessHandle.current().pid();
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("execsnoop"))
                .withVariable("target_ppid", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(self).array());
        BtfType.Struct event = spec.btf().find(BtfType.Struct.class, "event").orElseThrow();
        Map<String, Integer> off = new java.util.HashMap<>();
        for (BtfType.Member m : event.members()) off.put(m.name(), m.byteOffset());
        List<Event> events = new ArrayList<>();
        RecordHandler handler = new RecordHandler() {
            @Override
            public void onRecord(int cpu, MemorySegment d) {
                assertEquals(event.size(), d.byteSize());
                events.add(new Event(d.get(JAVA_INT_UNALIGNED, off.get("pid")), d.get(JAVA_INT_UNALIGNED, off.get("ppid")),
                        d.get(JAVA_INT_UNALIGNED, off.get("uid")), string(d, off.get("comm"), 16), string(d, off.get("filename"), 64)));
            }

            @Override
            public void onLost(int cpu, long count) { fail("a ring buffer loses nothing silently"); }
        };
        try (Collection c = Collection.load(spec); RingBuffer ring = RingBuffer.open(c.map("events"), handler)) {
            assertEquals(1, c.attachAll().size());
            List<Long> children = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Process p = new ProcessBuilder("/bin/true").start();
                children.add(p.pid());
                assertEquals(0, p.waitFor());
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && trues(events).size() < 3) ring.poll(100);
            List<Event> trues = trues(events);
            for (Event e : trues) System.out.printf("%-7d %-7d %-5d %-16s %s%n", e.pid(), e.ppid(), e.uid(), e.comm(), e.filename());
            assertEquals(3, trues.size(), "events: " + events);
            for (Event e : events) assertEquals(self, e.ppid(), "the filter let only this JVM's children through: " + e);
            assertEquals(children, trues.stream().map(e -> (long) e.pid()).toList());
            assertEquals(events.size(), ByteBuffer.wrap(c.variable("seen")).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    private static List<Event> trues(List<Event> events) {
        return events.stream().filter(e -> e.filename().equals("/bin/true")).toList();
    }

    private static String string(MemorySegment d, int at, int max) {
        byte[] b = d.asSlice(at, max).toArray(JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
