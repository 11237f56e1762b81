package org.bpf4j.stacks;

import org.bpf4j.jvm.CodeMap;
import org.bpf4j.jvm.JvmException;
import org.bpf4j.jvm.PerfMaps;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;
import org.bpf4j.UserException;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Names the frames of sampled stacks: kernel addresses from kallsyms; user addresses from the ELF symbols of the
 * process's mappings, and for code no file holds (a JIT's), from the process's {@link CodeMap}: for a HotSpot JVM
 * a snapshot bpf4j asks the JVM for on the process's first sample, kept fresh by {@link #javaLoad}/{@link #javaUnload}
 * (HotSpot's compiled-method probes); for other processes the perf map their agent writes, when there is one.
 * Names are taken when the sample arrives, so code loaded later at the same address does not rename it.
 */
public final class StackSymbols implements AutoCloseable {
    /** What kind of code a frame is in: the flame graph colours by it, and -a marks it. */
    public enum Kind { KERNEL, NATIVE, JIT, INTERPRETED, UNKNOWN }

    /** A frame's name and kind. */
    public record Frame(String name, Kind kind) {
        /** The name with BCC's and flamegraph.pl's annotation: {@code _[k]} kernel, {@code _[j]} JIT, {@code _[i]} interpreted. */
        public String annotated() {
            return switch (kind) {
                case KERNEL -> name + "_[k]";
                case JIT -> name + "_[j]";
                case INTERPRETED -> name + "_[i]";
                default -> name;
            };
        }
    }

    /** What bpf4j knows of one process. */
    private static final class Proc {
        UserSymbols elf;
        CodeMap code;
        boolean jvm, asked;
    }

    private final Map<Integer, Proc> procs = new HashMap<>();
    private final Consumer<String> notes;

    /** Symbolizes; {@code notes} receives one line per JVM that could not be asked for its code (why). */
    public StackSymbols(Consumer<String> notes) { this.notes = notes; }

    /** The kernel frame at {@code address}. */
    public Frame kernel(long address) {
        return new Frame(Kallsyms.get().containing(address).orElse("[unknown]"), Kind.KERNEL);
    }

    /** The user frame at {@code address} in process {@code pid}. */
    public Frame user(int pid, long address) {
        Proc p = proc(pid);
        if (p.code != null) {
            Optional<CodeMap.Code> c = p.code.find(address);
            if (c.isPresent()) return java(c.get().name());
        }
        if (p.elf != null) {
            Optional<UserSymbols.Resolved> r = p.elf.resolve(address);
            if (r.isPresent()) return new Frame(r.get().function(), Kind.NATIVE);
        }
        if (p.jvm && !p.asked) { // code no file holds, in a JVM: its JIT's; ask it once for its code map
            prepare(pid);
            Optional<CodeMap.Code> c = p.code.find(address);
            if (c.isPresent()) return java(c.get().name());
        }
        return new Frame("[unknown]", Kind.UNKNOWN);
    }

    private static Frame java(String name) {
        Kind k = name.equals("Interpreter") ? Kind.INTERPRETED : name.indexOf('.') > 0 && name.indexOf(' ') < 0 ? Kind.JIT : Kind.NATIVE;
        return new Frame(name, k);
    }

    /**
     * Asks JVM {@code pid} for its code map now (once), so that code it compiles from here on is followed by the
     * probes; otherwise that happens at the first address of the process no file holds. Not a JVM: nothing.
     */
    public void prepare(int pid) {
        Proc p = proc(pid);
        if (!p.jvm || p.asked) return;
        p.asked = true;
        CodeMap m = p.code != null ? p.code : new CodeMap();
        if (pid == ProcessHandle.current().pid()) {
            p.code = m; // this JVM cannot attach to itself
            return;
        }
        try {
            PerfMaps.snapshot(pid, m);
        } catch (JvmException e) {
            notes.accept("JVM " + pid + ": its JIT frames are unnamed: " + e.getMessage());
        }
        p.code = m;
    }

    /** True when process {@code pid} is a HotSpot JVM. */
    public boolean isJvm(int pid) { return proc(pid).jvm; }

    /** Whether {@code address} of process {@code pid} is in code bpf4j's map of its JIT holds. */
    public boolean inCodeMap(int pid, long address) {
        Proc p = proc(pid);
        return p.code != null && p.code.find(address).isPresent();
    }

    /** The code map of process {@code pid}, null when it has none. */
    public CodeMap codeMap(int pid) {
        return proc(pid).code;
    }

    /** HotSpot loaded compiled method {@code name} at {@code [start, start+size)} in process {@code pid}. */
    public void javaLoad(int pid, long start, long size, String name) {
        Proc p = procs.get(pid);
        if (p != null && p.code != null) p.code.load(start, size, name); // else its snapshot, when taken, has it
    }

    /** HotSpot freed a compiled version of method {@code name} in process {@code pid}. */
    public void javaUnload(int pid, String name) {
        Proc p = procs.get(pid);
        if (p != null && p.code != null) p.code.unload(name);
    }

    private Proc proc(int pid) {
        Proc p = procs.get(pid);
        if (p != null) return p;
        p = new Proc();
        procs.put(pid, p);
        try {
            p.elf = UserSymbols.of(pid);
        } catch (UserException e) {
            p.elf = null; // exited: its frames stay unknown
        }
        p.jvm = PerfMaps.isHotSpot(pid);
        if (Files.isRegularFile(PerfMaps.agentMap(pid))) { // an agent's map: any JIT, HotSpot's included
            p.code = new CodeMap();
            p.code.readPerfMap(PerfMaps.agentMap(pid));
        }
        return p;
    }

    /** Closes the ELF files opened for symbols. */
    @Override
    public void close() {
        for (Proc p : procs.values()) if (p.elf != null) p.elf.close();
        procs.clear();
    }
}
