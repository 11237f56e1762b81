package org.bpf4j.perf;

/**
 * A reader of one of the kernel's event channels, the perf event array ({@link PerfBuffer}) or the BPF ring buffer
 * ({@code org.bpf4j.ringbuf.RingBuffer}): both hand their records to the {@link RecordHandler} they were opened
 * with. Not thread-safe: one thread at a time polls, drains and closes.
 */
public interface EventReader extends AutoCloseable {
    /** Waits up to {@code timeoutMillis} for records and hands them to the handler; returns how many. */
    int poll(int timeoutMillis);

    /** Reads what is there without waiting; returns how many records it handled. */
    int drainAll();

    /** Records the kernel reported lost so far (the perf buffer's PERF_RECORD_LOST; a ring buffer reports none). */
    long lost();

    @Override
    void close();
}
