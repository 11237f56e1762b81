package org.bpf4j.perf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The kernel's software perf events ({@code enum perf_sw_ids}), with the names perf and bpftrace use. */
public enum SoftwareEvent {
    CPU_CLOCK(0, "cpu-clock", "cpu"), TASK_CLOCK(1, "task-clock"), PAGE_FAULTS(2, "page-faults", "faults"),
    CONTEXT_SWITCHES(3, "context-switches", "cs"), CPU_MIGRATIONS(4, "cpu-migrations"), MINOR_FAULTS(5, "minor-faults"),
    MAJOR_FAULTS(6, "major-faults"), ALIGNMENT_FAULTS(7, "alignment-faults"), EMULATION_FAULTS(8, "emulation-faults"),
    DUMMY(9, "dummy"), BPF_OUTPUT(10, "bpf-output"), CGROUP_SWITCHES(11, "cgroup-switches");

    private final int config;
    private final List<String> names;

    SoftwareEvent(int config, String... names) {
        this.config = config;
        this.names = List.of(names);
    }

    /** The {@code perf_event_attr.config} value ({@code PERF_COUNT_SW_*}). */
    public int config() { return config; }

    /** The event's name, e.g. {@code "page-faults"}. */
    public String eventName() { return names.getFirst(); }

    /** The event called {@code name} or one of its aliases ({@code "faults"}, {@code "cs"}, ...). */
    public static Optional<SoftwareEvent> byName(String name) {
        return Arrays.stream(values()).filter(e -> e.names.contains(name)).findFirst();
    }
}
