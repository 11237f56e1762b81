package org.bpf4j.lang.sema;

import java.util.List;

/**
 * The positional parameters ({@code $1}...) given after the script. A parameter that reads as a C integer
 * (decimal, 0x hex, 0 octal) is that number; others are strings, usable through {@code str($N)}. Missing ones
 * are 0 and "".
 */
public record Params(List<String> values) {
    /** Copies the values. */
    public Params { values = List.copyOf(values); }

    /** The number of parameters, {@code $#}. */
    public int count() { return values.size(); }

    /** The text of {@code $n}, or "" when not given. */
    public String text(int n) { return n >= 1 && n <= values.size() ? values.get(n - 1) : ""; }

    /** The number {@code $n} reads as, 0 when not given, or null when it is not a number. */
    public Long number(int n) {
        if (n < 1 || n > values.size()) return 0L;
        return parse(values.get(n - 1));
    }

    /** A C integer literal's value, or null. */
    static Long parse(String s) {
        String t = s.strip();
        boolean neg = t.startsWith("-");
        if (neg) t = t.substring(1);
        try {
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) v = Long.parseUnsignedLong(t.substring(2), 16);
            else if (t.length() > 1 && t.startsWith("0")) v = Long.parseLong(t.substring(1), 8);
            else v = Long.parseUnsignedLong(t);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The attach-point text with each {@code $N} replaced by its parameter. */
    public String substitute(String attach) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < attach.length(); i++) {
            char c = attach.charAt(i);
            if (c == '$' && i + 1 < attach.length() && Character.isDigit(attach.charAt(i + 1))) {
                int j = i + 1;
                while (j < attach.length() && Character.isDigit(attach.charAt(j))) j++;
                sb.append(text(Integer.parseInt(attach.substring(i + 1, j))));
                i = j - 1;
            } else if (c == '$' && i + 1 < attach.length() && attach.charAt(i + 1) == '#') {
                sb.append(count());
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
