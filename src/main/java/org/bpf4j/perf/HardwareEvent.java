package org.bpf4j.perf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The generic hardware perf events ({@code enum perf_hw_id}), with the names perf and bpftrace use. */
public enum HardwareEvent {
    CPU_CYCLES(0, "cpu-cycles", "cycles"), INSTRUCTIONS(1, "instructions"), CACHE_REFERENCES(2, "cache-references"),
    CACHE_MISSES(3, "cache-misses"), BRANCH_INSTRUCTIONS(4, "branch-instructions", "branches"),
    BRANCH_MISSES(5, "branch-misses"), BUS_CYCLES(6, "bus-cycles"),
    STALLED_CYCLES_FRONTEND(7, "stalled-cycles-frontend", "idle-cycles-frontend"),
    STALLED_CYCLES_BACKEND(8, "stalled-cycles-backend", "idle-cycles-backend"), REF_CPU_CYCLES(9, "ref-cycles");

    private final int config;
    private final List<String> names;

    HardwareEvent(int config, String... names) {
        this.config = config;
        this.names = List.of(names);
    }

    /** The {@code perf_event_attr.config} value ({@code PERF_COUNT_HW_*}). */
    public int config() { return config; }

    /** The event's name, e.g. {@code "cache-misses"}. */
    public String eventName() { return names.getFirst(); }

    /** The event called {@code name} or one of its aliases. */
    public static Optional<HardwareEvent> byName(String name) {
        return Arrays.stream(values()).filter(e -> e.names.contains(name)).findFirst();
    }
}
