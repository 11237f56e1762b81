package org.bpf4j.symbols;

import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Operation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The kernel's symbol table from /proc/kallsyms, sorted by address: resolves an address to the symbol that
 * starts there or contains it. Read once, on first use. Addresses read as 0 when kptr_restrict hides them.
 */
public final class Kallsyms {
    private static volatile Kallsyms instance;
    private final long[] addresses;
    private final String[] names;

    private Kallsyms(long[] addresses, String[] names) {
        this.addresses = addresses;
        this.names = names;
    }

    /** The running kernel's table, read and cached on first use. */
    public static Kallsyms get() {
        Kallsyms k = instance;
        if (k == null) {
            synchronized (Kallsyms.class) {
                if (instance == null) instance = read(Path.of("/proc/kallsyms"));
                k = instance;
            }
        }
        return k;
    }

    /**
     * The address of {@code symbol} in a kallsyms-format file, read only up to its line: one look-up without
     * building the table (which takes seconds on a slow machine, for a kprobe that needs one name).
     */
    public static Optional<Long> lookup(Path file, String symbol) {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (String line; (line = r.readLine()) != null; ) {
                int s1 = line.indexOf(' '), s2 = line.indexOf(' ', s1 + 1);
                if (s1 <= 0 || s2 < 0) continue;
                int end = line.indexOf('\t', s2 + 1);
                if ((end < 0 ? line.length() : end) - (s2 + 1) == symbol.length() && line.startsWith(symbol, s2 + 1))
                    return Optional.of(Long.parseUnsignedLong(line, 0, s1, 16));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The symbols of a kallsyms-format file whose names start with {@code prefix}, as {@code module:rest} (the
     * module {@code vmlinux} for the kernel's own), read in one pass without building the table.
     */
    public static java.util.SortedSet<String> withPrefix(Path file, String prefix) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (String line; (line = r.readLine()) != null; ) {
                int s1 = line.indexOf(' '), s2 = line.indexOf(' ', s1 + 1);
                if (s1 <= 0 || s2 < 0 || !line.startsWith(prefix, s2 + 1)) continue;
                int end = line.indexOf('\t', s2 + 1);
                String name = end < 0 ? line.substring(s2 + 1 + prefix.length()) : line.substring(s2 + 1 + prefix.length(), end);
                String module = end < 0 ? "vmlinux" : line.substring(end + 1).replaceAll("^\\[|\\]$", "");
                out.add(module + ":" + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Reads a kallsyms-format file ({@code address type name [module]} lines). */
    public static Kallsyms read(Path file) {
        int n = 0;
        long[] addr = new long[1 << 17];
        String[] name = new String[1 << 17];
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (String line; (line = r.readLine()) != null; ) {
                int s1 = line.indexOf(' '), s2 = line.indexOf(' ', s1 + 1);
                if (s1 <= 0 || s2 < 0) continue;
                int end = line.indexOf('\t', s2 + 1);
                if (n == addr.length) {
                    addr = Arrays.copyOf(addr, n * 2);
                    name = Arrays.copyOf(name, n * 2);
                }
                addr[n] = Long.parseUnsignedLong(line, 0, s1, 16);
                name[n] = end < 0 ? line.substring(s2 + 1) : line.substring(s2 + 1, end);
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        long[] a = addr;
        Arrays.sort(order, (x, y) -> Long.compareUnsigned(a[x], a[y]));
        long[] sortedAddr = new long[n];
        String[] sortedName = new String[n];
        for (int i = 0; i < n; i++) {
            sortedAddr[i] = addr[order[i]];
            sortedName[i] = name[order[i]];
        }
        return new Kallsyms(sortedAddr, sortedName);
    }

    /** The address of {@code symbol}, if the table has it (a linear scan: for occasional look-ups). */
    public Optional<Long> address(String symbol) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(symbol)) return Optional.of(addresses[i]);
        return Optional.empty();
    }

    /** The symbol that starts exactly at {@code address}. */
    public Optional<String> exact(long address) {
        int i = floor(address);
        return i >= 0 && addresses[i] == address && address != 0 ? Optional.of(names[i]) : Optional.empty();
    }

    /** The nearest symbol at or below {@code address} (what a stack trace shows, before adding the offset). */
    public Optional<String> containing(long address) {
        int i = floor(address);
        return i >= 0 && addresses[i] != 0 ? Optional.of(names[i]) : Optional.empty();
    }

    /** A symbol and where it starts. */
    public record Symbol(String name, long address) {}

    /** The nearest symbol at or below {@code address} with its start, for {@code name+0xoffset} (BCC's frames). */
    public Optional<Symbol> symbolAt(long address) {
        int i = floor(address);
        return i >= 0 && addresses[i] != 0 ? Optional.of(new Symbol(names[i], addresses[i])) : Optional.empty();
    }

    private int floor(long address) {
        int lo = 0, hi = addresses.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // several symbols can share an address: take the first of them, as bpftool does
        while (found > 0 && addresses[found - 1] == addresses[found]) found--;
        return found;
    }

    /**
     * Names helper calls in a program as the kernel returns it (BPF_OBJ_GET_INFO_BY_FD's xlated instructions),
     * as bpftool does: the helper table first when the imm is a helper id, else the kernel symbol at
     * {@code __bpf_call_base + imm}, where the verifier pointed the call (e.g. {@code __htab_map_lookup_elem}).
     */
    public CallNames xlatedCallNames() {
        long base = address("__bpf_call_base").orElse(0L);
        return insn -> {
            if (!(insn.op() instanceof Operation.Call(CallKind kind)) || kind != CallKind.HELPER) return Optional.empty();
            Optional<String> helper = CallNames.HELPERS.name(insn);
            if (helper.isPresent() || base == 0) return helper;
            return exact(base + (int) insn.imm());
        };
    }

    /** How many symbols the table holds. */
    public int size() { return names.length; }
}
