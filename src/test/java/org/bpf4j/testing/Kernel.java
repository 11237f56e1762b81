package org.bpf4j.testing;

import org.bpf4j.BpfException;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Native;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one assumption kernel tests share: with {@code BPF4J_REQUIRE_KERNEL=1} (CI) a kernel that cannot run
 * the test fails it; otherwise the test is skipped with the reason.
 */
public final class Kernel {
    private Kernel() {}

    private static volatile String missing;
    private static volatile boolean checked;

    /** True when CI asked for kernel tests to run for real. */
    public static boolean required() {
        return "1".equals(System.getenv("BPF4J_REQUIRE_KERNEL"));
    }

    /** Skips (or, when required, fails) unless this process can use bpf(2) and perf_event_open(2). */
    public static void require() {
        if (!checked) {
            synchronized (Kernel.class) {
                if (!checked) {
                    missing = probe();
                    checked = true;
                }
            }
        }
        unless(missing);
    }

    /** Skips (or fails, when required) with {@code reason} when it is not null. */
    public static void unless(String reason) {
        if (reason == null) return;
        if (required()) Assertions.fail("BPF4J_REQUIRE_KERNEL=1 but " + reason);
        Assumptions.abort(reason);
    }

    private static String probe() {
        if (!System.getProperty("os.name").equals("Linux")) return "not Linux";
        if (Native.geteuid() != 0) return "not root: kernel tests need CAP_BPF and CAP_PERFMON";
        try (KernelMap m = KernelMap.create(MapSpec.of("probe", MapType.ARRAY, 4, 4, 1))) {
            return null;
        } catch (BpfException e) {
            return "bpf(2) does not work here: " + e.getMessage();
        }
    }
}
