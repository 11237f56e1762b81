package org.bpf4j.perf;

import org.bpf4j.BpfException;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Epoll;
import org.bpf4j.sys.Native;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The reader of a perf event array (BCC's BPF_PERF_OUTPUT): one PERF_COUNT_SW_BPF_OUTPUT event and one
 * mmap'd ring per online CPU, read through epoll. Lost-record notices are counted and passed to the handler.
 * Not thread-safe: one thread at a time polls and closes.
 */
public final class PerfBuffer implements EventReader {
    // struct perf_event_mmap_page: data_head @1024, data_tail @1032.
    private static final long DATA_HEAD = 1024, DATA_TAIL = 1032;
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final int PERF_RECORD_LOST = 2, PERF_RECORD_SAMPLE = 9;
    private static final int PROT_READ_WRITE = 3, MAP_SHARED = 1;

    private final List<Ring> rings = new ArrayList<>();
    private final Epoll epoll;
    private final RecordHandler handler;
    private final long[] ready;
    private final Arena scratchArena = Arena.ofShared(); // the reader may poll on another thread than the one that opened it
    private MemorySegment scratch = scratchArena.allocate(4096, 8);
    private long lost;

    private record Ring(int cpu, PerfEvent event, MemorySegment mapping, long dataSize) {}

    private PerfBuffer(Epoll epoll, RecordHandler handler, int cpus) {
        this.epoll = epoll;
        this.handler = handler;
        this.ready = new long[Math.max(1, cpus)];
    }

    /**
     * Opens a ring of {@code pagesPerCpu} pages (a power of two) for each online CPU and stores its event in
     * {@code map} (a perf event array) at the CPU's index.
     */
    public static PerfBuffer open(KernelMap map, int pagesPerCpu, RecordHandler handler) {
        return open(map, pagesPerCpu, handler, 1);
    }

    /**
     * As {@link #open(KernelMap, int, RecordHandler)}, but the kernel wakes this reader once every
     * {@code wakeupEvents} records per CPU rather than on each: far less work for the traced code at high event
     * rates. Records short of that count are read when {@link #poll} times out, so they wait at most its time-out.
     */
    public static PerfBuffer open(KernelMap map, int pagesPerCpu, RecordHandler handler, int wakeupEvents) {
        if (map.spec().type() != MapType.PERF_EVENT_ARRAY)
            throw new IllegalArgumentException("map " + map.spec().name() + " is not a perf event array");
        if (Integer.bitCount(pagesPerCpu) != 1) throw new IllegalArgumentException("pages per CPU must be a power of two: " + pagesPerCpu);
        BitSet online = Cpus.online();
        PerfBuffer buffer = new PerfBuffer(new Epoll(online.cardinality()), handler, online.cardinality());
        long page = Native.pageSize();
        try {
            for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
                if (cpu >= map.spec().maxEntries()) break;
                PerfEvent ev = PerfEvent.open(PerfEvent.Attr.of(PerfEvent.TYPE_SOFTWARE, PerfEvent.SW_BPF_OUTPUT)
                        .sampleType(PerfEvent.SAMPLE_RAW).wakeupEvery(wakeupEvents), -1, cpu, "perf buffer on CPU " + cpu);
                MemorySegment mapping;
                try {
                    mapping = Syscalls.mmap(page * (pagesPerCpu + 1), PROT_READ_WRITE, MAP_SHARED, ev.fd().value(), 0);
                } catch (BpfException e) {
                    ev.close();
                    throw e;
                }
                buffer.rings.add(new Ring(cpu, ev, mapping, page * pagesPerCpu));
                buffer.epoll.add(ev.fd().value(), buffer.rings.size() - 1);
                map.update(intKey(cpu), intKey(ev.fd().value()), KernelMap.UpdateFlag.ANY);
                ev.enable();
            }
            return buffer;
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    private static byte[] intKey(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /**
     * Waits up to {@code timeoutMillis} for records and hands them to the handler; returns how many. On a time-out
     * every ring is read, for the records that did not reach a wake-up threshold.
     */
    @Override
    public int poll(int timeoutMillis) {
        int n = epoll.await(timeoutMillis, ready);
        if (n == 0) return drainAll();
        int records = 0;
        for (int i = 0; i < n; i++) records += drain(rings.get((int) ready[i]));
        return records;
    }

    /** Reads every ring without waiting; returns how many records it handled. */
    @Override
    public int drainAll() {
        int records = 0;
        for (Ring r : rings) records += drain(r);
        return records;
    }

    /** Records the kernel reported lost so far. */
    @Override
    public long lost() { return lost; }

    private int drain(Ring ring) {
        MemorySegment m = ring.mapping;
        long head = (long) LONG.getAcquire(m, DATA_HEAD);
        long tail = m.get(JAVA_LONG, DATA_TAIL);
        long page = m.byteSize() - ring.dataSize;
        int records = 0;
        while (tail < head) {
            long at = page + (tail & (ring.dataSize - 1));
            int size = Short.toUnsignedInt(read(m, ring, at + 6, 2).get(JAVA_SHORT, 0));
            int type = read(m, ring, at, 4).get(JAVA_INT, 0);
            if (size < 8) break; // a corrupt header: stop rather than loop
            MemorySegment rec = read(m, ring, at, size);
            if (type == PERF_RECORD_SAMPLE) {
                int rawSize = rec.get(JAVA_INT, 8);
                handler.onRecord(ring.cpu, rec.asSlice(12, Math.min(rawSize, size - 12)));
                records++;
            } else if (type == PERF_RECORD_LOST) {
                long count = rec.get(JAVA_LONG, 16);
                lost += count;
                handler.onLost(ring.cpu, count);
            }
            tail += size;
        }
        LONG.setRelease(m, DATA_TAIL, tail);
        return records;
    }

    /** {@code length} bytes at ring offset {@code at}, copied out when they wrap around the end of the ring. */
    private MemorySegment read(MemorySegment m, Ring ring, long at, int length) {
        long page = m.byteSize() - ring.dataSize;
        long offset = at - page;
        if (offset + length <= ring.dataSize) return m.asSlice(at, length);
        if (scratch.byteSize() < length) scratch = scratchArena.allocate(Math.max(length, scratch.byteSize() * 2), 8);
        long first = ring.dataSize - offset;
        MemorySegment.copy(m, at, scratch, 0, first);
        MemorySegment.copy(m, page, scratch, first, length - first);
        return scratch.asSlice(0, length);
    }

    @Override
    public void close() {
        for (Ring r : rings) {
            try { Syscalls.munmap(r.mapping); } catch (BpfException ignored) { /* the fd close frees it */ }
            r.event.close();
        }
        rings.clear();
        epoll.close();
        scratchArena.close();
    }
}
