package org.bpf4j.exporter;

import org.bpf4j.UserException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A script's own say on how one of its maps is exported, written as a comment so that the script still runs
 * unchanged under {@code bpf4j trace} and bpftrace:
 * <pre>
 * // exporter: @lat name=runq_latency_seconds help="Run queue latency" unit=seconds scale=1e-6 labels=cpu
 * // exporter: @start skip
 * </pre>
 *
 * @param map    the map, with its {@code @}
 * @param name   the family name, or null for the default ({@code <script>_<map>})
 * @param help   the HELP text, or null
 * @param unit   the unit (a suffix of the name), or null
 * @param scale  what every value and bucket bound is multiplied by (1 when not given)
 * @param labels label names for the key parts in order, or empty for the names read from the key expressions
 * @param type   {@code counter} or {@code gauge} to override the type the aggregation implies, or null
 * @param skip   not exported at all (a map the script uses as scratch state)
 */
record Directive(String map, String name, String help, String unit, double scale, List<String> labels, String type,
                 boolean skip) {
    private static final Pattern LINE = Pattern.compile("^\\s*//\\s*exporter:\\s*(@\\w*)(.*)$");
    private static final Pattern PAIR = Pattern.compile("\\s*(\\w+)(?:=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+))?");
    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Copies the labels. */
    Directive { labels = List.copyOf(labels); }

    /** No directive: every default. */
    static Directive none(String map) { return new Directive(map, null, null, null, 1, List.of(), null, false); }

    /** The directives in {@code text} by map; a malformed one fails naming {@code file}:line. */
    static Map<String, Directive> parse(String file, String text) {
        Map<String, Directive> out = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches()) continue;
            String where = file + ":" + (i + 1) + ": exporter directive: ";
            String map = m.group(1), rest = m.group(2);
            String name = null, help = null, unit = null, type = null;
            double scale = 1;
            List<String> labels = new ArrayList<>();
            boolean skip = false;
            Matcher p = PAIR.matcher(rest);
            int at = 0;
            while (at < rest.length() && !rest.substring(at).isBlank()) {
                if (!p.find(at) || p.start() != at) throw new UserException(where + "cannot read '" + rest.substring(at).strip() + "'");
                String key = p.group(1), value = p.group(2);
                at = p.end();
                if (value != null && value.startsWith("\"")) value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                if (!key.equals("skip") && value == null) throw new UserException(where + "'" + key + "' needs a value (" + key + "=...)");
                switch (key) {
                    case "name" -> {
                        if (!NAME.matcher(value).matches()) throw new UserException(where + "'" + value + "' is not a metric name");
                        name = value;
                    }
                    case "help" -> help = value;
                    case "unit" -> {
                        if (!LABEL.matcher(value).matches()) throw new UserException(where + "'" + value + "' is not a unit");
                        unit = value;
                    }
                    case "scale" -> {
                        try {
                            scale = Double.parseDouble(value);
                        } catch (NumberFormatException e) {
                            throw new UserException(where + "scale '" + value + "' is not a number");
                        }
                    }
                    case "labels" -> {
                        for (String l : value.split(",")) {
                            if (!LABEL.matcher(l).matches()) throw new UserException(where + "'" + l + "' is not a label name");
                            labels.add(l);
                        }
                    }
                    case "type" -> {
                        if (!value.equals("counter") && !value.equals("gauge"))
                            throw new UserException(where + "type must be counter or gauge, not '" + value + "'");
                        type = value;
                    }
                    case "skip" -> skip = true;
                    default -> throw new UserException(where + "unknown key '" + key + "' (name, help, unit, scale, labels, type, skip)");
                }
            }
            if (out.put(map, new Directive(map, name, help, unit, scale, labels, type, skip)) != null)
                throw new UserException(where + "a second directive for " + map);
        }
        return out;
    }
}
