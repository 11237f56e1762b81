package org.bpf4j.events;

import org.bpf4j.features.Features;
import org.bpf4j.map.MapType;

/**
 * The kernel channel a program sends its events through: the BPF ring buffer (one buffer every CPU shares, records
 * in the order they were reserved; kernel 5.8+) or the perf event array (one ring per CPU; every kernel with BPF).
 */
public enum EventChannel {
    /** {@code BPF_MAP_TYPE_RINGBUF} and {@code bpf_ringbuf_output}. */
    RING_BUFFER(MapType.RINGBUF),
    /** {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} and {@code bpf_perf_event_output}. */
    PERF_BUFFER(MapType.PERF_EVENT_ARRAY);

    private final MapType mapType;

    EventChannel(MapType mapType) { this.mapType = mapType; }

    /** The map type of the channel. */
    public MapType mapType() { return mapType; }

    /** The ring buffer where this kernel has it, else the perf buffer (asks the kernel once). */
    public static EventChannel best() {
        return Features.mapType(MapType.RINGBUF) ? RING_BUFFER : PERF_BUFFER;
    }
}
