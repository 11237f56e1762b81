package org.bpf4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line as GNU getopt_long reads it, for the commands that stand in for C and Python tools
 * (bpftrace, stap, BCC's killsnoop) and must start quickly: short options clustered ({@code -qv}) with their
 * argument attached or next ({@code -p123}, {@code -p 123}); long options with {@code =value} or the next word, and
 * abbreviated to any unique prefix; options and operands in any order; {@code --} ends the options and a lone
 * {@code -} is an operand. Picocli does the same for the other commands, at a start-up cost these cannot pay.
 *
 * <p>Options are declared as getopt's string ({@code "dB:e:"}: a colon after a letter that takes an argument) and
 * long names ({@code "unsafe"}, {@code "include:"} taking an argument, {@code "help=h"} another name of {@code -h}).
 */
final class Getopt {
    /** One option as given: its name ({@code "e"}, {@code "unsafe"}) and its argument (null for a flag). */
    record Opt(String name, String value) {}

    /** The options in the order given, and the operands. */
    record Parsed(List<Opt> options, List<String> operands) {}

    /** What is wrong with a command line; {@link #getMessage()} is getopt's wording. */
    static final class Error extends Exception {
        enum Kind { UNKNOWN, MISSING_ARGUMENT, UNEXPECTED_ARGUMENT, AMBIGUOUS }

        private final Kind kind;
        private final String option;

        Error(Kind kind, String option, String message) {
            super(message);
            this.kind = kind;
            this.option = option;
        }

        /** What kind of mistake. */
        Kind kind() {
            return kind;
        }

        /** The option as the user wrote it ({@code -Z}, {@code --bogus}), or its declared name. */
        String option() {
            return option;
        }
    }

    private record LongOption(String name, boolean argument) {}

    private final Map<Character, Boolean> shorts = new LinkedHashMap<>();   // letter -> takes an argument
    private final Map<String, LongOption> longs = new LinkedHashMap<>();         // long name -> canonical name, argument

    private Getopt(String shortOptions, String... longOptions) {
        for (int i = 0; i < shortOptions.length(); i++) {
            char c = shortOptions.charAt(i);
            boolean arg = i + 1 < shortOptions.length() && shortOptions.charAt(i + 1) == ':';
            shorts.put(c, arg);
            if (arg) i++;
        }
        for (String l : longOptions) {
            int eq = l.indexOf('=');
            if (eq >= 0) {
                char alias = l.charAt(eq + 1);
                if (!shorts.containsKey(alias)) throw new IllegalArgumentException("--" + l + ": no option -" + alias);
                longs.put(l.substring(0, eq), new LongOption(String.valueOf(alias), shorts.get(alias)));
            } else if (l.endsWith(":")) {
                longs.put(l.substring(0, l.length() - 1), new LongOption(l.substring(0, l.length() - 1), true));
            } else {
                longs.put(l, new LongOption(l, false));
            }
        }
    }

    /** Options as getopt_long declares them: the short option string and the long names. */
    static Getopt of(String shortOptions, String... longOptions) {
        return new Getopt(shortOptions, longOptions);
    }

    /** Reads {@code args}; throws at the first mistake, as getopt reports it. */
    Parsed parse(List<String> args) throws Error {
        List<Opt> options = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = a.substring(2, eq < 0 ? a.length() : eq);
                LongOption l = longOption(a, name);
                if (!l.argument()) {
                    if (eq >= 0) throw new Error(Error.Kind.UNEXPECTED_ARGUMENT, "--" + name,
                            "option '--" + name + "' doesn't allow an argument");
                    options.add(new Opt(l.name(), null));
                } else if (eq >= 0) {
                    options.add(new Opt(l.name(), a.substring(eq + 1)));
                } else if (i + 1 < args.size()) {
                    options.add(new Opt(l.name(), args.get(++i)));
                } else {
                    throw new Error(Error.Kind.MISSING_ARGUMENT, "--" + name, "option '--" + name + "' requires an argument");
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    Boolean arg = shorts.get(c);
                    if (arg == null) throw new Error(Error.Kind.UNKNOWN, "-" + c, "invalid option -- '" + c + "'");
                    if (!arg) {
                        options.add(new Opt(String.valueOf(c), null));
                    } else if (j + 1 < a.length()) {
                        options.add(new Opt(String.valueOf(c), a.substring(j + 1)));
                        break;
                    } else if (i + 1 < args.size()) {
                        options.add(new Opt(String.valueOf(c), args.get(++i)));
                    } else {
                        throw new Error(Error.Kind.MISSING_ARGUMENT, "-" + c, "option requires an argument -- '" + c + "'");
                    }
                }
            } else {
                operands.add(a);
            }
        }
        return new Parsed(options, operands);
    }

    /** An option's value as a decimal int (surrounding blanks allowed, as strtol and Python's int take it), or null. */
    static Integer integer(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The long option {@code name} names: itself, or the one option it is a prefix of. */
    private LongOption longOption(String written, String name) throws Error {
        LongOption exact = longs.get(name);
        if (exact != null) return exact;
        List<String> matches = new ArrayList<>();
        for (String l : longs.keySet()) if (!name.isEmpty() && l.startsWith(name)) matches.add(l);
        // prefixes of one option's several names are not ambiguous
        if (matches.stream().map(m -> longs.get(m).name()).distinct().count() == 1) return longs.get(matches.getFirst());
        if (matches.isEmpty()) {
            throw new Error(Error.Kind.UNKNOWN, "--" + name, "unrecognized option '" + written + "'");
        }
        StringBuilder sb = new StringBuilder("option '" + written + "' is ambiguous; possibilities:");
        for (String m : matches) sb.append(" '--").append(m).append('\'');
        throw new Error(Error.Kind.AMBIGUOUS, "--" + name, sb.toString());
    }
}
