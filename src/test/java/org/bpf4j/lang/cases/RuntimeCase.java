package org.bpf4j.lang.cases;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of bpftrace's runtime test files (v0.17 format, see shared/bpftrace/tests/README.md): a NAME, a PROG
 * or a RUN command, an EXPECT regex, a TIMEOUT, and the optional directives.
 */
record RuntimeCase(String file, String name, String prog, String run, String expect, int timeout, String before,
                   String after, List<String> requires, List<String> features, String minKernel, String maxKernel,
                   Map<String, String> env, String arch, boolean willFail) {

    /** {@code file:name}, unique enough for reports (names repeat across files). */
    String id() { return file + ":" + name; }

    /** Parses every case of one suite file. */
    static List<RuntimeCase> parse(Path file) throws IOException {
        List<RuntimeCase> out = new ArrayList<>();
        Map<String, List<String>> d = new LinkedHashMap<>();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#")) continue;
            if (line.isEmpty()) {
                if (!d.isEmpty()) out.add(of(file.getFileName().toString(), d));
                d = new LinkedHashMap<>();
                continue;
            }
            int sp = line.indexOf(' ');
            String key = sp < 0 ? line : line.substring(0, sp);
            String rest = sp < 0 ? "" : String.join(" ", line.substring(sp + 1).strip().split("\\s+"));
            d.computeIfAbsent(key, k -> new ArrayList<>()).add(rest);
        }
        if (!d.isEmpty()) out.add(of(file.getFileName().toString(), d));
        return out;
    }

    private static RuntimeCase of(String file, Map<String, List<String>> d) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : d.getOrDefault("ENV", List.of())) {
            for (String kv : e.split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return new RuntimeCase(file, first(d, "NAME"), first(d, "PROG"), first(d, "RUN"), first(d, "EXPECT"),
                Integer.parseInt(first(d, "TIMEOUT") == null ? "5" : first(d, "TIMEOUT")), first(d, "BEFORE"),
                first(d, "AFTER"), d.getOrDefault("REQUIRES", List.of()), d.getOrDefault("REQUIRES_FEATURE", List.of()),
                first(d, "MIN_KERNEL"), first(d, "MAX_KERNEL"), env, first(d, "ARCH"), d.containsKey("WILL_FAIL"));
    }

    private static String first(Map<String, List<String>> d, String k) {
        List<String> v = d.get(k);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** Every case of every suite file in {@code runtimeDir}, in file and case order. */
    static List<RuntimeCase> all(Path runtimeDir) throws IOException {
        List<RuntimeCase> out = new ArrayList<>();
        try (var files = Files.list(runtimeDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) out.addAll(parse(f));
        }
        return out;
    }
}
