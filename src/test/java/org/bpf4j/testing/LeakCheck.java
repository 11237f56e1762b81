package org.bpf4j.testing;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Native;
import org.bpf4j.sys.ObjInfo;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Fails a test class that leaves a BPF, perf or epoll file descriptor open in this JVM, or an orphan in the
 * kernel: a BPF program or map that was not there before the class, that no live process holds a descriptor
 * of, and (for maps) that no live program uses, i.e. something pinned or attached that outlived its owner.
 * Objects other processes hold (other test runs, other tools) are theirs, not leaks. That system-wide part runs
 * where this JVM has the machine's BPF objects to itself: in CI ({@code CI} set) or with
 * {@code BPF4J_LEAKCHECK=global}; elsewhere concurrent tools (bpftrace holds programs through perf events only,
 * invisible in fdinfo) would be mistaken for leaks. New pins on bpffs are always leaks.
 * Registered for every test through ServiceLoader auto-detection (junit-platform.properties).
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", snapshot());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Snapshot before = context.getStore(NS).get("before", Snapshot.class);
        if (before == null) return;
        Snapshot after = snapshot();
        // Programs and the maps they hold are freed after an RCU grace period, which a loaded machine stretches
        // to seconds: wait for them (up to 10 s; nothing is waited for when nothing is pending).
        for (int i = 0; i < 100 && !after.leaksAgainst(before).isEmpty(); i++) {
            Thread.sleep(100);
            after = snapshot();
        }
        String leaks = after.leaksAgainst(before);
        if (!leaks.isEmpty()) throw new AssertionError(context.getDisplayName() + " leaked: " + leaks);
    }

    /** The kernel objects a process can see: its own BPF-related fds and, as root, every program and map id. */
    record Snapshot(Set<String> fds, Set<String> pins, Set<Integer> progs, Set<Integer> maps) {
        String leaksAgainst(Snapshot before) {
            StringBuilder sb = new StringBuilder();
            Set<String> f = new TreeSet<>(fds);
            f.removeAll(before.fds);
            if (!f.isEmpty()) sb.append("file descriptors ").append(f).append(' ');
            Set<String> pinned = new TreeSet<>(pins);
            pinned.removeAll(before.pins);
            if (!pinned.isEmpty()) sb.append("pinned objects ").append(pinned).append(' ');
            Set<Integer> p = new TreeSet<>(progs);
            p.removeAll(before.progs);
            Set<Integer> m = new TreeSet<>(maps);
            m.removeAll(before.maps);
            if (!p.isEmpty() || !m.isEmpty()) {
                Held held = held();
                p.removeAll(held.progs);
                m.removeAll(held.maps);
            }
            if (!p.isEmpty()) sb.append("orphan BPF program ids ").append(p).append(' ');
            if (!m.isEmpty()) sb.append("orphan BPF map ids ").append(m);
            return sb.toString().trim();
        }
    }

    /** Program and map ids some live process holds through a descriptor, and the maps those programs use. */
    record Held(Set<Integer> progs, Set<Integer> maps) {}

    static Held held() {
        Set<Integer> progs = new TreeSet<>(), maps = new TreeSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try (Stream<Path> infos = Files.list(proc.resolve("fdinfo"))) {
                    for (Path info : infos.toList()) {
                        try {
                            for (String line : Files.readAllLines(info)) {
                                if (line.startsWith("prog_id:")) progs.add(Integer.parseInt(line.substring(8).trim()));
                                else if (line.startsWith("map_id:")) maps.add(Integer.parseInt(line.substring(7).trim()));
                            }
                        } catch (IOException | NumberFormatException ignored) {
                            // the descriptor closed while we read it
                        }
                    }
                } catch (IOException ignored) {
                    // the process exited, or we may not look
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        for (int id : progs) {
            try (var fd = ObjInfo.fdById(BpfCmd.PROG_GET_FD_BY_ID, id)) {
                for (int map : org.bpf4j.prog.ProgramInfo.read(fd.value()).mapIds()) maps.add(map);
            } catch (RuntimeException ignored) {
                // unloaded meanwhile
            }
        }
        return new Held(progs, maps);
    }

    /** True where the system-wide orphan check can trust that every BPF object is this test run's. */
    static final boolean GLOBAL = System.getenv("CI") != null || "global".equals(System.getenv("BPF4J_LEAKCHECK"));

    static Snapshot snapshot() {
        return GLOBAL ? new Snapshot(bpfFds(), pins(), ids(BpfCmd.PROG_GET_NEXT_ID), ids(BpfCmd.MAP_GET_NEXT_ID))
                : new Snapshot(bpfFds(), pins(), Set.of(), Set.of());
    }

    /** Everything pinned on bpffs, but the kernel's own preloaded iterators ({@code *.debug}). */
    private static Set<String> pins() {
        Set<String> out = new TreeSet<>();
        Path root = Path.of("/sys/fs/bpf");
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.walk(root, 8)) {
            s.filter(p -> !p.equals(root) && !p.getFileName().toString().endsWith(".debug")).forEach(p -> out.add(p.toString()));
        } catch (IOException | java.io.UncheckedIOException e) {
            // a pin vanished while we walked: the next snapshot sees the truth
        }
        return out;
    }

    private static Set<String> bpfFds() {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("anon_inode:bpf") || target.equals("anon_inode:[perf_event]")
                            || target.equals("anon_inode:[eventpoll]"))
                        out.add(p.getFileName() + "=" + target);
                } catch (IOException ignored) {
                    // closed while we listed it
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static Set<Integer> ids(BpfCmd cmd) {
        Set<Integer> out = new TreeSet<>();
        if (!System.getProperty("os.name").equals("Linux") || Native.geteuid() != 0) return out;
        try {
            for (int id = ObjInfo.nextId(cmd, 0); id > 0; id = ObjInfo.nextId(cmd, id)) out.add(id);
        } catch (RuntimeException e) {
            // no bpf(2) here: nothing to compare
        }
        return out;
    }
}
