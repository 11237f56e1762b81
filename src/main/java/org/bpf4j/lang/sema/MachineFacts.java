package org.bpf4j.lang.sema;

import org.bpf4j.usdt.UsdtArgument;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the code generator needs to know of the machine, looked up while checking (through the {@link ProbeCatalog},
 * the checker's view of the machine) and handed on in the {@link Analysis}, so that code generation reads nothing:
 * the cgroup ids {@code cgroupid()} names, the symbols {@code uaddr()} names in the probed binaries, the link-time
 * address of the instruction a uprobe in a position-independent file is on, and the deepest stack the kernel
 * records ({@code kernel.perf_event_max_stack}); and the argument layouts of the USDT probes whose arguments are
 * read (by the layout's text as the notes write it: one program per layout). {@code kaddr()}'s symbols are not
 * here: they are relocations the runtime fills in at load (codegen's SymbolRelocation).
 */
public record MachineFacts(Map<String, Long> cgroupIds, Map<String, Long> userSymbols, Map<Attach, Long> probedAddresses,
                           Map<Attach.Usdt, Map<String, List<UsdtArgument>>> usdtLayouts, int maxStackDepth) {
    /** The stack depth bpftrace gives stacks by default, and the kernel's default perf_event_max_stack. */
    public static final int STACK_DEPTH = 127;

    public MachineFacts {
        cgroupIds = Map.copyOf(cgroupIds);
        userSymbols = Map.copyOf(userSymbols);
        probedAddresses = Map.copyOf(probedAddresses);
        Map<Attach.Usdt, Map<String, List<UsdtArgument>>> layouts = new HashMap<>();
        usdtLayouts.forEach((u, l) -> layouts.put(u, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(l))));
        usdtLayouts = Map.copyOf(layouts);
    }

    /** The argument layouts of USDT probe {@code u}'s sites, in the notes' order, as the checker read them. */
    public Map<String, List<UsdtArgument>> usdtLayouts(Attach.Usdt u) {
        Map<String, List<UsdtArgument>> layouts = usdtLayouts.get(u);
        if (layouts == null) throw new IllegalStateException("USDT layouts not read while checking: " + u.text());
        return layouts;
    }

    /** The id of the cgroup at {@code path} (relative to the cgroup2 mount), or 0 when there is none. */
    public long cgroupId(String path) { return cgroupIds.getOrDefault(path, 0L); }

    /** The link-time address of {@code symbol} in {@code binary}, as the checker resolved it. */
    public long userSymbol(String binary, String symbol) {
        Long v = userSymbols.get(key(binary, symbol));
        if (v == null) throw new IllegalStateException("not resolved while checking: " + binary + ":" + symbol);
        return v;
    }

    /** The link-time address of the instruction {@code point} is on, when its file is position-independent. */
    public Optional<Long> probedAddress(Attach point) { return Optional.ofNullable(probedAddresses.get(point)); }

    static String key(String binary, String symbol) { return binary + ":" + symbol; }

    /** The facts as the checker gathers them. */
    static final class Builder {
        final Map<String, Long> cgroupIds = new HashMap<>();
        final Map<String, Long> userSymbols = new HashMap<>();
        final Map<Attach, Long> probedAddresses = new HashMap<>();
        final Map<Attach.Usdt, Map<String, List<UsdtArgument>>> usdtLayouts = new HashMap<>();

        MachineFacts build(int maxStackDepth) {
            return new MachineFacts(cgroupIds, userSymbols, probedAddresses, usdtLayouts, maxStackDepth);
        }
    }
}
