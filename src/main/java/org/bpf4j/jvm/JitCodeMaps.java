package org.bpf4j.jvm;

import org.bpf4j.symbols.ProcMaps;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@link CodeMap}s of the processes a symbolizer meets, by pid, for the code no mapped file holds (a JIT's): the
 * perf map a process's agent writes, when there is one; for a HotSpot JVM, a snapshot bpf4j asks the JVM for
 * ({@link PerfMaps#snapshot}) on its first address no map holds. Code compiled later is followed either by feeding
 * the compiled-method probes' events in ({@link #load}, {@link #unload}: profile, offcputime) or by asking again
 * when an address in the process's anonymous executable memory is still not found, at most once per refresh
 * interval (scripts' {@code ustack}).
 */
public final class JitCodeMaps {
    /** What is known of one process. */
    private static final class Proc {
        CodeMap code;
        boolean jvm, asked, failed;
        long askedAt;
    }

    private final Map<Integer, Proc> procs = new HashMap<>();
    private final Consumer<String> notes;
    private final long refreshNanos;

    /**
     * Maps asked for once per JVM, then kept fresh by the caller's probes when {@code refresh} is zero, or asked for
     * again on a miss at most every {@code refresh}; {@code notes} receives one line per JVM that could not be asked
     * (why).
     */
    public JitCodeMaps(Consumer<String> notes, Duration refresh) {
        this.notes = notes;
        this.refreshNanos = refresh.toNanos();
    }

    /** The code at {@code address} of process {@code pid} in its map as it stands, without asking the JVM. */
    public Optional<CodeMap.Code> known(int pid, long address) {
        Proc p = proc(pid);
        return p.code == null ? Optional.empty() : p.code.find(address);
    }

    /**
     * The code at {@code address} of process {@code pid}: from its map as it stands, or, in a HotSpot JVM, from a
     * snapshot taken now when none was (or when the last is older than the refresh interval and did not fail).
     */
    public Optional<CodeMap.Code> find(int pid, long address) {
        Optional<CodeMap.Code> c = known(pid, address);
        if (c.isPresent()) return c;
        Proc p = proc(pid);
        if (!p.jvm) return Optional.empty();
        if (!p.asked) prepare(pid);
        else if (refreshNanos > 0 && !p.failed && System.nanoTime() - p.askedAt >= refreshNanos && anonymousCode(pid, address)) refresh(pid, p);
        else return Optional.empty();
        return p.code.find(address);
    }

    /**
     * Asks JVM {@code pid} for its code map now (once), so that code it compiles from here on is followed by the
     * probes; otherwise that happens at the first address of the process no map holds. Not a JVM: nothing.
     */
    public void prepare(int pid) {
        Proc p = proc(pid);
        if (!p.jvm || p.asked) return;
        p.asked = true;
        p.askedAt = System.nanoTime();
        CodeMap m = p.code != null ? p.code : new CodeMap();
        p.code = m;
        if (pid == ProcessHandle.current().pid()) { // this JVM cannot attach to itself
            p.failed = true;
            return;
        }
        try {
            PerfMaps.snapshot(pid, m);
        } catch (JvmException e) {
            p.failed = true;
            notes.accept("JVM " + pid + ": its JIT frames are unnamed: " + e.getMessage());
        }
    }

    /** A new snapshot in place of the last: code freed since is gone from it, code compiled since is in it. */
    private void refresh(int pid, Proc p) {
        p.askedAt = System.nanoTime();
        CodeMap m = new CodeMap();
        try {
            PerfMaps.snapshot(pid, m);
            p.code = m;
        } catch (JvmException e) {
            p.failed = true; // exited, or stopped answering: keep what was known
        }
    }

    /**
     * Whether {@code address} is in executable memory no file backs (a code cache; not the vdso, the stack or a
     * library): only such an address is worth a new snapshot.
     */
    private static boolean anonymousCode(int pid, long address) {
        try {
            return ProcMaps.of(pid).containing(address).map(m -> m.executable() && !m.isFile() && !m.path().startsWith("[")).orElse(false);
        } catch (RuntimeException e) {
            return false; // exited
        }
    }

    /** True when process {@code pid} is a HotSpot JVM. */
    public boolean isJvm(int pid) { return proc(pid).jvm; }

    /** The code map of process {@code pid}, null when it has none. */
    public CodeMap codeMap(int pid) { return proc(pid).code; }

    /** HotSpot loaded compiled method {@code name} at {@code [start, start+size)} in process {@code pid}. */
    public void load(int pid, long start, long size, String name) {
        Proc p = procs.get(pid);
        if (p != null && p.code != null) p.code.load(start, size, name); // else its snapshot, when taken, has it
    }

    /** HotSpot freed a compiled version of method {@code name} in process {@code pid}. */
    public void unload(int pid, String name) {
        Proc p = procs.get(pid);
        if (p != null && p.code != null) p.code.unload(name);
    }

    private Proc proc(int pid) {
        Proc p = procs.get(pid);
        if (p != null) return p;
        p = new Proc();
        procs.put(pid, p);
        p.jvm = PerfMaps.isHotSpot(pid);
        if (Files.isRegularFile(PerfMaps.agentMap(pid))) { // an agent's map: any JIT, HotSpot's included
            p.code = new CodeMap();
            p.code.readPerfMap(PerfMaps.agentMap(pid));
        }
        return p;
    }
}
