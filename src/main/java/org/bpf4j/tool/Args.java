package org.bpf4j.tool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool's command line read as Python's argparse reads BCC's: short options clustered ({@code -Tx}) or with their
 * value attached ({@code -p123}), long options with {@code =value} or the next word and abbreviated to a unique
 * prefix, optional positionals ({@code [interval] [count]}); the usage line and help text laid out as argparse
 * lays them out (80 columns), and its {@code usage: ...} plus {@code NAME: error: ...} lines with exit status 2 on a
 * mistake ({@link Exit}).
 */
public final class Args {
    /** The metavar argparse shows for a REMAINDER option; the option takes the rest of the command line. */
    private static final String REMAINDER = "...";

    private record Option(char shortName, String longName, String metavar, String help, boolean integer, boolean append) {
        Option(char shortName, String longName, String metavar, String help, boolean integer) {
            this(shortName, longName, metavar, help, integer, false);
        }

        boolean flag() { return metavar == null; }

        String dest() { return longName != null ? longName.replace('-', '_') : String.valueOf(shortName); }

        String display() { // as argparse's messages name it
            if (shortName != 0 && longName != null) return "-" + shortName + "/--" + longName;
            return shortName != 0 ? "-" + shortName : "--" + longName;
        }

        String invocation() {
            List<String> parts = new ArrayList<>();
            if (shortName != 0) parts.add("-" + shortName + (flag() ? "" : " " + metavar));
            if (longName != null) parts.add("--" + longName + (flag() ? "" : " " + metavar));
            return String.join(", ", parts);
        }

        String usage() { return "[" + (shortName != 0 ? "-" + shortName : "--" + longName) + (flag() ? "" : " " + metavar) + "]"; }
    }

    private record Positional(String name, String help, boolean integer, boolean required, boolean many) {
        Positional(String name, String help, boolean integer, boolean required) {
            this(name, help, integer, required, false);
        }
    }

    /** The command line asks to stop here: {@code status} 0 after -h, 2 after a mistake; the text to print. */
    public static final class Exit extends Exception {
        private final int status;
        private final String out, err;

        Exit(int status, String out, String err) {
            super(err.isEmpty() ? out : err, null, false, false);
            this.status = status;
            this.out = out;
            this.err = err;
        }

        /** The exit status: 0 for help, 2 for a mistake (argparse's). */
        public int status() { return status; }

        /** What goes to standard output (the help). */
        public String out() { return out; }

        /** What goes to standard error (usage and the error line). */
        public String err() { return err; }
    }

    /** The values given: flags, option values and positionals by their long name (dashes as underscores). */
    public static final class Parsed {
        private final Map<String, Object> values = new HashMap<>();

        /** True when the flag was given. */
        public boolean flag(String dest) { return values.get(dest) == Boolean.TRUE; }

        /** An integer option's or positional's value, or {@code otherwise} when absent. */
        public long integer(String dest, long otherwise) {
            return values.get(dest) instanceof Long l ? l : otherwise;
        }

        /** True when the option or positional was given. */
        public boolean has(String dest) { return values.containsKey(dest); }

        /** The arguments a {@link #remainder} option took (empty when it was last), or null when it was not given. */
        @SuppressWarnings("unchecked")
        public List<String> rest(String dest) { return values.get(dest) instanceof List<?> l ? (List<String>) l : null; }

        /** A string option's value, or null. */
        public String string(String dest) { return values.get(dest) instanceof String s ? s : null; }

        /** Every value of a repeated option or of a {@code nargs='+'} positional, in order (empty when absent). */
        @SuppressWarnings("unchecked")
        public List<String> strings(String dest) {
            return values.get(dest) instanceof List<?> l ? List.copyOf((List<String>) l) : List.of();
        }
    }

    private static final int WIDTH = 78, MAX_HELP_POSITION = 24;
    private final String prog, description, epilog;
    private final List<Option> options = new ArrayList<>();
    private final List<Positional> positionals = new ArrayList<>();

    private Args(String prog, String description, String epilog) {
        this.prog = prog;
        this.description = description;
        this.epilog = epilog;
        options.add(new Option('h', "help", null, "show this help message and exit", false));
    }

    /** A command line for {@code prog}, with its one-line description and the examples argparse prints last. */
    public static Args of(String prog, String description, String epilog) {
        return new Args(prog, description, epilog);
    }

    /** A flag ({@code store_true}); {@code shortName} 0 for a long name only. */
    public Args flag(char shortName, String longName, String help) {
        options.add(new Option(shortName, longName, null, help, false));
        return this;
    }

    /** An option taking an integer ({@code type=int}), shown with {@code metavar}. */
    public Args integer(char shortName, String longName, String metavar, String help) {
        options.add(new Option(shortName, longName, metavar, help, true));
        return this;
    }

    /** An option taking a string. */
    public Args string(char shortName, String longName, String metavar, String help) {
        options.add(new Option(shortName, longName, metavar, help, false));
        return this;
    }

    /** A string option that may be given again and again ({@code action='append'}), such as argdist's {@code -H}. */
    public Args strings(char shortName, String longName, String metavar, String help) {
        options.add(new Option(shortName, longName, metavar, help, false, true));
        return this;
    }

    /** A positional taking one or more words ({@code nargs='+'}), such as trace's {@code probe [probe ...]}. */
    public Args requiredList(String name, String help) {
        positionals.add(new Positional(name, help, false, true, true));
        return this;
    }

    /**
     * An option that takes every argument after it ({@code nargs=argparse.REMAINDER}), such as syscount's
     * {@code --exec ls -l /tmp}; read with {@link Parsed#rest}.
     */
    public Args remainder(String longName, String help) {
        options.add(new Option((char) 0, longName, REMAINDER, help, false));
        return this;
    }

    /** An optional integer positional ({@code nargs='?'}), such as BCC's {@code interval} and {@code count}. */
    public Args positional(String name, String help) {
        positionals.add(new Positional(name, help, true, false));
        return this;
    }

    /** A required string positional (argparse's plain positional), such as funccount's {@code pattern}. */
    public Args required(String name, String help) {
        positionals.add(new Positional(name, help, false, true));
        return this;
    }

    /** A required integer positional, such as the {@code pid} of BCC's language tools; put it before optional ones. */
    public Args requiredInteger(String name, String help) {
        positionals.add(new Positional(name, help, true, true));
        return this;
    }

    /** Reads {@code argv}; throws {@link Exit} for -h and for a mistake, with argparse's text. */
    public Parsed parse(List<String> argv) throws Exit {
        Parsed p = new Parsed();
        int nextPositional = 0;
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("--") && a.length() > 2) {
                int eq = a.indexOf('=');
                String name = a.substring(2, eq < 0 ? a.length() : eq);
                Option o = byLong(name);
                if (o == null) { extra.add(a); continue; }
                if (o.metavar() == REMAINDER) {
                    p.values.put(o.dest(), List.copyOf(argv.subList(i + 1, argv.size())));
                    break;
                }
                if (o.flag()) {
                    if (eq >= 0) throw error("argument " + o.display() + ": ignored explicit argument '" + a.substring(eq + 1) + "'");
                    setFlag(p, o);
                } else if (eq >= 0) {
                    set(p, o, a.substring(eq + 1));
                } else {
                    if (i + 1 >= argv.size() || argv.get(i + 1).startsWith("-") && argv.get(i + 1).length() > 1 && !isNumber(argv.get(i + 1)))
                        throw error("argument " + o.display() + ": expected one argument");
                    set(p, o, argv.get(++i));
                }
            } else if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                for (int j = 1; j < a.length(); j++) {
                    Option o = byShort(a.charAt(j));
                    if (o == null) { extra.add(j == 1 ? a : "-" + a.substring(j)); break; }
                    if (o.flag()) { setFlag(p, o); continue; }
                    if (j + 1 < a.length()) set(p, o, a.substring(j + 1));
                    else if (i + 1 < argv.size() && !(argv.get(i + 1).startsWith("-") && argv.get(i + 1).length() > 1 && !isNumber(argv.get(i + 1))))
                        set(p, o, argv.get(++i));
                    else throw error("argument " + o.display() + ": expected one argument");
                    break;
                }
            } else if (nextPositional < positionals.size()) {
                Positional pos = positionals.get(nextPositional);
                if (pos.many()) {
                    @SuppressWarnings("unchecked") List<String> l = (List<String>) p.values.computeIfAbsent(pos.name(), k -> new ArrayList<String>());
                    l.add(a);
                    continue;
                }
                nextPositional++;
                if (!pos.integer()) {
                    p.values.put(pos.name(), a);
                    continue;
                }
                Long v = parseLong(a);
                if (v == null) throw error("argument " + pos.name() + ": invalid int value: '" + a + "'");
                p.values.put(pos.name(), v);
            } else {
                extra.add(a);
            }
        }
        List<String> missing = new ArrayList<>();
        for (Positional pos : positionals) if (pos.required() && !p.values.containsKey(pos.name())) missing.add(pos.name());
        if (!missing.isEmpty()) throw error("the following arguments are required: " + String.join(", ", missing));
        if (!extra.isEmpty()) throw error("unrecognized arguments: " + String.join(" ", extra));
        return p;
    }

    /**
     * A negative number, read as a value; as argparse, not when an option looks like one (tcptop's -4 and -6): then
     * {@code -4} is that option.
     */
    private boolean isNumber(String s) {
        if (!s.matches("-\\d+|-\\d*\\.\\d+")) return false;
        for (Option o : options) if (Character.isDigit(o.shortName())) return false;
        return true;
    }

    private void setFlag(Parsed p, Option o) throws Exit {
        if (o.shortName() == 'h') throw new Exit(0, help(), "");
        p.values.put(o.dest(), Boolean.TRUE);
    }

    private void set(Parsed p, Option o, String value) throws Exit {
        if (o.append()) {
            @SuppressWarnings("unchecked") List<String> l = (List<String>) p.values.computeIfAbsent(o.dest(), k -> new ArrayList<String>());
            l.add(value);
            return;
        }
        if (!o.integer()) {
            p.values.put(o.dest(), value);
            return;
        }
        Long v = parseLong(value);
        if (v == null) throw error("argument " + o.display() + ": invalid int value: '" + value + "'");
        p.values.put(o.dest(), v);
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Option byShort(char c) {
        for (Option o : options) if (o.shortName() == c) return o;
        return null;
    }

    private Option byLong(String name) throws Exit {
        List<Option> matches = new ArrayList<>();
        for (Option o : options) {
            if (o.longName() == null) continue;
            if (o.longName().equals(name)) return o;
            if (o.longName().startsWith(name)) matches.add(o);
        }
        if (matches.size() > 1) {
            List<String> names = new ArrayList<>();
            for (Option o : matches) names.add("--" + o.longName());
            throw error("ambiguous option: --" + name + " could match " + String.join(", ", names));
        }
        return matches.isEmpty() ? null : matches.getFirst();
    }

    /** argparse's mistake: the usage and one error line on standard error, status 2. */
    public Exit error(String message) {
        return new Exit(2, "", usage() + prog + ": error: " + message + "\n");
    }

    /** The usage line(s), as argparse wraps them. */
    public String usage() {
        List<String> parts = new ArrayList<>();
        for (Option o : options) parts.add(o.usage());
        List<String> pos = new ArrayList<>();
        for (Positional p : positionals) pos.add(p.many() ? p.name() + " [" + p.name() + " ...]" : p.required() ? p.name() : "[" + p.name() + "]");
        String prefix = "usage: ";
        List<String> all = new ArrayList<>(parts);
        all.addAll(pos);
        String oneLine = prog + " " + String.join(" ", all);
        if (prefix.length() + oneLine.length() <= WIDTH) return prefix + oneLine + "\n";
        String indent = " ".repeat(prefix.length() + prog.length() + 1);
        List<String> first = new ArrayList<>();
        first.add(prog);
        first.addAll(parts);
        List<String> lines = lines(first, indent, prefix);
        if (!pos.isEmpty()) lines.addAll(lines(pos, indent, null));
        return prefix + String.join("\n", lines) + "\n";
    }

    private static List<String> lines(List<String> parts, String indent, String prefix) {
        List<String> lines = new ArrayList<>();
        List<String> line = new ArrayList<>();
        int len = prefix != null ? prefix.length() - 1 : indent.length() - 1;
        for (String part : parts) {
            if (len + 1 + part.length() > WIDTH && !line.isEmpty()) {
                lines.add(indent + String.join(" ", line));
                line.clear();
                len = indent.length() - 1;
            }
            line.add(part);
            len += part.length() + 1;
        }
        if (!line.isEmpty()) lines.add(indent + String.join(" ", line));
        if (prefix != null) lines.set(0, lines.getFirst().substring(indent.length()));
        return lines;
    }

    /** The whole help text (-h): usage, description, positionals, options, examples. */
    public String help() {
        int max = 0;
        for (Option o : options) max = Math.max(max, o.invocation().length() + 2);
        for (Positional p : positionals) max = Math.max(max, p.name().length() + 2);
        int helpPosition = Math.min(max + 2, MAX_HELP_POSITION);
        StringBuilder sb = new StringBuilder(usage()).append('\n').append(description).append('\n');
        if (!positionals.isEmpty()) {
            sb.append("\npositional arguments:\n");
            for (Positional p : positionals) item(sb, p.name(), p.help(), helpPosition);
        }
        sb.append("\noptional arguments:\n");
        for (Option o : options) item(sb, o.invocation(), o.help(), helpPosition);
        if (epilog != null && !epilog.isEmpty()) sb.append('\n').append(epilog);
        return sb.toString();
    }

    private static void item(StringBuilder sb, String invocation, String help, int helpPosition) {
        int actionWidth = helpPosition - 2 - 2;
        List<String> wrapped = wrap(help, Math.max(WIDTH - helpPosition, 11));
        if (invocation.length() <= actionWidth) {
            sb.append("  ").append(String.format("%-" + actionWidth + "s  ", invocation)).append(wrapped.getFirst()).append('\n');
        } else {
            sb.append("  ").append(invocation).append('\n');
            sb.append(" ".repeat(helpPosition)).append(wrapped.getFirst()).append('\n');
        }
        for (String l : wrapped.subList(1, wrapped.size())) sb.append(" ".repeat(helpPosition)).append(l).append('\n');
    }

    private static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String w : text.trim().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + w.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(w);
        }
        out.add(line.toString());
        return out;
    }
}
