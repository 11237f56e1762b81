package org.bpf4j.link;

import org.bpf4j.NotSupportedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A dynamic probe PMU ({@code /sys/bus/event_source/devices/uprobe} or {@code kprobe}): its perf event type and
 * where its {@code format} directory says the return-probe bit and the reference-counter offset go in
 * {@code perf_event_attr.config}.
 */
record ProbePmu(String name, int type, int retprobeBit, int refCtrShift) {
    private static final Path DEVICES = Path.of("/sys/bus/event_source/devices");

    /** The PMU called {@code name}, or empty when the kernel has none. */
    static Optional<ProbePmu> find(String name) {
        Path dir = DEVICES.resolve(name);
        if (!Files.isRegularFile(dir.resolve("type"))) return Optional.empty();
        try {
            int type = Integer.parseInt(Files.readString(dir.resolve("type")).trim());
            int ret = firstBit(dir.resolve("format/retprobe"), 0);
            int refCtr = firstBit(dir.resolve("format/ref_ctr_offset"), -1);
            return Optional.of(new ProbePmu(name, type, ret, refCtr));
        } catch (IOException | NumberFormatException e) {
            throw new NotSupportedException(name + " probes", "cannot read " + dir + ": " + e.getMessage());
        }
    }

    /** The first bit of a format file such as {@code config:0} or {@code config:32-63}. */
    private static int firstBit(Path format, int absent) throws IOException {
        if (!Files.isRegularFile(format)) return absent;
        String spec = Files.readString(format).trim();
        if (!spec.startsWith("config:")) throw new IOException(format + " is not in config: '" + spec + "'");
        String bits = spec.substring(7);
        int dash = bits.indexOf('-');
        return Integer.parseInt(dash < 0 ? bits : bits.substring(0, dash));
    }

    /** {@code config} for a probe: the return-probe bit and the semaphore's file offset. */
    long config(boolean ret, long refCtrOffset) {
        long config = ret ? 1L << retprobeBit : 0;
        if (refCtrOffset != 0) {
            if (refCtrShift < 0)
                throw new NotSupportedException("USDT semaphores", "the " + name + " PMU has no ref_ctr_offset (kernel before 4.20)");
            config |= refCtrOffset << refCtrShift;
        }
        return config;
    }
}
