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
 */
public record Config(String license, Type.StackMode stackMode, boolean printMapsOnExit, int maxMapKeys) {
    /** The licenses bpftrace accepts, in its order: those the kernel counts as GPL-compatible. */
    public static final List<String> LICENSES = List.of("Dual MIT/GPL", "Dual BSD/GPL", "Dual MPL/GPL",
            "GPL and additional rights", "GPL v2", "GPL");

    /** The defaults, as without a config block. */
    public static final Config DEFAULT = new Config("GPL", Type.StackMode.BPFTRACE, true, 4096);

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
            long n;
            try {
                n = Long.decode(k.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > Integer.MAX_VALUE)
                throw error(script, "Invalid value for max_map_keys: expected a positive integer, found: " + k);
            if (n > 0) keys = (int) n;   // 0: no size given, the default
        }
        return new Config(license, mode, print, keys);
    }

    private static SemanticError error(Script script, String message) {
        return new SemanticError(script.source(), Span.NONE, message);
    }
}
