package org.bpf4j.cli;

import org.bpf4j.tracefs.Tracefs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code bpf4j bpflist}: BCC's bpflist, the processes that hold BPF programs and maps. */
@Command(name = "bpflist", mixinStandardHelpOptions = true,
        description = "Display processes currently using BPF programs and maps.",
        footer = {"", "examples:",
                "    bpf4j bpflist     # display all processes currently using BPF",
                "    bpf4j bpflist -v  # also count kprobes/uprobes",
                "    bpf4j bpflist -vv # display kprobes/uprobes and count them"})
public final class BpflistCommand implements Callable<Integer> {
    @Option(names = {"-v", "--verbosity"}, description = "count and display kprobes/uprobes as well")
    boolean[] verbosity = new boolean[0];

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One row: a process, an object type ("prog", "map", "kprobe", "uprobe") and how many it holds. */
    public record Row(long pid, String comm, String type, int count) {}

    private static final Pattern BPF_FD = Pattern.compile("anon_inode:bpf-([\\w-]+)");
    private static final Pattern BCC_PROBE = Pattern.compile("_bcc_(\\d+)\\s");

    /** Counts BPF descriptors per process from /proc/PID/fd, as BCC does (the fd links read anon_inode:bpf-prog and -map). */
    public static List<Row> scan(Map<Long, Map<String, Integer>> probes) {
        Map<Long, Map<String, Integer>> counts = new TreeMap<>();
        probes.forEach((pid, m) -> counts.computeIfAbsent(pid, k -> new TreeMap<>()).putAll(m));
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fd).toString();
                        } catch (IOException e) {
                            continue; // closed meanwhile
                        }
                        Matcher m = BPF_FD.matcher(target);
                        if (m.matches()) counts.computeIfAbsent(pid, k -> new TreeMap<>()).merge(m.group(1), 1, Integer::sum);
                    }
                } catch (IOException e) {
                    // the process exited, or we may not look at it
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Row> rows = new ArrayList<>();
        counts.forEach((pid, types) -> types.forEach((type, n) -> rows.add(new Row(pid, comm(pid), type, n))));
        return rows;
    }

    static String comm(long pid) {
        try {
            try (var in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "comm"))) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            }
        } catch (IOException e) {
            return "[unknown]";
        }
    }

    /** Probes BCC-style tools created ({@code ..._bcc_PID ...} in kprobe_events/uprobe_events), per process. */
    static Map<Long, Map<String, Integer>> probes(boolean list, PrintWriter out) {
        Map<Long, Map<String, Integer>> counts = new TreeMap<>();
        for (String typ : List.of("kprobe", "uprobe")) {
            if (list) out.println("open " + typ + "s:");
            Path events = Tracefs.get().root().resolve(typ + "_events");
            List<String> lines;
            try {
                lines = Files.exists(events) ? Files.readAllLines(events) : List.of();
            } catch (IOException e) {
                lines = List.of();
            }
            for (String probe : lines) {
                Matcher m = BCC_PROBE.matcher(probe + "\n");
                if (m.find()) counts.computeIfAbsent(Long.parseLong(m.group(1)), k -> new TreeMap<>()).merge(typ, 1, Integer::sum);
                if (list) out.println(probe.strip());
            }
            if (list) out.println();
        }
        return counts;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<Long, Map<String, Integer>> probes = verbosity.length > 0 ? probes(verbosity.length > 1, out) : Map.of();
        List<Row> rows = scan(probes);
        int typeWidth = 0;
        for (Row r : rows) typeWidth = Math.max(typeWidth, r.type().length());
        String format = "%-6s %-16s %-" + (typeWidth + 1) + "s %s%n";
        out.printf(format, "PID", "COMM", "TYPE", "COUNT");
        for (Row r : rows) out.printf(format, r.pid(), r.comm(), r.type(), r.count());
        out.flush();
        return 0;
    }
}
