package org.bpf4j.perf;

import java.lang.foreign.MemorySegment;

/** Receives what a BPF program sent through a perf event array or a ring buffer. */
public interface RecordHandler {
    /**
     * One record; {@code data} is valid only during the call (copy what you keep). {@code cpu} is the CPU whose
     * perf buffer ring it came through, or -1 for a BPF ring buffer, which all CPUs share.
     */
    void onRecord(int cpu, MemorySegment data);

    /** The kernel dropped {@code count} records on {@code cpu} because the consumer was too slow. */
    void onLost(int cpu, long count);
}
