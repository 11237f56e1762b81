package org.bpf4j.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Disk names by the kernel's dev_t (major << 20 | minor), from /proc/diskstats as BCC reads them. */
final class Disks {
    private final Map<Long, String> names = new HashMap<>();

    Disks() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2) names.put(Long.parseLong(f[0]) << 20 | Long.parseLong(f[1]), f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            // names unknown: shown as BCC shows them
        }
    }

    /** The disk's name, or BCC's {@code <unknown>}. */
    String name(long dev) { return names.getOrDefault(dev, "<unknown>"); }
}
