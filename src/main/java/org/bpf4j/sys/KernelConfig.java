package org.bpf4j.sys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration, from {@code /proc/config.gz} or {@code /boot/config-RELEASE}, when
 * the machine has either: used to say why a feature is missing ("kernel built without CONFIG_KPROBES").
 */
public final class KernelConfig {
    private static volatile KernelConfig instance;
    private final Map<String, String> options;

    private KernelConfig(Map<String, String> options) { this.options = options; }

    /** The running kernel's configuration, read once; empty when neither file is there. */
    public static KernelConfig get() {
        KernelConfig c = instance;
        if (c == null) {
            synchronized (KernelConfig.class) {
                if (instance == null) instance = read();
                c = instance;
            }
        }
        return c;
    }

    private static KernelConfig read() {
        Path gz = Path.of("/proc/config.gz");
        try {
            if (Files.isReadable(gz)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                    return parse(in);
                }
            }
            String release = Sysctl.read("kernel/osrelease").orElse(System.getProperty("os.version"));
            Path boot = Path.of("/boot/config-" + release);
            if (Files.isReadable(boot)) {
                try (InputStream in = Files.newInputStream(boot)) {
                    return parse(in);
                }
            }
        } catch (IOException e) {
            // unknown configuration: callers fall back to what they can observe
        }
        return new KernelConfig(Map.of());
    }

    /** Parses {@code CONFIG_X=y} and {@code # CONFIG_X is not set} lines. */
    static KernelConfig parse(InputStream in) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("CONFIG_")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
                } else if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                    m.put(line.substring(2, line.length() - 11), "n");
                }
            }
        }
        return new KernelConfig(Map.copyOf(m));
    }

    /** True when the configuration is known. */
    public boolean known() { return !options.isEmpty(); }

    /** The value of {@code option} (e.g. {@code "CONFIG_KPROBES"}): {@code "y"}, {@code "m"}, {@code "n"}, a number... */
    public Optional<String> value(String option) { return Optional.ofNullable(options.get(option)); }

    /** True when the configuration is known and says {@code option} is not set. */
    public boolean isOff(String option) {
        return known() && options.getOrDefault(option, "n").equals("n");
    }
}
