package org.bpf4j.lang.cases;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Runs bpftrace's runtime test cases with the semantics of upstream's runner (re-implemented, not copied):
 * each case runs through /bin/sh with stdout and stderr merged and {@code __BPFTRACE_NOTIFY_PROBES_ATTACHED=1};
 * AFTER starts once that line appears (5 s at most); then TIMEOUT seconds; on timeout SIGTERM (which makes the
 * tool print its maps) and the regex is searched once more without MULTILINE. A case passes when the EXPECT regex
 * is found and the exit status is 0 (or WILL_FAIL is set, or the case timed out).
 * <p>
 * The same runner serves bpf4j (the JUnit harness) and Debian's bpftrace (the oracle): {@code main} takes the tool
 * command. The working directory holds {@code runtime/} (a link to the shared cases) and {@code testprogs/},
 * {@code testlibs/}: our own stand-ins for upstream's test programs, built by {@link #workdir}.
 */
public final class CaseRunner {
    /** The outcome of one case. */
    public record Result(RuntimeCase c, String status, double seconds, String detail) {
        boolean passed() { return status.equals("PASS"); }

        /**
         * A failure whose only fault is time: the case did not end within its TIMEOUT, or a tool it started in the
         * background still held the output 5 s after the case's shell ended, and the regex was not seen.
         */
        boolean timedOut() { return detail.startsWith("timeout;") || detail.startsWith("slow exit;"); }
    }

    private static final String NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED";
    private final Path work;
    private final String tool;

    /** A runner of {@code tool} (a command line, e.g. "/usr/bin/bpftrace") in working directory {@code work}. */
    public CaseRunner(Path work, String tool) {
        this.work = work;
        this.tool = tool;
    }

    /**
     * Makes a working directory: runtime/ copied from {@code runtimeDir}, testprogs/ and testlibs/ built from our own
     * stand-ins in the test resources (lang/testprogs, lang/testlibs: C compiled with cc, the flags on each file's
     * first line after "// cc:"; scripts copied as they are). Libraries first, as programs link with them.
     */
    public static Path workdir(Path runtimeDir) throws IOException, InterruptedException {
        return workdir(runtimeDir, Files.createTempDirectory("bpf4j-cases"));
    }

    /** The same, in the existing directory {@code w} (a test's temporary one). */
    public static Path workdir(Path runtimeDir, Path w) throws IOException, InterruptedException {
        // a copy, not a link: nothing that cleans the directory up can reach the shared files
        try (var files = Files.walk(runtimeDir)) {
            for (Path f : files.toList()) {
                Path to = w.resolve("runtime").resolve(runtimeDir.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        // the cases run `python -c ...` inside their TIMEOUT, as upstream's runner does with a plain interpreter; a
        // version manager's `python` shim (pyenv: a bash script, 2 s on a busy machine) would be timed instead of
        // the tool, so `python` is the interpreter itself
        Path python = Path.of("/usr/bin/python3");
        if (Files.isExecutable(python)) {
            Path bin = Files.createDirectories(w.resolve("bin"));
            Files.createSymbolicLink(bin.resolve("python"), python);
            Files.createSymbolicLink(bin.resolve("python3"), python); // v0.26's str_big cases make their path with python3
        }
        Path sources = Path.of(System.getProperty("bpf4j.testsrc", "src/test/resources/lang"));
        for (String kind : List.of("testlibs", "testprogs")) {
            Path out = Files.createDirectories(w.resolve(kind));
            List<Path> files;
            try (var s = Files.list(sources.resolve(kind))) {
                files = s.sorted().toList();
            }
            for (Path f : files) build(f, out, w.resolve("testlibs"));
        }
        return w;
    }

    /**
     * Adds to {@code w}'s testprogs/ the stand-ins of the test resources' {@code kind} directory (lang/testprogs26:
     * programs only the v0.26 cases expect).
     */
    public static void addTestprogs(Path w, String kind) throws IOException, InterruptedException {
        Path sources = Path.of(System.getProperty("bpf4j.testsrc", "src/test/resources/lang")).resolve(kind);
        try (var s = Files.list(sources)) {
            for (Path f : s.sorted().toList()) build(f, w.resolve("testprogs"), w.resolve("testlibs"));
        }
    }

    /** Builds one stand-in into {@code out}; a C file that does not build (no cc, no sys/sdt.h) is left out. */
    private static void build(Path source, Path out, Path libs) throws IOException, InterruptedException {
        String name = source.getFileName().toString();
        if (!name.endsWith(".c")) {
            Path target = out.resolve(name);
            Files.copy(source, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            return;
        }
        String base = name.substring(0, name.length() - 2);
        boolean library = base.startsWith("lib");
        Path target = out.resolve(library ? base + ".so" : base);
        String first = Files.readAllLines(source).getFirst();
        List<String> cmd = new ArrayList<>(List.of("cc", "-o", target.toString(), source.toString()));
        if (first.startsWith("// cc:"))
            for (String flag : first.substring(6).strip().split("\\s+"))
                cmd.add(flag.replace("@testlibs", libs.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.err.println("testprogs: " + name + " not built: " + log.strip());
            return;
        }
        // bpftrace's case "probe function in non-executable library" wants the library without the execute bit
        if (library) Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Why {@code c} cannot run here, or null. */
    String skipReason(RuntimeCase c) throws IOException, InterruptedException {
        if (c.arch() != null && !List.of(c.arch().split("\\|")).contains("x86_64")) return "ARCH " + c.arch();
        String text = (c.prog() == null ? "" : c.prog()) + " " + (c.run() == null ? "" : c.run()) + " "
                + (c.after() == null ? "" : c.after()) + " " + (c.before() == null ? "" : c.before());
        var m = Pattern.compile("testprogs/([A-Za-z0-9_]+)|testlibs/([A-Za-z0-9_.]+)").matcher(text);
        while (m.find()) {
            String prog = m.group(1) != null ? "testprogs/" + m.group(1) : "testlibs/" + m.group(2);
            if (!Files.exists(work.resolve(prog))) return "needs " + prog;
        }
        for (String f : c.features()) {
            boolean negated = f.startsWith("!");
            String name = negated ? f.substring(1) : f;
            if (features().getOrDefault(name, false) == negated) return "REQUIRES_FEATURE " + f;
        }
        if (c.minKernel() != null && compareVersions(kernel(), c.minKernel()) < 0) return "MIN_KERNEL " + c.minKernel();
        if (c.maxKernel() != null && compareVersions(kernel(), c.maxKernel()) > 0) return "MAX_KERNEL " + c.maxKernel();
        for (String r : c.requires()) {
            Process p = new ProcessBuilder("/bin/sh", "-c", r).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return "REQUIRES " + r;
        }
        return null;
    }

    private Map<String, Boolean> features;

    /** The features the tool's {@code --info} reports, read as upstream's runner reads them (lines as written). */
    synchronized Map<String, Boolean> features() throws IOException, InterruptedException {
        if (features == null) {
            Process p = new ProcessBuilder("/bin/sh", "-c", tool + " --info").redirectErrorStream(true).start();
            String info = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Map<String, String> lines = Map.ofEntries(Map.entry("loop", "Loop support: yes"),
                    Map.entry("probe_read_kernel", "probe_read_kernel: yes"), Map.entry("btf", "btf: yes"),
                    Map.entry("kfunc", "kfunc: yes"), Map.entry("dpath", "dpath: yes"),
                    Map.entry("uprobe_refcount", "uprobe refcount (depends on Build:bcc bpf_attach_uprobe refcount): yes"),
                    Map.entry("bcc_usdt_addsem", "bcc_usdt_addsem: yes"), Map.entry("signal", "send_signal: yes"),
                    Map.entry("iter:task", "iter:task: yes"), Map.entry("iter:task_file", "iter:task_file: yes"),
                    Map.entry("libpath_resolv", "bcc library path resolution: yes"), Map.entry("dwarf", "libdw (DWARF support): yes"),
                    Map.entry("get_current_cgroup_id", "get_current_cgroup_id: yes"));
            Map<String, Boolean> have = new HashMap<>();
            lines.forEach((feature, line) -> have.put(feature, info.contains(line)));
            features = have;
        }
        return features;
    }

    static String kernel() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().replaceAll("[^0-9.].*", "");
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0, q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }

    /** Runs one case. */
    public Result run(RuntimeCase c) {
        long t0 = System.nanoTime();
        try {
            String skip = skipReason(c);
            if (skip != null) return new Result(c, "SKIP", 0, skip);
            Process before = null;
            String beforePid = "";
            if (c.before() != null) {
                before = startBefore(c);
                beforePid = pidof(c.before());
            }
            String cmd = c.prog() != null ? tool + " -e '" + c.prog() + "'"
                    : c.run().contains("|") ? V026_NOTIFY.formatted(tool) + c.run().replace("{{BPFTRACE}}", "__v017").replace("{{BEFORE_PID}}", beforePid)
                    : c.run().replace("{{BPFTRACE}}", tool).replace("{{BEFORE_PID}}", beforePid);
            // a session of its own, so that whatever the case leaves running is ended with it
            ProcessBuilder pb = new ProcessBuilder("setsid", "/bin/sh", "-c", cmd).directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put(NOTIFY, "1");
            Path bin = work.resolve("bin");
            if (Files.isDirectory(bin)) pb.environment().put("PATH", bin + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("BPFTRACE_VERIFY_LLVM_IR", "1");
            pb.environment().putAll(c.env());
            Process p = pb.start();
            p.getOutputStream().close();
            StringBuffer out = new StringBuffer();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] buf = new byte[4096];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (out) {
                            out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            out.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            long deadline = System.nanoTime() + 5_000_000_000L;
            synchronized (out) {
                while (out.indexOf(NOTIFY) < 0 && p.isAlive() && System.nanoTime() < deadline)
                    out.wait(Math.clamp((deadline - System.nanoTime()) / 1_000_000, 1, 20)); // and see the process end
            }
            Process after = null;
            if (c.after() != null && p.isAlive())
                after = new ProcessBuilder("/bin/sh", "-c", c.after()).directory(work.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean timedOut = !p.waitFor(c.timeout(), TimeUnit.SECONDS);
            if (timedOut) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                }
            }
            reader.join(5000);
            boolean slowExit = reader.isAlive(); // something the case started (a backgrounded tool) still held the output
            new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (after != null) {
                after.descendants().forEach(ProcessHandle::destroy);
                after.destroy();
            }
            if (before != null) {
                before.descendants().forEach(ProcessHandle::destroyForcibly);
                before.destroyForcibly();
            }
            String text = out.toString(); // the notification line stays, as in upstream's runner
            Pattern re = Pattern.compile(javaRegex(v026(c.expect())), timedOut ? 0 : Pattern.MULTILINE);
            boolean found = re.matcher(text).find();
            int code = p.exitValue();
            // as upstream's runner: after a timeout the exit status is not checked (the shell's would not be clean)
            boolean ok = found && (timedOut || code == 0 || c.willFail());
            String detail = (timedOut ? "timeout; " : slowExit ? "slow exit; " : "") + "exit " + code + (found ? "" : "; no match for /" + c.expect() + "/")
                    + "; output: " + abbreviate(text);
            return new Result(c, ok ? "PASS" : "FAIL", (System.nanoTime() - t0) / 1e9, ok ? "" : detail);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return new Result(c, "FAIL", (System.nanoTime() - t0) / 1e9, "runner: " + e);
        }
    }

    /**
     * A shell function {@code __v017} that runs the tool (%s) with the notification line moved from standard output,
     * where v0.26 prints it, to standard error, where v0.17 did and where the v0.17 cases that pipe the tool's
     * output into another program (json-output's, read as JSON) expect it; the tool's exit status is kept.
     */
    private static final String V026_NOTIFY = "__v017() { exec 4>&1; __rc=$( { { %s \"$@\"; echo $? >&5; } | sed -u -e '/^"
            + NOTIFY + "$/{w /dev/stderr' -e 'd}' >&4; } 5>&1 ); exec 4>&-; return $__rc; }; ";

    /**
     * A v0.17 expectation as v0.26 changed the output it matches (docs/lang.md lists the changes): "Attaching N
     * probes..." became "Attached N probes"; -p's messages; a missing tracepoint's.
     */
    static String v026(String expect) {
        return expect.replaceAll("Attaching (\\d+) probe(s?)(\\.\\.\\.)?", "Attached $1 probe$2")
                .replaceAll("pid '([0-9]+[^0-9'][^']*)' is not a valid decimal number", "Failed to parse pid: invalid trailing bytes: $1")
                .replaceAll("pid '([^0-9'][^']*)' is not a valid decimal number", "Failed to parse pid: invalid integer: $1")
                .replaceAll("pid '([0-9]+)' out of valid pid range \\\\\\[1,4194304\\\\\\]", "Pid out of range: $1")
                .replaceAll("ERROR: tracepoint not found: (\\S+)", "ERROR: No matches for tracepoint $1.");
    }

    /**
     * A Python regular expression in Java's syntax: Python takes a '{' that does not start a repetition such as
     * {2} or {1,3} literally, where Java rejects it.
     */
    static String javaRegex(String py) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < py.length(); i++) {
            char ch = py.charAt(i);
            if (ch == '\\' && i + 1 < py.length()) {
                sb.append(ch).append(py.charAt(++i));
            } else if (ch == '{' && !py.substring(i).matches("(?s)\\{\\d+(,\\d*)?}.*")) {
                sb.append("\\{");
            } else if (ch == '}' && !sb.toString().matches("(?s).*\\{\\d+(,\\d*)?")) {
                sb.append("\\}");
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private Process startBefore(RuntimeCase c) throws IOException, InterruptedException {
        Process b = new ProcessBuilder("/bin/sh", "-c", c.before()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 100 && pidof(c.before()).isEmpty(); i++) Thread.sleep(50);
        return b;
    }

    /** The pid of the process BEFORE started, as upstream finds it: {@code pidof -s} of its last word's base name. */
    static String pidof(String before) throws IOException, InterruptedException {
        String[] words = before.strip().split("\\s+");
        Process p = new ProcessBuilder("pidof", "-s", Path.of(words[words.length - 1]).getFileName().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String pid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? pid : "";
    }

    static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() > 400 ? one.substring(0, 400) + "..." : one;
    }

    /**
     * Runs {@code cases} on {@code jobs} threads; results in the order of the list. Cases that could disturb the
     * others run alone, after them: those that signal processes by name ({@code pkill bpftrace} would reach a
     * neighbour), the file-output cases, which share one file name, those probing execve, which see the
     * runner start the others, and those that clear and read the kernel's one trace buffer.
     */
    public List<Result> runAll(List<RuntimeCase> cases, int jobs) throws InterruptedException {
        java.util.Map<RuntimeCase, Result> done = inParallel(cases.stream().filter(c -> !exclusive(c)).toList(), jobs, this::run);
        for (RuntimeCase c : cases.stream().filter(CaseRunner::exclusive).toList()) done.put(c, run(c));
        try { // the mount point testprogs/mountns_wrapper makes (its tmpfs was only ever mounted in its namespace)
            Files.deleteIfExists(Path.of("/tmp/bpftrace-unshare-mountns-test"));
        } catch (IOException ignored) {
            // not empty, or not ours to remove
        }
        List<Result> out = new ArrayList<>();
        for (RuntimeCase c : cases) out.add(done.get(c));
        return out;
    }

    /** {@code run} of each of {@code cases} on {@code jobs} threads, by case (identity). */
    static <C, R> java.util.Map<C, R> inParallel(List<C> cases, int jobs, java.util.function.Function<C, R> run)
            throws InterruptedException {
        java.util.Map<C, R> done = new java.util.IdentityHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<R>> fs = new ArrayList<>();
            for (C c : cases) fs.add(pool.submit(() -> run.apply(c)));
            for (int i = 0; i < cases.size(); i++) {
                try {
                    done.put(cases.get(i), fs.get(i).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return done;
    }

    private static boolean exclusive(RuntimeCase c) {
        return exclusive(c.file(), c.prog(), c.run(), c.after(), c.before());
    }

    /** Whether a case of {@code file} with these PROG, RUN, AFTER and BEFORE texts (any may be null) must run alone. */
    static boolean exclusive(String file, String prog, String run, String afterCmd, String beforeCmd) {
        String all = (run == null ? "" : run) + " " + (afterCmd == null ? "" : afterCmd);
        String program = (prog == null ? "" : prog) + " " + all;
        String before = beforeCmd == null ? "" : beforeCmd;
        // a probe on execve sees the runner start the other cases, so such a case must have the machine alone; so
        // must a case on a test program (another case's run of it would fire its probes, or be its BEFORE_PID)
        // `kill ... $(pidof bpftrace)` signals every bpftrace running: the case must be the only one
        return file.equals("file-output") || all.contains("pkill") || all.contains("killall") || all.contains("pidof bpftrace")
                || program.contains("execve") || all.contains("/tracing/trace")
                || (program + " " + before).replace("testprogs/syscall", "").matches("(?s).*test(progs|libs)/.*");
    }

    /** The probe types CASES.tsv gives for each case id ({@code file:name}). */
    static Map<String, String> probeTypes(Path casesTsv) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(casesTsv).subList(1, Files.readAllLines(casesTsv).size())) {
            String[] f = line.split("\t", -1);
            out.merge(f[0] + ":" + f[1], f[3], (a, b) -> a + "," + b);
        }
        return out;
    }

    /** Only the cases whose probe types (from CASES.tsv) are all in {@code supported} ("-" for none). */
    static Predicate<RuntimeCase> probesIn(Map<String, String> types, List<String> supported) {
        return c -> {
            String t = types.getOrDefault(c.id(), "?");
            for (String p : t.split(",")) if (!supported.contains(p)) return false;
            return true;
        };
    }

    /**
     * {@code CaseRunner TOOL [JOBS] [REGEX]}: runs every case (or those whose file:name matches REGEX) with TOOL
     * (e.g. /usr/bin/bpftrace, or a bpf4j trace launcher) and prints one TSV line per case and a summary.
     */
    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("bpf4j.shared", Path.of(System.getProperty("user.dir")).resolve("../shared").normalize().toString())).resolve("bpftrace/tests");
        String tool = args[0];
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Pattern filter = args.length > 2 ? Pattern.compile(args[2]) : null;
        Path work = workdir(shared.resolve("runtime"));
        CaseRunner r = new CaseRunner(work, tool);
        List<RuntimeCase> cases = RuntimeCase.all(shared.resolve("runtime")).stream()
                .filter(c -> filter == null || filter.matcher(c.id()).find()).toList();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Result res : r.runAll(cases, jobs)) {
            System.out.println(res.c().file() + "\t" + res.c().name() + "\t" + res.status() + "\t"
                    + String.format("%.1f", res.seconds()) + "\t" + res.detail());
            counts.merge(res.status(), 1, Integer::sum);
        }
        System.out.println("# " + tool + ": " + counts);
        try (var files = Files.walk(work)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
