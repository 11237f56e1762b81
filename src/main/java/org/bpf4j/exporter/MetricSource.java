package org.bpf4j.exporter;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.bpf4j.prog.KernelProgram;

import java.util.List;
import java.util.Map;

/**
 * What the exporter serves metrics from: a bpftrace script ({@link ScriptMetrics}) or one of ebpf_exporter's
 * configs, a clang-built object with its YAML ({@link ObjectMetrics}). Each owns its kernel objects; closing it
 * detaches and releases them.
 */
sealed interface MetricSource extends AutoCloseable permits ScriptMetrics, ObjectMetrics {
    /** The script's file name or the config's name, as labels and messages show it. */
    String name();

    /** The names of the families it serves (to refuse two sources serving the same one). */
    List<String> familyNames();

    /** Every family's snapshots now. */
    List<MetricSnapshot> collect();

    /** Programs attached now. */
    int attached();

    /** Its programs by name (for their kernel run-time statistics). */
    Map<String, KernelProgram> programs();

    /** Map keys whose labels could not be decoded, so far. */
    long decodeErrors();

    /** Series left out by the cardinality cap, so far, by family name. */
    Map<String, Long> droppedSeries();

    /** What is loaded, for GET /. */
    Map<String, Object> status();

    /** Detaches and releases everything, once. */
    @Override
    void close();
}
