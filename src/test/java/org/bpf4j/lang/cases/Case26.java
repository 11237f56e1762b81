package org.bpf4j.lang.cases;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One case of bpftrace v0.26's runtime test files, read as shared/bpftrace-0.26/tests/README.md describes v0.26's
 * runner: values keep their inner white space, PROG/EXPECT/EXPECT_REGEX continue on lines indented past the
 * directive, TIMEOUT defaults to 5, several expectations of several kinds, SETUP/CLEANUP, RETURN_CODE, NEW_PIDNS.
 * A malformed file (unknown directive, no NAME, neither or both PROG and RUN...) is an error, as upstream's.
 */
record Case26(String file, String name, String prog, String run, List<Expect> expects, int timeout,
              List<String> befores, String after, String setup, String cleanup, Map<String, String> env,
              List<String> requires, List<String> features, String minKernel, String maxKernel, String arch,
              boolean willFail, int returnCode, boolean newPidns, String skipIfEnvHas, Long localizeTimestamps) {

    /** What a case expects of the output; {@code text} is the directive's value. */
    record Expect(Kind kind, String text) {}

    /** The expectation directives. */
    enum Kind { EXPECT, EXPECT_NONE, EXPECT_REGEX, EXPECT_REGEX_NONE, EXPECT_FILE, EXPECT_JSON }

    private static final Set<String> CONTINUED = Set.of("PROG", "EXPECT", "EXPECT_REGEX");
    private static final Set<String> DIRECTIVES = Set.of("NAME", "PROG", "RUN", "EXPECT", "EXPECT_NONE", "EXPECT_REGEX",
            "EXPECT_REGEX_NONE", "EXPECT_FILE", "EXPECT_JSON", "TIMEOUT", "BEFORE", "AFTER", "SETUP", "CLEANUP", "ENV",
            "REQUIRES", "REQUIRES_FEATURE", "MIN_KERNEL", "MAX_KERNEL", "ARCH", "WILL_FAIL", "RETURN_CODE",
            "NEW_PIDNS", "SKIP_IF_ENV_HAS", "LOCALIZE_TIMESTAMPS");
    static final Set<String> FEATURES = Set.of("loop", "probe_read_kernel", "btf", "fentry", "dpath", "signal", "iter",
            "libpath_resolv", "dwarf", "kprobe_multi", "kprobe_session", "uprobe_multi", "aot", "skboutput", "get_tai_ns",
            "get_func_ip", "jiffies64", "lookup_percpu_elem", "dwunwind");

    /** {@code file:name}, as the lists of known failures name a case. */
    String id() { return file + ":" + name; }

    /** The first expectation's kind, which decides whether a PROG runs with {@code -q -f json}. */
    boolean json() { return !expects.isEmpty() && expects.getFirst().kind() == Kind.EXPECT_JSON; }

    /** Parses every case of one suite file; a malformed case fails the whole file, naming file:line. */
    static List<Case26> parse(Path file) throws IOException {
        String suite = file.getFileName().toString();
        List<Case26> out = new ArrayList<>();
        List<String[]> d = new ArrayList<>(); // directive, value
        List<String> lines = List.of(Files.readString(file).split("\n", -1));
        int start = 1;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            if (raw.startsWith("#")) continue;
            if (raw.isEmpty()) {
                if (!d.isEmpty()) out.add(of(suite, start, d));
                d = new ArrayList<>();
                start = i + 2;
                continue;
            }
            if (!d.isEmpty()) {
                String[] last = d.getLast();
                int indent = last[0].length() + 1;
                if (CONTINUED.contains(last[0]) && raw.length() >= indent && raw.substring(0, indent).isBlank()) {
                    last[1] = last[1] + "\n" + raw.substring(indent);
                    continue;
                }
            }
            String line = raw.strip();
            if (line.isEmpty()) continue; // only white space: neither a directive nor the end of the case
            String[] kv = line.split("\\s+", 2);
            if (!DIRECTIVES.contains(kv[0])) throw new IOException(file + ":" + (i + 1) + ": unknown directive " + kv[0]);
            d.add(new String[] {kv[0], kv.length > 1 ? kv[1] : ""});
        }
        if (!d.isEmpty()) out.add(of(suite, start, d));
        return out;
    }

    private static Case26 of(String file, int line, List<String[]> d) throws IOException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<Expect> expects = new ArrayList<>();
        for (String[] kv : d) {
            m.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
            if (kv[0].startsWith("EXPECT")) expects.add(new Expect(Kind.valueOf(kv[0]), kv[1]));
        }
        String where = file + ":" + line + ": ";
        String name = first(m, "NAME");
        if (name == null) throw new IOException(where + "case without NAME");
        if ((first(m, "PROG") == null) == (first(m, "RUN") == null)) throw new IOException(where + name + ": needs exactly one of PROG and RUN");
        int rc = first(m, "RETURN_CODE") == null ? 0 : Integer.parseInt(first(m, "RETURN_CODE").strip());
        if (expects.isEmpty() && first(m, "RETURN_CODE") == null) throw new IOException(where + name + ": no expectation");
        boolean whole = expects.stream().anyMatch(e -> e.kind() == Kind.EXPECT_FILE || e.kind() == Kind.EXPECT_JSON);
        if (whole && expects.size() > 1) throw new IOException(where + name + ": EXPECT_FILE/EXPECT_JSON beside other expectations");
        if (m.containsKey("WILL_FAIL") && rc != 0) throw new IOException(where + name + ": WILL_FAIL with a non-zero RETURN_CODE");
        List<String> features = new ArrayList<>();
        for (String f : m.getOrDefault("REQUIRES_FEATURE", List.of()))
            for (String one : f.strip().split("\\s+")) {
                if (!FEATURES.contains(one.replaceFirst("^!", ""))) throw new IOException(where + name + ": unknown feature " + one);
                features.add(one);
            }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : m.getOrDefault("ENV", List.of()))
            for (String kv : e.strip().split("\\s+")) {
                int eq = kv.indexOf('=');
                if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        String localize = first(m, "LOCALIZE_TIMESTAMPS");
        return new Case26(file, name, first(m, "PROG"), first(m, "RUN"), List.copyOf(expects),
                first(m, "TIMEOUT") == null ? 5 : Integer.parseInt(first(m, "TIMEOUT").strip()),
                m.getOrDefault("BEFORE", List.of()), first(m, "AFTER"), first(m, "SETUP"), first(m, "CLEANUP"), env,
                m.getOrDefault("REQUIRES", List.of()), features, first(m, "MIN_KERNEL"), first(m, "MAX_KERNEL"),
                first(m, "ARCH"), m.containsKey("WILL_FAIL"), rc, m.containsKey("NEW_PIDNS"), first(m, "SKIP_IF_ENV_HAS"),
                localize == null ? null : Long.parseLong(localize.strip()));
    }

    private static String first(Map<String, List<String>> d, String k) {
        List<String> v = d.get(k);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** Every case of every suite file in {@code runtimeDir}, in file and case order. */
    static List<Case26> all(Path runtimeDir) throws IOException {
        List<Case26> out = new ArrayList<>();
        try (var files = Files.list(runtimeDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) out.addAll(parse(f));
        }
        return out;
    }
}
