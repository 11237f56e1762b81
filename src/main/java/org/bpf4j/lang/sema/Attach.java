package org.bpf4j.lang.sema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A probe's attach point, parsed: which kind of hook and its parts. The text may still hold wildcards
 * ({@code sys_enter_*}); {@link ProbeCatalog} expands them into concrete points.
 */
public sealed interface Attach {
    /** The canonical text, with the probe type's long name ({@code tracepoint:syscalls:sys_enter_kill}). */
    String text();

    /** The probe type's name as v0.26's {@code probetype} builtin gives it ({@code special} for begin and end). */
    default String probeType() {
        return switch (this) {
            case Begin b -> "special";
            case End e -> "special";
            case Signal s -> "special";
            case Run r -> r.kind();
            case Tracepoint t -> "tracepoint";
            case RawTracepoint r -> "rawtracepoint";
            case Uprobe u -> u.ret() ? "uretprobe" : "uprobe";
            case Usdt u -> "usdt";
            case Profile p -> "profile";
            case Interval i -> "interval";
            case Software s -> "software";
            case Hardware h -> "hardware";
            case Kprobe k -> k.ret() ? "kretprobe" : "kprobe";
            case Fentry f -> f.ret() ? "fexit" : "fentry";
            case Unsupported u -> u.type();
        };
    }

    /** True when the text has a wildcard to expand. */
    default boolean wildcard() { return text().indexOf('*') >= 0 || text().indexOf('?') >= 0; }

    /** {@code BEGIN}: runs once, before the other probes fire. */
    record Begin() implements Attach { public String text() { return "BEGIN"; } }

    /** {@code END}: runs once, when the script exits. */
    record End() implements Attach { public String text() { return "END"; } }

    /** {@code self:signal:SIGNAL}: runs when the tool itself receives the signal (v0.26: SIGUSR1 only). */
    record Signal(String signal) implements Attach {
        public String text() { return "self:signal:" + signal; }
    }

    /**
     * v0.26's {@code bench:NAME} and {@code test:NAME} ({@code kind} "bench" or "test"): run by the tool itself
     * with BPF_PROG_TEST_RUN under {@code --bench} / {@code --test}, never attached.
     */
    record Run(String kind, String name) implements Attach {
        public String text() { return kind + ":" + name; }
    }

    /** {@code tracepoint:category:event}. */
    record Tracepoint(String category, String event) implements Attach {
        public String text() { return "tracepoint:" + category + ":" + event; }
    }

    /** {@code rawtracepoint:[module:]event}; the module is empty when not written (any module's event). */
    record RawTracepoint(String module, String event) implements Attach {
        public String text() { return "rawtracepoint:" + (module.isEmpty() ? "" : module + ":") + event; }
    }

    /** {@code uprobe:binary:symbol[+offset]} or {@code uprobe:binary:address}; {@code ret} for uretprobe. */
    record Uprobe(String binary, String symbol, long offset, boolean ret) implements Attach {
        public String text() {
            String where = symbol.isEmpty() ? "0x" + Long.toHexString(offset) : symbol + (offset != 0 ? "+" + offset : "");
            return (ret ? "uretprobe:" : "uprobe:") + binary + ":" + where;
        }
    }

    /** {@code usdt:binary:[provider:]name}. */
    record Usdt(String binary, String provider, String name) implements Attach {
        public String text() { return "usdt:" + binary + ":" + (provider.isEmpty() ? "" : provider + ":") + name; }
    }

    /** {@code profile:hz:N} or {@code profile:s|ms|us:N}: on every CPU. */
    record Profile(String unit, long value) implements Attach {
        public String text() { return "profile:" + unit + ":" + value; }
    }

    /** {@code interval:s|ms|us|hz:N}: on one CPU. */
    record Interval(String unit, long value) implements Attach {
        public String text() { return "interval:" + unit + ":" + value; }
    }

    /** {@code software:event[:count]}. */
    record Software(String event, long count) implements Attach {
        public String text() { return "software:" + event + ":" + count; }
    }

    /** {@code hardware:event[:count]}. */
    record Hardware(String event, long count) implements Attach {
        public String text() { return "hardware:" + event + ":" + count; }
    }

    /** {@code kprobe:function[+offset]}; {@code ret} for kretprobe. */
    record Kprobe(String function, long offset, boolean ret) implements Attach {
        public String text() { return (ret ? "kretprobe:" : "kprobe:") + function + (offset != 0 ? "+" + offset : ""); }
    }

    /** {@code kfunc:function} (fentry) or {@code kretfunc:function} (fexit). */
    record Fentry(String function, boolean ret) implements Attach {
        public String text() { return (ret ? "kretfunc:" : "kfunc:") + function; }
    }

    /** A probe type bpftrace has that this machine kind cannot serve at all (watchpoint, iter). */
    record Unsupported(String type, String text) implements Attach {}

    /**
     * Parses one attach point; an {@link IllegalArgumentException} carries what is wrong, for the caller to place.
     */
    static Attach parse(String raw) {
        String text = unquote(raw);
        // v0.26: begin/end are the documented spelling, and probe types are case-insensitive
        if (text.equalsIgnoreCase("BEGIN")) return new Begin();
        if (text.equalsIgnoreCase("END")) return new End();
        String[] p = split(raw);
        String type = p[0].length() > 2 ? p[0].toLowerCase(Locale.ROOT) : p[0];
        switch (type) {
            case "tracepoint", "t" -> {
                if (p.length != 3 || p[1].isEmpty() || p[2].isEmpty())
                    throw new IllegalArgumentException(type + " probe type requires 2 arguments");
                return new Tracepoint(p[1], p[2]);
            }
            case "rawtracepoint", "rt" -> {
                if (p.length < 2 || p.length > 3 || p[p.length - 1].isEmpty())
                    throw new IllegalArgumentException("rawtracepoint wants rawtracepoint:[module:]event");
                return new RawTracepoint(p.length == 3 ? p[1] : "", p[p.length - 1]);
            }
            case "uprobe", "u", "uretprobe", "ur" -> {
                boolean ret = type.startsWith("ur");
                if (p.length < 3) throw new IllegalArgumentException(type + " probe type requires 2 arguments");
                String bin = String.join(":", java.util.Arrays.copyOfRange(p, 1, p.length - 1));
                String where = p[p.length - 1];
                if (where.isEmpty()) throw new IllegalArgumentException(type + ": no function or address given");
                if (Character.isDigit(where.charAt(0))) return new Uprobe(bin, "", number(where), ret);
                int plus = where.indexOf('+');
                if (plus >= 0) return new Uprobe(bin, where.substring(0, plus), number(where.substring(plus + 1)), ret);
                return new Uprobe(bin, where, 0, ret);
            }
            case "usdt", "U" -> {
                if (p.length == 3) return new Usdt(p[1], "", p[2]);
                if (p.length == 4) return new Usdt(p[1], p[2], p[3]);
                throw new IllegalArgumentException("usdt probe type requires 2 or 3 arguments");
            }
            case "profile", "p", "interval", "i" -> {
                boolean profile = type.startsWith("p");
                if (p.length == 2) { // v0.26: the unit inside the value (interval:1s, i:500ms; a bare number is ns)
                    var m = java.util.regex.Pattern.compile("([0-9]+)(ns|us|ms|s|m|h|d|hz)?").matcher(p[1]);
                    if (!m.matches()) throw new IllegalArgumentException("invalid " + (profile ? "profile" : "interval") + " rate '" + p[1] + "'");
                    long n = number(m.group(1));
                    String unit = m.group(2) == null ? "ns" : m.group(2);
                    switch (unit) {
                        case "m" -> { n *= 60; unit = "s"; }
                        case "h" -> { n *= 3600; unit = "s"; }
                        case "d" -> { n *= 86400; unit = "s"; }
                        default -> { }
                    }
                    if (n <= 0) throw new IllegalArgumentException((profile ? "profile" : "interval") + " rate must be positive");
                    return profile ? new Profile(unit, n) : new Interval(unit, n);
                }
                if (p.length != 3) throw new IllegalArgumentException((profile ? "profile" : "interval") + " wants " + type + ":unit:N");
                String unit = p[1];
                if (!(unit.equals("hz") || unit.equals("s") || unit.equals("ms") || unit.equals("us") || unit.equals("ns")))
                    throw new IllegalArgumentException("invalid " + (profile ? "profile" : "interval") + " unit '" + unit + "' (hz, s, ms, us)");
                long n = number(p[2]);
                if (n <= 0) throw new IllegalArgumentException((profile ? "profile" : "interval") + " rate must be positive");
                return profile ? new Profile(unit, n) : new Interval(unit, n);
            }
            case "software", "s", "hardware", "h" -> {
                if (p.length < 2 || p.length > 3 || p[1].isEmpty())
                    throw new IllegalArgumentException(type + " wants " + type + ":event[:count]");
                long count = p.length == 3 ? number(p[2]) : 0;
                return type.startsWith("s") ? new Software(p[1], count) : new Hardware(p[1], count);
            }
            case "kprobe", "k", "kretprobe", "kr" -> {
                boolean ret = type.startsWith("kr");
                if (p.length != 2 || p[1].isEmpty()) throw new IllegalArgumentException(type + " wants " + type + ":function");
                int plus = p[1].indexOf('+');
                if (plus >= 0) return new Kprobe(p[1].substring(0, plus), number(p[1].substring(plus + 1)), ret);
                return new Kprobe(p[1], 0, ret);
            }
            case "kfunc", "f", "kretfunc", "fr", "fentry", "fexit" -> {
                boolean ret = type.equals("kretfunc") || type.equals("fr") || type.equals("fexit");
                if (p.length < 2 || p[p.length - 1].isEmpty()) throw new IllegalArgumentException(type + " wants " + type + ":function");
                return new Fentry(p[p.length - 1], ret);
            }
            case "self" -> {
                if (p.length != 3 || !p[1].equals("signal")) throw new IllegalArgumentException((p.length > 1 ? p[1] : "") + " is not a supported trigger");
                if (!p[2].equals("SIGUSR1")) throw new IllegalArgumentException(p[2] + " is not a supported signal");
                return new Signal(p[2]);
            }
            case "bench", "test" -> {
                if (p.length != 2 || p[1].isEmpty()) throw new IllegalArgumentException(type + " probes want " + type + ":NAME");
                return new Run(type, p[1]);
            }
            case "watchpoint", "w", "asyncwatchpoint", "aw", "iter", "it" -> {
                return new Unsupported(type, text);
            }
            default -> throw new IllegalArgumentException("invalid probe type '" + type + "'");
        }
    }

    /** {@code s} without its quotes, with the escapes in quoted parts read ({@code \"} is a quote). */
    private static String unquote(String s) { return String.join(":", split(s)); }

    /** The parts of an attach point between colons that are not quoted, each without its quotes. */
    private static String[] split(String s) {
        List<String> parts = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (quoted && c == '\\' && i + 1 < s.length()) sb.append(s.charAt(++i));
            else if (c == ':' && !quoted) {
                parts.add(sb.toString());
                sb.setLength(0);
            } else sb.append(c);
        }
        parts.add(sb.toString());
        return parts.toArray(String[]::new);
    }

    /** A decimal, 0x hex or 0 octal number, or {@code 1e6}. */
    static long number(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("0x")) return Long.parseUnsignedLong(t.substring(2), 16);
            int e = t.indexOf('e');
            if (e > 0) return Long.parseLong(t.substring(0, e)) * (long) Math.pow(10, Integer.parseInt(t.substring(e + 1)));
            if (t.length() > 1 && t.startsWith("0")) return Long.parseLong(t.substring(1), 8);
            return Long.parseLong(t);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }
}
