package org.bpf4j.tools;

import org.bpf4j.tool.Histogram;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One specifier of BCC's argdist, {@code {p,r,t,u}:{[library],category}:function(signature)[:type[,type...]:expr[,expr...][:filter]][#label]},
 * read as argdist reads it, written as probes of the tracing language counting into a map (-C: one count per
 * value of the expressions; -H: a log2 histogram of one expression), and shown in argdist's layout. In a return
 * probe {@code $retval}, {@code $entry(param)} and {@code $latency} (nanoseconds since the entry) read what an entry
 * probe kept for the thread.
 *
 * @param raw        the specifier as written (the -C table's title when there is no label)
 * @param histogram  -H rather than -C
 * @param spec       what it probes
 * @param label      the text after {@code #}, or null
 * @param types      the C type of each expression
 * @param exprs      the expressions as written (the EVENT column shows them)
 * @param defaultExpr no expressions were given: "total calls", or a return probe's {@code retval}
 * @param index      the probe's number, naming its maps
 * @param script     the probes in the tracing language
 */
record ArgdistProbe(String raw, boolean histogram, ProbeSpec spec, String label, List<String> types, List<String> exprs,
                    boolean defaultExpr, int index, String script) {
    private static final Pattern ENTRY = Pattern.compile("\\$entry\\((\\w+)\\)");

    /** Reads specifier {@code text} for -H ({@code histogram}) or -C; {@code filters} are the command line's. */
    static ArgdistProbe parse(String text, boolean histogram, int index, List<String> filters, int stringSize) {
        try {
            return read(text, histogram, index, filters, stringSize);
        } catch (ProbeSpec.BadSpec e) {
            throw new ProbeSpec.BadSpec("error parsing probe '" + text + "': " + e.getMessage());
        }
    }

    private static ArgdistProbe read(String text, boolean histogram, int index, List<String> filters, int stringSize) {
        String[] specAndLabel = text.split("#", -1);
        String label = specAndLabel.length == 2 ? specAndLabel[1] : null;
        String[] parts = specAndLabel[0].strip().split(":", -1);
        if (parts.length < 3) throw new ProbeSpec.BadSpec("at least the probe type, library, and function signature must be specified");
        if (parts.length > 6) throw new ProbeSpec.BadSpec("extraneous ':'-separated parts detected");
        if (!List.of("r", "p", "t", "u").contains(parts[0])) throw new ProbeSpec.BadSpec("probe type must be 'p', 'r', 't', or 'u' but got '" + parts[0] + "'");
        if (!parts[2].matches("\\S+\\(.*\\)")) throw new ProbeSpec.BadSpec("function signature '" + parts[2] + "' has an invalid format");
        String function = parts[2].substring(0, parts[2].indexOf('(')).strip();
        String sig = parts[2].substring(parts[2].indexOf('(') + 1, parts[2].length() - 1).strip();
        ProbeSpec spec = ProbeSpec.parse(parts[0] + ":" + parts[1] + ":" + function, "prtu");
        boolean ret = spec.kind() == ProbeSpec.Kind.RETURN, defaultExpr = parts.length < 5;
        List<String> types, exprs;
        if (!defaultExpr) {
            if (parts[3].isEmpty()) throw new ProbeSpec.BadSpec("no expr types specified");
            if (parts[4].isEmpty()) throw new ProbeSpec.BadSpec("no exprs specified");
            types = Arrays.asList(parts[3].split(","));
            exprs = Arrays.asList(parts[4].split(","));
            if (types.size() != exprs.size()) throw new ProbeSpec.BadSpec("mismatched # of exprs and types");
            if (histogram && types.size() > 1) throw new ProbeSpec.BadSpec("histograms can only have 1 expr");
        } else {
            if (!ret && histogram) throw new ProbeSpec.BadSpec("histograms must have expr");
            types = List.of(ret ? "int" : "u64");
            exprs = List.of(ret ? "$retval" : "1");
        }
        String filter = parts.length == 6 ? parts[5] : "";
        Map<String, String> params = BccExpr.params(sig);
        boolean entry = ret && (exprs.stream().anyMatch(ArgdistProbe::needsEntry) || needsEntry(filter));
        Map<String, String> kept = new LinkedHashMap<>();
        StringBuilder entryProbe = new StringBuilder();
        if (entry) {
            // the entry probe keeps each $entry(param) and the time, per thread; the return reads them
            String at = new ProbeSpec(ProbeSpec.Kind.ENTRY, spec.library(), "", spec.name(), 0).attachPoint();
            List<String> stores = new ArrayList<>(List.of("@t" + index + "[tid] = nsecs;"));
            List<String> all = new ArrayList<>(exprs);
            all.add(filter);
            for (String e : all) {
                Matcher m = ENTRY.matcher(e);
                while (m.find()) {
                    String p = m.group(1), read = params.get(p);
                    if (read == null) throw new ProbeSpec.BadSpec("$entry(" + p + "): no such param");
                    String map = "@e" + index + "_" + p;
                    if (kept.putIfAbsent("$entry(" + p + ")", map + "[tid]") == null) stores.add(map + "[tid] = " + read + ";");
                }
            }
            kept.put("$latency", "(nsecs - @t" + index + "[tid])");
            entryProbe.append(at).append(when(filters)).append(" { ").append(String.join(" ", stores)).append(" }\n");
        }
        Map<String, String> names = ret ? Map.of() : params; // a return probe reads parameters through $entry()
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < exprs.size(); i++) keys.add(key(types.get(i), rewrite(exprs.get(i), names, kept), stringSize));
        String update = histogram ? "@h" + index + " = hist(" + keys.getFirst() + ");"
                : defaultExpr && !ret ? "@c" + index + " = count();" : "@c" + index + "[" + String.join(", ", keys) + "] = count();";
        List<String> conds = new ArrayList<>(filters);
        if (entry) conds.add("@t" + index + "[tid]");
        String body = filter.isBlank() ? update : "if (" + rewrite(filter, names, kept) + ") { " + update + " }";
        if (entry) {
            StringBuilder cleanup = new StringBuilder(" delete(@t" + index + "[tid]);");
            for (String v : kept.values()) if (v.startsWith("@e")) cleanup.append(" delete(").append(v).append(");");
            body += cleanup;
        }
        String script = entryProbe + spec.attachPoint() + when(conds) + " { " + body + " }\n";
        return new ArgdistProbe(text, histogram, spec, label, types, exprs, defaultExpr, index, script);
    }

    private static boolean needsEntry(String e) { return e.contains("$entry") || e.contains("$latency"); }

    private static String when(List<String> conds) {
        return conds.isEmpty() ? "" : " /" + String.join(" && ", conds) + "/";
    }

    private static String rewrite(String expr, Map<String, String> params, Map<String, String> kept) {
        String e = expr;
        for (Map.Entry<String, String> k : kept.entrySet()) e = e.replace(k.getKey(), k.getValue());
        return BccExpr.rewrite(e, params, Map.of());
    }

    /** A map key for a value of C type {@code type}: a string read from {@code char *}, an integer cast to its width. */
    private static String key(String type, String expr, int stringSize) {
        if (BccExpr.isString(type)) return "str(" + expr.replaceFirst("^\\(\\s*(const\\s+)?char\\s*\\*\\s*\\)", "") + ", " + stringSize + ")";
        String t = BccExpr.intType(type);
        return t == null ? "(" + expr + ")" : "(" + t + ")(" + expr + ")";
    }

    /** What the EVENT column and a histogram's title call expression {@code i}: as written, {@code $entry(p)} as p. */
    String display(int i) {
        return ENTRY.matcher(exprs.get(i)).replaceAll("$1");
    }

    /** Prints this probe's table for the interval (argdist's layout); {@code top} > 0 keeps the largest counts. */
    void print(Tool t, PrintStream out, long top) {
        if (histogram) {
            Histogram h = t.histogram("@h" + index);
            out.print(h.render(label != null ? label : defaultExpr ? "retval" : display(0)));
            return;
        }
        out.println(label != null ? label : raw);
        out.printf("\t%-10s %s%n", "COUNT", "EVENT");
        List<Map.Entry<List<Object>, Long>> rows = new ArrayList<>(t.countsByValues("@c" + index).entrySet());
        rows.sort(Map.Entry.comparingByValue());
        if (top > 0 && rows.size() > top) rows = rows.subList(rows.size() - (int) top, rows.size());
        for (Map.Entry<List<Object>, Long> r : rows) out.printf("\t%-10s %s%n", r.getValue(), event(r.getKey()));
    }

    /** The EVENT column: "total calls", "retval = N", or "expr = value, ..." . */
    private String event(List<Object> key) {
        if (defaultExpr) return spec.kind() == ProbeSpec.Kind.RETURN ? "retval = " + value(0, key.getFirst()) : "total calls";
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < exprs.size(); i++) parts.add(display(i) + " = " + value(i, key.get(i)));
        return String.join(", ", parts);
    }

    private String value(int i, Object v) {
        String t = BccExpr.intType(types.get(i));
        return v instanceof Long l && t != null && t.equals("uint64") ? Long.toUnsignedString(l) : String.valueOf(v);
    }

    /** Empties this probe's map (argdist clears each interval unless -c). */
    void clear(Tool t) {
        t.clear(histogram ? "@h" + index : "@c" + index);
    }
}
