package org.bpf4j.lang.runtime;

import org.bpf4j.jvm.CodeMap;
import org.bpf4j.jvm.JitCodeMaps;
import org.bpf4j.symbols.Cgroups;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;
import org.bpf4j.sys.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the runtime shows in place of numbers: kernel symbols, user names, cgroup paths, errno messages, and the
 * offset from the monotonic clock (what BPF's ktime gives) to wall-clock time. Everything is read on first use.
 * User code no mapped file holds is named from the process's JIT code map ({@link JitCodeMaps}, as profile names
 * it): an agent's perf map, or for a HotSpot JVM a snapshot of its code cache through the attach API, taken the
 * first time such an address of the JVM is printed and again, at most every second, for an address still unknown
 * (code compiled since). None of that is loaded until a frame needs it.
 */
final class Symbols implements AutoCloseable {
    private Map<Long, String> users;
    private final Map<Long, Optional<UserSymbols>> processes = new HashMap<>();
    private final long monoToRealtime;
    private JitCodeMaps jit;
    private static final Duration JIT_REFRESH = Duration.ofSeconds(1);

    Symbols() {
        this.monoToRealtime = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    }

    /** Wall-clock nanoseconds since 1970 for a monotonic (ktime) timestamp. */
    long realtime(long monotonicNs) { return monotonicNs + monoToRealtime; }

    /** The kernel symbol containing {@code addr}, with {@code +offset} when asked, or hex. */
    String ksym(long addr, boolean offset) {
        Optional<String> s = addr == 0 ? Optional.empty() : Kallsyms.get().containing(addr);
        if (s.isEmpty()) return addr == 0 ? "0" : "0x" + Long.toHexString(addr);
        if (!offset) return s.get();
        long start = Kallsyms.get().address(s.get()).orElse(addr);
        return s.get() + "+" + (addr - start);
    }

    /**
     * The function of process {@code pid} that contains {@code addr}, with {@code +offset} when asked, or hex when
     * the process is gone or the address is in no symbolized file or JIT code. A process's mappings are read once.
     */
    String usym(long addr, long pid, boolean offset) {
        Optional<UserSymbols.Resolved> r = resolve(addr, pid);
        if (r.isPresent()) return offset ? r.get().toString() : r.get().function();
        Optional<CodeMap.Code> c = jit(addr, pid);
        if (c.isPresent()) return offset ? c.get().name() + "+" + (addr - c.get().start()) : c.get().name();
        return addr == 0 ? "0" : "0x" + Long.toHexString(addr); // as bpftrace prints (void *) 0
    }

    /**
     * A user frame as perf prints it: {@code function+offset (module)}, JIT code's module being the process's perf
     * map as perf names it ({@code /tmp/perf-PID.map}), or {@code 0xADDR ([unknown])}.
     */
    String usymModule(long addr, long pid) {
        Optional<UserSymbols.Resolved> r = resolve(addr, pid);
        if (r.isPresent()) return r.get().function() + "+" + r.get().offset() + " (" + r.get().file() + ")";
        Optional<CodeMap.Code> c = jit(addr, pid);
        if (c.isPresent()) return c.get().name() + "+" + (addr - c.get().start()) + " (/tmp/perf-" + pid + ".map)";
        return "0x" + Long.toHexString(addr) + " ([unknown])";
    }

    private Optional<UserSymbols.Resolved> resolve(long addr, long pid) {
        Optional<UserSymbols> us = processes.computeIfAbsent(pid, p -> {
            try {
                return Optional.of(UserSymbols.of((int) (long) p));
            } catch (RuntimeException e) {
                return Optional.empty(); // exited
            }
        });
        return us.flatMap(u -> u.resolve(addr));
    }

    /** The JIT code at {@code addr} in process {@code pid}, for an address no file holds. */
    private Optional<CodeMap.Code> jit(long addr, long pid) {
        if (addr == 0 || pid <= 0 || pid > Integer.MAX_VALUE) return Optional.empty();
        if (jit == null) jit = new JitCodeMaps(note -> System.err.println("WARNING: " + note), JIT_REFRESH);
        return jit.find((int) pid, addr);
    }

    @Override
    public void close() {
        processes.values().forEach(u -> u.ifPresent(UserSymbols::close));
        processes.clear();
    }

    /** The user of {@code uid} from /etc/passwd, or the number. */
    String user(long uid) {
        if (users == null) {
            users = new HashMap<>();
            try {
                for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
                    String[] f = l.split(":");
                    if (f.length > 2) try { users.put(Long.parseLong(f[2]), f[0]); } catch (NumberFormatException ignored) { }
                }
            } catch (IOException ignored) {
                // no passwd: numbers
            }
        }
        return users.getOrDefault(uid, String.valueOf(uid));
    }

    /** The cgroup v2 path whose directory inode is {@code id}, as bpftrace shows it ({@code unified:/path}). */
    String cgroupPath(long id) {
        return Cgroups.path(id).map(p -> "unified:/" + Cgroups.ROOT.relativize(p))
                .orElse("unified:/(unknown cgroup " + id + ")");
    }

    /** The C library's message for {@code errno}. */
    String strerror(long errno) { return Native.strerror((int) errno); }
}
