package org.bpf4j.lang.cases;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs bpftrace v0.26's runtime cases ({@link Case26}) with the semantics of v0.26's runner as
 * shared/bpftrace-0.26/tests/README.md describes it (re-implemented, not copied): SETUP, BEFOREs waited for by name,
 * the tool through /bin/sh in a session of its own with stdout and stderr merged, 10 s to the attach line, AFTER
 * then, TIMEOUT s more, SIGTERM and the output collected; the exit status checked only when the tool ended by
 * itself; every expectation; CLEANUP. The working directory and its test programs are {@link CaseRunner#workdir}'s.
 * Features are this machine kind's fixed set (the README's alternative to reading {@code --info}).
 */
final class Case26Runner {
    /** The outcome of one case: PASS, FAIL or SKIP, with the reason of a failure or skip. */
    record Result(Case26 c, String status, double seconds, String detail) {
        boolean passed() { return status.equals("PASS"); }
    }

    static final String NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED";
    /** This machine kind's features (README "Features": btf, uprobe_multi, ...; no fentry, dwarf, iter, kprobe_multi). */
    static final Set<String> FEATURES = Set.of("btf", "uprobe_multi", "get_func_ip", "lookup_percpu_elem", "get_tai_ns",
            "jiffies64", "loop", "probe_read_kernel", "signal", "libpath_resolv", "dpath");
    /** Seconds a tool is given after SIGTERM to print its maps (upstream: 1; a JVM on a busy 2-core machine needs more). */
    private static final int TERM_GRACE = 3;

    private final Path work;
    private final String tool;
    private final Map<String, String> standinMissing;

    /**
     * A runner of {@code tool} in {@code work} (made by {@link CaseRunner#workdir}); {@code standinMissing} maps a
     * case id to the upstream test programs it needs that have no stand-in (CASES.tsv's {@code no_project_standin}).
     */
    Case26Runner(Path work, String tool, Map<String, String> standinMissing) {
        this.work = work;
        this.tool = tool;
        this.standinMissing = standinMissing;
    }

    /** CASES.tsv's {@code no_project_standin} column, by case id, for the cases that have one. */
    static Map<String, String> standinsMissing(Path casesTsv) throws IOException {
        Map<String, String> out = new HashMap<>();
        List<String> lines = Files.readAllLines(casesTsv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (!f[5].equals("-") && !f[5].isEmpty()) out.put(f[0] + ":" + f[1], f[5]);
        }
        return out;
    }

    /** Why {@code c} cannot run here, or null; in the order of upstream's runner. */
    String skipReason(Case26 c) throws IOException, InterruptedException {
        if (c.arch() != null && !List.of(c.arch().split("\\|")).contains("x86_64")) return "ARCH " + c.arch();
        String kernel = CaseRunner.kernel();
        if (c.minKernel() != null && CaseRunner.compareVersions(kernel, c.minKernel().strip()) < 0) return "MIN_KERNEL " + c.minKernel();
        if (c.maxKernel() != null && CaseRunner.compareVersions(kernel, c.maxKernel().strip()) > 0) return "MAX_KERNEL " + c.maxKernel();
        if (c.skipIfEnvHas() != null) {
            String[] kv = c.skipIfEnvHas().strip().split("=", 2);
            String v = System.getenv(kv[0]);
            if (v != null && kv.length > 1 && v.equals(kv[1])) return "SKIP_IF_ENV_HAS " + c.skipIfEnvHas();
        }
        String missing = standinMissing.get(c.id());
        if (missing != null && java.util.Arrays.stream(missing.split(",")).anyMatch(n -> !Files.exists(work.resolve("testprogs").resolve(n))))
            return "no stand-in for upstream's test program " + missing; // stand-ins added since (lang/testprogs) run
        for (String r : c.requires()) {
            Process p = new ProcessBuilder("/bin/sh", "-c", r).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return "REQUIRES " + r;
            }
        }
        for (String f : c.features()) {
            boolean negated = f.startsWith("!");
            if (FEATURES.contains(negated ? f.substring(1) : f) == negated) return "REQUIRES_FEATURE " + f;
        }
        return null;
    }

    /** Runs one case. */
    Result run(Case26 c) {
        long t0 = System.nanoTime();
        List<Process> started = new ArrayList<>();
        try {
            String skip = skipReason(c);
            if (skip != null) return new Result(c, "SKIP", 0, skip);
            if (c.setup() != null && shell(c.setup()) != 0) return new Result(c, "FAIL", seconds(t0), "SETUP failed: " + c.setup());
            String nsenter = "";
            String beforePid = "";
            for (int i = 0; i < c.befores().size(); i++) {
                List<String> words = List.of(c.befores().get(i).strip().split("\\s+"));
                List<String> cmd = new ArrayList<>(List.of("setsid"));
                if (c.newPidns() && i == 0) cmd.addAll(List.of("unshare", "--fork", "--pid", "--mount-proc", "-r", "--kill-child", "--"));
                else if (c.newPidns()) cmd.addAll(List.of("nsenter", "-p", "-m", "-t", nsenter.replaceAll("\\D", "")));
                cmd.addAll(words);
                Process b = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                started.add(b);
                String name = Path.of(words.getLast()).getFileName().toString();
                if (name.length() > 15) name = name.substring(0, 15);
                String pid = "";
                for (long until = System.nanoTime() + c.timeout() * 1_000_000_000L; pid.isEmpty() && System.nanoTime() < until; ) {
                    pid = descendantNamed(b.toHandle(), name);
                    if (pid.isEmpty()) Thread.sleep(100);
                }
                if (pid.isEmpty()) return new Result(c, "FAIL", seconds(t0), "BEFORE did not start: " + c.befores().get(i));
                if (i == 0) {
                    beforePid = pid;
                    if (c.newPidns()) nsenter = "nsenter -p -m -t " + pid + " ";
                }
            }
            String bpftrace = tool + " --verify-llvm-ir";
            String cmd = c.prog() != null
                    ? tool + (c.json() ? " -q -f json" : "") + " --verify-llvm-ir -e '" + c.prog().replace("'", "'\\''") + "'"
                    : c.run().replace("{{BPFTRACE}}", bpftrace).replace("{{BEFORE_PID}}", beforePid);
            ProcessBuilder pb = new ProcessBuilder("setsid", "/bin/sh", "-c", nsenter.isEmpty() ? cmd : nsenter + "/bin/sh -c '" + cmd.replace("'", "'\\''") + "'")
                    .directory(work.toFile()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            Map<String, String> keep = new HashMap<>();
            for (String k : List.of("HOME", "JAVA_HOME", "TMPDIR")) if (System.getenv(k) != null) keep.put(k, System.getenv(k));
            env.clear();
            env.putAll(keep);
            Path bin = work.resolve("bin");
            String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
            env.put("PATH", Files.isDirectory(bin) ? bin + ":" + path : path);
            env.put("test", c.name());
            env.put(NOTIFY, "1");
            env.putAll(c.env());
            Process p = pb.start();
            started.add(p);
            StringBuffer out = new StringBuffer();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] buf = new byte[4096];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (out) {
                            out.append(new String(buf, 0, n, StandardCharsets.UTF_8).replace("\r\n", "\n"));
                            out.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            synchronized (out) {
                while (out.indexOf(NOTIFY) < 0 && p.isAlive() && System.nanoTime() < deadline)
                    out.wait(Math.clamp((deadline - System.nanoTime()) / 1_000_000, 1, 20));
            }
            boolean attached = out.indexOf(NOTIFY) >= 0;
            if (attached && c.after() != null) {
                ProcessBuilder after = new ProcessBuilder("setsid", "/bin/sh", "-c", nsenter.isEmpty() ? c.after() : nsenter + c.after())
                        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                after.environment().put("PATH", env.get("PATH")); // bin/ first: python3 the interpreter, not a shim
                Process a = after.start();
                started.add(a);
            }
            boolean timedOut = !(attached ? p.waitFor(c.timeout(), TimeUnit.SECONDS) : p.waitFor(0, TimeUnit.SECONDS) || !p.isAlive());
            if (timedOut) {
                signalGroup(p, "TERM");
                if (!p.waitFor(TERM_GRACE, TimeUnit.SECONDS)) signalGroup(p, "KILL");
                p.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(timedOut ? 1000 : 5000);
            signalGroup(p, "KILL"); // whatever the case left in its session
            String text = out.toString();
            List<String> wrong = new ArrayList<>();
            if (!timedOut) {
                int code = p.exitValue();
                if (c.willFail() ? code == 0 : code != c.returnCode())
                    wrong.add("exit " + code + (c.willFail() ? ", wanted non-zero" : ", wanted " + c.returnCode()));
            } else if (!attached) {
                wrong.add("no attach line within 10 s");
            }
            for (Case26.Expect e : c.expects()) {
                String why = check(e, text, c);
                if (why != null) wrong.add(why);
            }
            stop(started);
            if (c.cleanup() != null && shell(c.cleanup()) != 0) wrong.add("CLEANUP failed: " + c.cleanup());
            String detail = wrong.isEmpty() ? "" : (timedOut ? "timeout; " : "") + String.join("; ", wrong) + "; output: " + CaseRunner.abbreviate(text);
            return new Result(c, wrong.isEmpty() ? "PASS" : "FAIL", seconds(t0), detail);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(started);
            return new Result(c, "FAIL", seconds(t0), "runner: " + e);
        }
    }

    /** Null when expectation {@code e} holds on {@code text}, else why not. */
    private String check(Case26.Expect e, String text, Case26 c) throws IOException, InterruptedException {
        return switch (e.kind()) {
            case EXPECT -> Pattern.compile("^\\s*" + Pattern.quote(e.text()) + "\\s*$", Pattern.MULTILINE).matcher(text).find()
                    ? null : "no line " + e.text();
            case EXPECT_NONE -> Pattern.compile("^\\s*" + Pattern.quote(e.text()) + "\\s*$", Pattern.MULTILINE).matcher(text).find()
                    ? "unwanted line " + e.text() : null;
            case EXPECT_REGEX -> Pattern.compile(CaseRunner.javaRegex(e.text()), Pattern.MULTILINE).matcher(text).find()
                    ? null : "no match for /" + e.text() + "/";
            case EXPECT_REGEX_NONE -> Pattern.compile(CaseRunner.javaRegex(e.text()), Pattern.MULTILINE).matcher(text).find()
                    ? "unwanted match for /" + e.text() + "/" : null;
            case EXPECT_FILE -> {
                String want = Files.readString(work.resolve(e.text().strip()));
                if (c.localizeTimestamps() != null) want = localize(want, c.localizeTimestamps());
                yield afterAttach(text).strip().equals(want.strip()) ? null : "output differs from " + e.text();
            }
            case EXPECT_JSON -> json(afterAttach(text).strip(), work.resolve(e.text().strip()));
        };
    }

    private static String afterAttach(String text) {
        int at = text.indexOf(NOTIFY);
        if (at < 0) return text;
        int nl = text.indexOf('\n', at);
        return nl < 0 ? "" : text.substring(nl + 1);
    }

    /** {@code %H} and the other strftime fields this file uses, at the local time of epoch second {@code epoch}. */
    private static String localize(String text, long epoch) {
        var t = Instant.ofEpochSecond(epoch).atZone(ZoneId.systemDefault());
        return text.replace("%H", DateTimeFormatter.ofPattern("HH").format(t)).replace("%M", DateTimeFormatter.ofPattern("mm").format(t))
                .replace("%S", DateTimeFormatter.ofPattern("ss").format(t)).replace("%%", "%");
    }

    /** Compares the output with a JSON or NDJSON file as Python's json module does (python3 is a test tool). */
    private static String json(String output, Path file) throws IOException, InterruptedException {
        String script = """
                import json, sys
                out = sys.stdin.read().strip()
                want = open(sys.argv[1]).read().strip()
                if sys.argv[1].endswith('.ndjson'):
                    a, b = out.split('\\n'), want.split('\\n')
                    ok = len(a) == len(b) and all(json.loads(x) == json.loads(y) for x, y in zip(a, b))
                else:
                    ok = '\\n' not in out and json.loads(out) == json.loads(want)
                sys.exit(0 if ok else 1)
                """;
        Process p = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(output.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : "JSON differs from " + file.getFileName() + (err.isBlank() ? "" : " (" + err.strip().lines().reduce((a, b) -> b).orElse("") + ")");
    }

    private int shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** The pid of a descendant of {@code root} (or root itself) whose name is {@code name}, or "". */
    private static String descendantNamed(ProcessHandle root, String name) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants())
                .filter(h -> commOf(h.pid()).equals(name)).map(h -> Long.toString(h.pid())).findFirst().orElse("");
    }

    private static String commOf(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void signalGroup(Process p, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, "--", "-" + p.pid()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** Ends what a case started (AFTER and BEFOREs get 1 s to exit by themselves, then their groups SIGKILL). */
    private static void stop(List<Process> started) {
        for (Process s : started) {
            try {
                if (!s.waitFor(1, TimeUnit.SECONDS)) signalGroup(s, "KILL");
                s.descendants().forEach(ProcessHandle::destroyForcibly);
                s.destroyForcibly();
            } catch (IOException | InterruptedException ignored) {
                // already gone
            }
        }
    }

    private static double seconds(long t0) { return (System.nanoTime() - t0) / 1e9; }

    /**
     * Runs {@code cases} on {@code jobs} threads, results in list order; cases that could disturb others or be
     * disturbed run alone afterwards, as {@link CaseRunner#runAll} decides (pkill, execve, test programs, debugfs,
     * files), plus those with BEFORE or NEW_PIDNS.
     */
    List<Result> runAll(List<Case26> cases, int jobs) throws InterruptedException {
        Map<Case26, Result> done = CaseRunner.inParallel(cases.stream().filter(c -> !exclusive(c)).toList(), jobs, this::run);
        for (Case26 c : cases.stream().filter(Case26Runner::exclusive).toList()) done.put(c, run(c));
        List<Result> out = new ArrayList<>();
        for (Case26 c : cases) out.add(done.get(c));
        return out;
    }

    static boolean exclusive(Case26 c) {
        String befores = String.join(" ", c.befores());
        return CaseRunner.exclusive(c.file(), c.prog(), c.run(), c.after(), befores) || !c.befores().isEmpty()
                || c.newPidns() || c.setup() != null || c.cleanup() != null;
    }
}
