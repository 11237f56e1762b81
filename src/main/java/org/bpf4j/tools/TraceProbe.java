package org.bpf4j.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One probe of BCC's trace, {@code [{p,r}]:[library]:function[(signature)] [(predicate)] ["format"[, arguments]]}
 * (or {@code t:category:event}, {@code u:library:probe}), read as BCC's trace reads it and written as a probe of
 * the tracing language that sends the probe's index, the time, CPU, process, thread, user, command, the stack ids
 * asked for and the values of the format's arguments ({@code %s} ones read as strings of {@code stringSize} bytes).
 *
 * @param raw       the probe as the user wrote it (BCC's error messages quote it)
 * @param spec      what it probes
 * @param predicate the predicate in the tracing language, or "" for none
 * @param format    the format string, or null for BCC's default action (no message)
 * @param arguments the format's arguments in the tracing language, one per conversion
 */
record TraceProbe(String raw, ProbeSpec spec, String predicate, BccFormat format, List<String> arguments) {
    private static final Pattern HEAD = Pattern.compile("([^ \\t(]+)(\\([^(]*\\))?(.*)", Pattern.DOTALL);

    /** Reads {@code text}; a mistake is a {@link ProbeSpec.BadSpec} with BCC's "error in probe '...'" message. */
    static TraceProbe parse(String text) {
        try {
            return read(text);
        } catch (ProbeSpec.BadSpec e) {
            throw new ProbeSpec.BadSpec("error in probe '" + text + "': " + e.getMessage());
        }
    }

    private static TraceProbe read(String text) {
        Matcher m = HEAD.matcher(text.strip());
        if (!m.matches()) throw new ProbeSpec.BadSpec("no probe specifier");
        ProbeSpec spec = ProbeSpec.parse(m.group(1), "prtu");
        String sig = m.group(2) == null ? null : m.group(2).substring(1, m.group(2).length() - 1);
        if (sig != null && (spec.kind() == ProbeSpec.Kind.USDT || spec.kind() == ProbeSpec.Kind.TRACEPOINT))
            throw new ProbeSpec.BadSpec("USDT and tracepoint probes can't have a function signature; use arg1, arg2, ... instead");
        Map<String, String> params = BccExpr.params(sig);
        String rest = m.group(3).strip(), predicate = "";
        if (rest.startsWith("(")) {
            int balance = 0, end = -1;
            for (int i = 0; i < rest.length() && end < 0; i++) {
                if (rest.charAt(i) == '(') balance++;
                if (rest.charAt(i) == ')' && --balance == 0) end = i;
            }
            if (end < 0) throw new ProbeSpec.BadSpec("unmatched end of predicate");
            predicate = BccExpr.rewrite(rest.substring(1, end), params, Map.of()).strip();
            rest = rest.substring(end + 1).strip();
        }
        if (rest.isEmpty()) return new TraceProbe(text, spec, predicate, null, List.of());
        if (!rest.startsWith("\"") || rest.indexOf('"', 1) < 0) throw new ProbeSpec.BadSpec("expected format string in \"s");
        int close = rest.indexOf('"', 1);
        BccFormat format = BccFormat.parse(rest.substring(1, close));
        String tail = rest.substring(close + 1).strip();
        if (tail.startsWith(",")) tail = tail.substring(1);
        List<String> args = new ArrayList<>();
        for (String a : topLevelCommas(tail)) if (!a.isBlank()) args.add(BccExpr.rewrite(a.strip(), params, Map.of()));
        if (args.size() != format.conversions().size())
            throw new ProbeSpec.BadSpec("the format has " + format.conversions().size() + " conversions but " + args.size() + " arguments follow it");
        return new TraceProbe(text, spec, predicate, format, args);
    }

    /** {@code s} split at the commas outside parentheses, brackets and string literals. */
    static List<String> topLevelCommas(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        boolean str = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) str = !str;
            else if (!str && (c == '(' || c == '[')) depth++;
            else if (!str && (c == ')' || c == ']')) depth--;
            else if (!str && depth == 0 && c == ',') { out.add(s.substring(from, i)); from = i + 1; }
        }
        out.add(s.substring(from));
        return out;
    }

    /**
     * This probe as the tracing language's, number {@code index}; {@code filters} are the command line's
     * (process, thread, user) in the language, {@code stringSize} the bytes of a {@code %s} string.
     */
    String script(int index, List<String> filters, int stringSize, boolean kernelStack, boolean userStack) {
        List<String> conds = new ArrayList<>(filters);
        if (!predicate.isEmpty()) conds.add("(" + predicate + ")");
        List<String> values = new ArrayList<>(List.of(String.valueOf(index), "nsecs", "cpu", "pid", "tid", "uid", "comm"));
        if (kernelStack) values.add("kstack");
        if (userStack) values.add("ustack");
        if (format != null) {
            List<BccFormat.Conversion> cs = format.conversions();
            for (int i = 0; i < cs.size(); i++) {
                String a = arguments.get(i);
                values.add(!cs.get(i).string() ? "(" + a + ")" : a.equals("comm") ? "comm" : "str(" + a + ", " + stringSize + ")");
            }
        }
        return spec.attachPoint() + (conds.isEmpty() ? "" : " /" + String.join(" && ", conds) + "/")
                + " { print((" + String.join(", ", values) + ")); }\n";
    }
}
