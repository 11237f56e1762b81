package org.bpf4j.ringbuf;

import org.bpf4j.BpfException;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapType;
import org.bpf4j.perf.EventReader;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.sys.Epoll;
import org.bpf4j.sys.Native;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The reader of BPF ring buffers ({@code BPF_MAP_TYPE_RINGBUF}, kernel 5.8+): one ring shared by every CPU, filled
 * by {@code bpf_ringbuf_output} or {@code bpf_ringbuf_reserve}/{@code submit}, read here through two mappings and
 * epoll. Records reach the same {@link RecordHandler} as the perf buffer's, with {@code cpu} -1.
 * <pre>
 *   offset 0            consumer page (read-write): consumer_pos, advanced by this reader
 *   offset page         producer page (read-only):  producer_pos, advanced by the kernel
 *   offset 2 pages      data, max_entries bytes, mapped twice in a row so a record that wraps reads contiguously
 *   each record:        u32 len | BUSY (bit 31) | DISCARD (bit 30), u32 pg_off, then len bytes, padded to 8
 * </pre>
 * A ring buffer never reports lost records: a full ring makes the BPF program's reserve or output call fail, which
 * the program may count itself. Not thread-safe: one thread polls and closes.
 */
public final class RingBuffer implements EventReader {
    private static final int BUSY = 1 << 31, DISCARD = 1 << 30, HEADER = 8;
    private static final int PROT_READ = 1, PROT_READ_WRITE = 3, MAP_SHARED = 1;
    private static final VarHandle LONG = JAVA_LONG.varHandle(), INT = JAVA_INT.varHandle();

    private final List<Ring> rings = new ArrayList<>();
    private final Epoll epoll;
    private final long[] ready;

    private record Ring(KernelMap map, RecordHandler handler, MemorySegment consumer, MemorySegment producer,
                        MemorySegment data, long mask) {}

    private RingBuffer(int capacity) {
        this.epoll = new Epoll(capacity);
        this.ready = new long[capacity];
    }

    /** Maps {@code map} (a ring buffer) and hands its records to {@code handler}. */
    public static RingBuffer open(KernelMap map, RecordHandler handler) {
        RingBuffer rb = new RingBuffer(8);
        try {
            rb.add(map, handler);
            return rb;
        } catch (RuntimeException e) {
            rb.close();
            throw e;
        }
    }

    /** Adds another ring buffer map to this reader (up to 8), with its own handler. */
    public RingBuffer add(KernelMap map, RecordHandler handler) {
        if (map.spec().type() != MapType.RINGBUF)
            throw new IllegalArgumentException("map " + map.spec().name() + " is not a ring buffer");
        if (rings.size() == ready.length) throw new IllegalStateException("a reader takes up to " + ready.length + " ring buffers");
        long page = Native.pageSize(), size = Integer.toUnsignedLong(map.spec().maxEntries());
        int fd = map.fd().value();
        MemorySegment consumer = Syscalls.mmap(page, PROT_READ_WRITE, MAP_SHARED, fd, 0);
        MemorySegment producer;
        try {
            producer = Syscalls.mmap(page + 2 * size, PROT_READ, MAP_SHARED, fd, page);
        } catch (BpfException e) {
            Syscalls.munmap(consumer);
            throw new BpfException("mapping ring buffer '" + map.spec().name() + "'", e);
        }
        rings.add(new Ring(map, handler, consumer, producer, producer.asSlice(page, 2 * size), size - 1));
        epoll.add(fd, rings.size() - 1);
        return this;
    }

    /** Waits up to {@code timeoutMillis} for records and hands them to the handlers; returns how many. */
    @Override
    public int poll(int timeoutMillis) {
        int n = epoll.await(timeoutMillis, ready);
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

    /** Always 0: the kernel drops nothing silently from a ring buffer (the producer's call fails instead). */
    @Override
    public long lost() { return 0; }

    /** Bytes written and not yet consumed in the first ring (producer_pos - consumer_pos). */
    public long pending() {
        Ring r = rings.getFirst();
        return (long) LONG.getAcquire(r.producer, 0L) - (long) LONG.getAcquire(r.consumer, 0L);
    }

    private static int drain(Ring r) {
        long cons = (long) LONG.getAcquire(r.consumer, 0L);
        int records = 0;
        while (true) {
            long prod = (long) LONG.getAcquire(r.producer, 0L);
            if (cons >= prod) break;
            boolean progressed = false;
            while (cons < prod) {
                long at = cons & r.mask;
                int header = (int) INT.getAcquire(r.data, at);
                if ((header & BUSY) != 0) break; // reserved, not yet submitted: later records wait for it
                int len = header & ~(BUSY | DISCARD);
                if ((header & DISCARD) == 0) {
                    r.handler.onRecord(-1, r.data.asSlice(at + HEADER, len));
                    records++;
                }
                cons += (len + HEADER + 7) & ~7L;
                LONG.setRelease(r.consumer, 0L, cons); // frees the space for the producer right away
                progressed = true;
            }
            if (!progressed) break;
        }
        return records;
    }

    @Override
    public void close() {
        for (Ring r : rings) {
            try { Syscalls.munmap(r.producer); } catch (BpfException ignored) { /* the map's close frees it */ }
            try { Syscalls.munmap(r.consumer); } catch (BpfException ignored) { /* as above */ }
        }
        rings.clear();
        epoll.close();
    }
}
