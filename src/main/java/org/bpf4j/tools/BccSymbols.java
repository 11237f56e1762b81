package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Addresses named as BCC's {@code sym()}/{@code ksym()} with module and offset name them: {@code do_sys_open+0x1
 * [kernel]}, {@code work+0x9 [work]}, {@code [unknown]} when nothing covers the address. A process's mappings are
 * read at its first address (or earlier, {@link #prepare}), so a process that has exited by then stays unknown.
 */
final class BccSymbols implements AutoCloseable {
    private final Map<Integer, Optional<UserSymbols>> procs = new HashMap<>();

    /** Reads process {@code pid}'s mappings now, while it runs (trace -p). */
    void prepare(int pid) {
        procs.computeIfAbsent(pid, BccSymbols::open);
    }

    private static Optional<UserSymbols> open(int pid) {
        try {
            return Optional.of(UserSymbols.of(pid));
        } catch (UserException e) {
            return Optional.empty(); // exited
        }
    }

    /** A kernel address: {@code name+0xOFF [kernel]}. */
    String kernel(long address) {
        Kallsyms k = Kallsyms.get();
        Optional<String> name = k.containing(address);
        if (name.isEmpty()) return "[unknown]";
        long start = k.address(name.get()).orElse(address);
        return name.get() + "+0x" + Long.toHexString(address - start) + " [kernel]";
    }

    /** An address in process {@code pid}: {@code name+0xOFF [file]}. */
    String user(int pid, long address) {
        Optional<UserSymbols> u = procs.computeIfAbsent(pid, BccSymbols::open);
        Optional<UserSymbols.Resolved> r = u.flatMap(s -> s.resolve(address));
        if (r.isEmpty()) return "[unknown]";
        return r.get().function() + "+0x" + Long.toHexString(r.get().offset()) + " [" + r.get().file().getFileName() + "]";
    }

    /** Closes the ELF files opened. */
    @Override
    public void close() {
        for (Optional<UserSymbols> u : procs.values()) u.ifPresent(UserSymbols::close);
        procs.clear();
    }
}
