package org.bpf4j.events;

import org.bpf4j.BpfException;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Native;

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

    /**
     * The ring buffer where this kernel has it, else the perf buffer: asks the kernel by creating a one-page ring
     * (with the map layer the tools load anyway, not the feature prober, which start-up cannot afford).
     */
    public static EventChannel best() {
        try (KernelMap probe = KernelMap.create(MapSpec.of("ringbuf_probe", MapType.RINGBUF, 0, 0, (int) Native.pageSize()))) {
            return RING_BUFFER;
        } catch (BpfException e) {
            return PERF_BUFFER;
        }
    }
}
