package org.bpf4j.vm.map;

import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.perf.RecordHandler;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} and {@code RINGBUF} in the VM: what a program sends with
 * {@code perf_event_output} or {@code ringbuf_output} goes to a Java {@link RecordHandler}, the consumer
 * interface the kernel's perf buffer uses too. With no handler attached, records wait in a queue (at most
 * max_entries bytes for a ring buffer, 64 KiB per CPU for a perf array; beyond that they are lost and counted)
 * until {@link #drain} hands them over. A perf array's records carry their array index as the CPU; a ring
 * buffer's carry -1, as {@code org.bpf4j.ringbuf.RingBuffer} reports them.
 */
public final class EventOutputMap extends UserMap {
    private static final int PERF_QUEUE_BYTES = 64 << 10;

    private record Pending(int cpu, byte[] data) {}

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final long capacity;
    private long queued;
    private long lost;
    private RecordHandler handler;

    EventOutputMap(MapSpec spec, int cpus) {
        super(spec, cpus);
        if (spec.type() == MapType.RINGBUF) {
            int size = spec.maxEntries();
            if (size <= 0 || Integer.bitCount(size) != 1 || spec.keySize() != 0 || spec.valueSize() != 0)
                throw new IllegalArgumentException("ring buffer " + spec.name() + ": max_entries must be a power of two and key and value sizes 0");
            capacity = size;
        } else {
            if (spec.keySize() != 4 || spec.valueSize() != 4)
                throw new IllegalArgumentException("perf event array " + spec.name() + ": key and value sizes must be 4");
            capacity = (long) PERF_QUEUE_BYTES * cpus;
        }
    }

    /** Sends records to {@code handler} as they are produced (null: queue them); queued ones are delivered first. */
    public void attach(RecordHandler handler) {
        this.handler = handler;
        if (handler != null) drain(handler);
    }

    /** Hands the queued records and the lost count to {@code handler}; returns how many records there were. */
    public int drain(RecordHandler handler) {
        int n = 0;
        while (!queue.isEmpty()) {
            Pending p = queue.poll();
            queued -= p.data.length;
            handler.onRecord(p.cpu, MemorySegment.ofArray(p.data));
            n++;
        }
        if (lost > 0) {
            handler.onLost(0, lost);
            lost = 0;
        }
        return n;
    }

    /**
     * For {@code perf_event_output} ({@code index} from the flags: BPF_F_CURRENT_CPU or an array index) and
     * {@code ringbuf_output} ({@code index} ignored): 0 or a negative errno.
     */
    public int output(int index, int cpu, byte[] data) {
        if (spec.type() == MapType.PERF_EVENT_ARRAY && Integer.compareUnsigned(index, spec.maxEntries()) >= 0) return -E2BIG;
        int where = spec.type() == MapType.PERF_EVENT_ARRAY ? index : -1; // as the kernel ring buffer reader reports
        if (handler != null) {
            handler.onRecord(where, MemorySegment.ofArray(data.clone()));
            return 0;
        }
        if (queued + data.length > capacity) {
            lost++;
            return spec.type() == MapType.RINGBUF ? -EAGAIN : -ENOSPC;
        }
        queue.add(new Pending(where, data.clone()));
        queued += data.length;
        return 0;
    }

    private static final int ENOSPC = 28;

    /** The number of records waiting for {@link #drain}. */
    public int pending() { return queue.size(); }

    @Override
    public int deleteElement(byte[] key) { return -EINVAL; }

    @Override
    public int userValueSize() { return spec.valueSize(); }

    @Override
    public Optional<byte[]> lookup(byte[] key) { return none(); }

    @Override
    public Optional<byte[]> nextKey(byte[] key) { return none(); }
}
