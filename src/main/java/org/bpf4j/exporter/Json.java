package org.bpf4j.exporter;

import org.bpf4j.lang.runtime.Output;

import java.util.List;
import java.util.Map;

/** A small JSON writer for the exporter's status pages: maps, lists, strings, numbers and booleans. */
final class Json {
    private Json() {}

    /** {@code value} as JSON text. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> quote(sb, s);
            case Boolean b -> sb.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> quote(sb, d.isNaN() ? "NaN" : d > 0 ? "+Inf" : "-Inf");
            case Double d when d == Math.rint(d) && Math.abs(d) < 1e15 -> sb.append((long) (double) d);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) sb.append(", ");
                    first = false;
                    quote(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(", ");
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            default -> quote(sb, v.toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append(Output.jsonString(s)); // the one JSON string writer, -f json's
    }
}
