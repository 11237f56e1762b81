package org.bpf4j.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel matrix's test runner inside a guest ({@code scripts/kernel-matrix.sh}): runs the given test classes
 * with JUnit's launcher (no Maven in the guest) and writes one line per test to {@code DIR/results.txt}
 * ({@code PASSED|FAILED|SKIPPED class#test (time) [reason]}), the failures' traces to {@code DIR/failures.txt} and the
 * counts to {@code DIR/summary}, since the guest's exit status does not reach the host.
 * Usage: {@code GuestRun DIR CLASS...}; exits 0 when every test passed or was skipped and at least one ran.
 */
public final class GuestRun {
    private GuestRun() {}

    /** Runs the classes named after the results directory. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: GuestRun DIR CLASS...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<String> lines = new ArrayList<>();
        StringBuilder failures = new StringBuilder();
        Map<String, Long> started = new ConcurrentHashMap<>();
        TestExecutionListener recorder = new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier id) { started.put(id.getUniqueId(), System.nanoTime()); }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) lines.add("SKIPPED " + name(id) + " " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                String status = switch (result.getStatus()) {
                    case SUCCESSFUL -> "PASSED";
                    case ABORTED -> "SKIPPED";
                    case FAILED -> "FAILED";
                };
                String why = result.getThrowable().map(t -> " " + String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("");
                long ms = (System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime())) / 1_000_000;
                lines.add(status + " " + name(id) + " (" + ms + " ms)" + (status.equals("PASSED") ? "" : why));
                System.out.println(status + " " + name(id) + " (" + ms + " ms)");
                result.getThrowable().filter(t -> result.getStatus() == TestExecutionResult.Status.FAILED).ifPresent(t -> {
                    StringWriter sw = new StringWriter();
                    t.printStackTrace(new PrintWriter(sw));
                    failures.append("== ").append(name(id)).append('\n').append(sw).append('\n');
                });
            }
        };
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(args, 1, args.length).map(DiscoverySelectors::selectClass).toList())
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        long start = System.nanoTime();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, summary, recorder);
        TestExecutionSummary s = summary.getSummary();
        long secs = (System.nanoTime() - start) / 1_000_000_000L;
        String counts = s.getTestsSucceededCount() + " passed, " + s.getTotalFailureCount() + " failed, "
                + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " skipped of " + s.getTestsFoundCount()
                + " in " + (args.length - 1) + " classes (" + secs + " s in the JVM)";
        Files.write(dir.resolve("results.txt"), lines);
        Files.writeString(dir.resolve("failures.txt"), failures);
        Files.writeString(dir.resolve("summary"), counts + "\n");
        System.out.println(counts);
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
    }

    private static String name(TestIdentifier id) {
        String uid = id.getUniqueId();
        int c = uid.indexOf("[class:");
        String cls = c < 0 ? "" : uid.substring(c + 7, uid.indexOf(']', c));
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        return cls + (id.isTest() ? "#" + id.getDisplayName() : "");
    }
}
