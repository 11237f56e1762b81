package org.bpf4j.lang.sema;

import org.bpf4j.UserException;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the machine offers to attach to, for expanding wildcards and typing {@code args}: tracepoints and their
 * formats from tracefs, kernel symbols from kallsyms. Read lazily, so a script of BEGIN probes touches neither.
 */
public class ProbeCatalog {
    private final Supplier<Tracefs> tracefs;

    /** A catalog over {@code tracefs} (asked for only when a tracepoint is needed). */
    public ProbeCatalog(Supplier<Tracefs> tracefs) { this.tracefs = tracefs; }

    /** The running machine's catalog. */
    public static ProbeCatalog system() { return new ProbeCatalog(Tracefs::get); }

    /** Every tracepoint as {@code category:event}. */
    public List<String> tracepoints() { return tracefs.get().tracepoints(); }

    /** The format of one tracepoint; a {@link UserException} when there is none. */
    public EventFormat format(String category, String event) { return tracefs.get().format(category, event); }

    /** The address of kernel symbol {@code name}. */
    public Optional<Long> kernelSymbol(String name) { return Kallsyms.get().address(name); }

    /**
     * The concrete attach points {@code a} stands for: itself when it has no wildcard, else every match
     * (possibly none).
     */
    public List<Attach> expand(Attach a) {
        if (!a.wildcard()) return List.of(a);
        return switch (a) {
            case Attach.Tracepoint tp -> {
                Pattern cat = glob(tp.category()), ev = glob(tp.event());
                List<Attach> out = new ArrayList<>();
                for (String t : tracepoints()) {
                    int colon = t.indexOf(':');
                    if (cat.matcher(t.substring(0, colon)).matches() && ev.matcher(t.substring(colon + 1)).matches())
                        out.add(new Attach.Tracepoint(t.substring(0, colon), t.substring(colon + 1)));
                }
                yield out;
            }
            default -> throw new UserException("wildcards are not supported in " + a.text());
        };
    }

    /** A shell-style pattern ({@code *}, {@code ?}) as a regular expression. */
    public static Pattern glob(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }
}
