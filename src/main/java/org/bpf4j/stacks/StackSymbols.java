package org.bpf4j.stacks;

import org.bpf4j.jvm.CodeMap;
import org.bpf4j.jvm.JitCodeMaps;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;
import org.bpf4j.UserException;

import java.time.Duration;
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

    private final Map<Integer, Optional<UserSymbols>> elf = new HashMap<>();
    private final JitCodeMaps jit;

    /** Symbolizes; {@code notes} receives one line per JVM that could not be asked for its code (why). */
    public StackSymbols(Consumer<String> notes) { this.jit = new JitCodeMaps(notes, Duration.ZERO); }

    /** The kernel frame at {@code address}. */
    public Frame kernel(long address) {
        return new Frame(Kallsyms.get().containing(address).orElse("[unknown]"), Kind.KERNEL);
    }

    /** The user frame at {@code address} in process {@code pid}. */
    public Frame user(int pid, long address) {
        Optional<CodeMap.Code> c = jit.known(pid, address);
        if (c.isPresent()) return java(c.get().name());
        Optional<UserSymbols.Resolved> r = elf(pid).flatMap(u -> u.resolve(address));
        if (r.isPresent()) return new Frame(r.get().function(), Kind.NATIVE);
        c = jit.find(pid, address); // code no file holds, in a JVM: its JIT's; asked for once
        if (c.isPresent()) return java(c.get().name());
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
    public void prepare(int pid) { jit.prepare(pid); }

    /** True when process {@code pid} is a HotSpot JVM. */
    public boolean isJvm(int pid) { return jit.isJvm(pid); }

    /** Whether {@code address} of process {@code pid} is in code bpf4j's map of its JIT holds. */
    public boolean inCodeMap(int pid, long address) { return jit.known(pid, address).isPresent(); }

    /** The code map of process {@code pid}, null when it has none. */
    public CodeMap codeMap(int pid) { return jit.codeMap(pid); }

    /** HotSpot loaded compiled method {@code name} at {@code [start, start+size)} in process {@code pid}. */
    public void javaLoad(int pid, long start, long size, String name) { jit.load(pid, start, size, name); }

    /** HotSpot freed a compiled version of method {@code name} in process {@code pid}. */
    public void javaUnload(int pid, String name) { jit.unload(pid, name); }

    private Optional<UserSymbols> elf(int pid) {
        return elf.computeIfAbsent(pid, p -> {
            try {
                return Optional.of(UserSymbols.of(p));
            } catch (UserException e) {
                return Optional.empty(); // exited: its frames stay unknown
            }
        });
    }

    /** Closes the ELF files opened for symbols. */
    @Override
    public void close() {
        elf.values().forEach(u -> u.ifPresent(UserSymbols::close));
        elf.clear();
    }
}
