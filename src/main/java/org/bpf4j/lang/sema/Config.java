package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Span;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of a script's v0.26 {@code config = { ... }} block that change what bpf4j does, checked and typed:
 * the programs' license, the default stack mode, whether maps print at exit. Derived from the script alone, so
 * the checker (which refuses a bad value), the code generator and the runtime read the same values.
 *
 * @param license         the license the programs are loaded with (the kernel gives GPL-only helpers to GPL ones)
 * @param stackMode       how kstack/ustack print when the call does not say
 * @param printMapsOnExit whether the maps print when tracing ends
 * @param maxMapKeys      the entries each of the script's maps is made with ({@code max_map_keys})
 * @param maxStrlen       the bytes of a string {@code str()} reads, its NUL included ({@code max_strlen}: 64 unless
 *                        set, v0.17's default, so that a string fits the BPF stack; longer ones live in scratch maps)
 * @param dummyTsMap      bpftrace's test hook {@code BPFTRACE_DUMMY_TS_MAP=@name}: tseries() takes its time from that
 *                        scalar map (null: CLOCK_TAI)
 */
public record Config(String license, Type.StackMode stackMode, boolean printMapsOnExit, int maxMapKeys, int maxStrlen,
                     String dummyTsMap) {
    /** The most {@code max_strlen} may be: what one CPU's scratch memory of a program holds (the kernel's per-CPU limit is 32 KiB). */
    public static final int MAX_STRLEN_LIMIT = 16384;

    /** The licenses bpftrace accepts, in its order: those the kernel counts as GPL-compatible. */
    public static final List<String> LICENSES = List.of("Dual MIT/GPL", "Dual BSD/GPL", "Dual MPL/GPL",
            "GPL and additional rights", "GPL v2", "GPL");

    /** The setting the environment's {@code BPFTRACE_DUMMY_TS_MAP} becomes (not a name a config block may use). */
    public static final String DUMMY_TS_MAP = "dummy_ts_map";

    /** The defaults, as without a config block. */
    public static final Config DEFAULT = new Config("GPL", Type.StackMode.BPFTRACE, true, 4096, 64, null);

    /** The settings of {@code script}'s config block; a value bpftrace would refuse is a {@link SemanticError}. */
    public static Config of(Script script) {
        Map<String, String> c = script.config();
        if (c.isEmpty()) return DEFAULT;
        String license = c.getOrDefault("license", DEFAULT.license());
        if (!LICENSES.contains(license))
            throw error(script, "Invalid value for license. Found: " + license + ". Valid values: " + String.join(", ", LICENSES));
        Type.StackMode mode = DEFAULT.stackMode();
        String m = c.get("stack_mode");
        if (m != null) {
            try {
                mode = Type.StackMode.valueOf(m.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(script, "Invalid value for stack_mode: valid values are bpftrace, perf and raw, found: " + m);
            }
        }
        String p = c.get("print_maps_on_exit");
        boolean print = p == null || switch (p.toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw error(script, "Invalid value for print_maps_on_exit: expected a boolean (0, 1, true, false), found: " + p);
        };
        int keys = DEFAULT.maxMapKeys();
        String k = c.get("max_map_keys");
        if (k != null) {
            long n = number(k);
            if (n < 0 || n > Integer.MAX_VALUE)
                throw error(script, "Invalid value for max_map_keys: expected a positive integer, found: " + k);
            if (n > 0) keys = (int) n;   // 0: no size given, the default
        }
        int strlen = DEFAULT.maxStrlen();
        String l = c.get("max_strlen");
        if (l != null) {
            long n = number(l);
            if (n < 1 || n > MAX_STRLEN_LIMIT)
                throw error(script, "Invalid value for max_strlen: expected an integer from 1 to " + MAX_STRLEN_LIMIT + ", found: " + l);
            strlen = (int) n;
        }
        return new Config(license, mode, print, keys, strlen, c.get(DUMMY_TS_MAP));
    }

    private static long number(String text) {
        try {
            return Long.decode(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static SemanticError error(Script script, String message) {
        return new SemanticError(script.source(), Span.NONE, message);
    }
}
