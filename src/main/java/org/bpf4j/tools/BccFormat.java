package org.bpf4j.tools;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The format string of a BCC trace probe ({@code "read %d bytes from %s"}): its conversions, each with the C type
 * BCC gives its value ({@code %d} an {@code int}, {@code %lu} an {@code unsigned long}, {@code %x} an
 * {@code unsigned int}, {@code %s} a string, {@code %K}/{@code %U} a kernel/user address shown as its symbol), and
 * the message made from the values, as BCC's Python side makes it (flags and widths as printf's).
 */
final class BccFormat {
    /** A C conversion: its length modifier and letter ({@code "llu"}), and printf's flags and width before them. */
    record Conversion(String type, String flags) {
        boolean string() { return type.equals("s"); }
    }

    private static final List<String> TYPES = List.of("llu", "lld", "llx", "lu", "ld", "lx", "hu", "hd", "u", "d", "x", "c", "s", "K", "U");

    private final List<Object> pieces; // String literal text or Conversion

    private BccFormat(List<Object> pieces) { this.pieces = pieces; }

    /** Reads {@code text} (the format without its quotes); an unknown conversion is BCC's "unrecognized" error. */
    static BccFormat parse(String text) {
        List<Object> pieces = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') { lit.append(c); continue; }
            if (i + 1 < text.length() && text.charAt(i + 1) == '%') { lit.append('%'); i++; continue; }
            int j = i + 1;
            while (j < text.length() && "-+ 0#".indexOf(text.charAt(j)) >= 0) j++;
            while (j < text.length() && (Character.isDigit(text.charAt(j)) || text.charAt(j) == '.')) j++;
            String flags = text.substring(i + 1, j), type = null;
            for (String t : TYPES) if (text.startsWith(t, j)) { type = t; break; }
            if (type == null) throw new ProbeSpec.BadSpec("unrecognized format specifier " + text.substring(i, Math.min(text.length(), j + 1)));
            if (!lit.isEmpty()) { pieces.add(lit.toString()); lit.setLength(0); }
            pieces.add(new Conversion(type, flags));
            i = j + type.length() - 1;
        }
        if (!lit.isEmpty()) pieces.add(lit.toString());
        return new BccFormat(pieces);
    }

    /** The conversions in order: one value each. */
    List<Conversion> conversions() {
        List<Conversion> out = new ArrayList<>();
        for (Object p : pieces) if (p instanceof Conversion c) out.add(c);
        return out;
    }

    /** The message for {@code values} (Long or String, one per conversion); {@code ksym}/{@code usym} name addresses. */
    String format(List<Object> values, LongFunction<String> ksym, LongFunction<String> usym) {
        StringBuilder sb = new StringBuilder();
        int v = 0;
        for (Object p : pieces) {
            if (p instanceof String s) { sb.append(s); continue; }
            Conversion c = (Conversion) p;
            Object val = values.get(v++);
            long n = val instanceof Long l ? l : 0;
            String f = c.flags();
            try {
                sb.append(convert(c.type(), f, val, n, ksym, usym));
            } catch (java.util.IllegalFormatException e) { // a flag Java's Formatter refuses for this conversion
                sb.append(val);
            }
        }
        return sb.toString();
    }

    /** One conversion of a value, with C's view of its type. */
    private static String convert(String type, String f, Object val, long n, LongFunction<String> ksym, LongFunction<String> usym) {
        return switch (type) {
            case "s" -> String.format("%" + f + "s", val instanceof String s ? s : String.valueOf(val));
            case "K" -> String.format("%" + f + "s", ksym.apply(n));
            case "U" -> String.format("%" + f + "s", usym.apply(n));
            case "c" -> String.format("%" + f + "c", (char) (n & 0xff));
            case "d" -> String.format("%" + f + "d", (int) n);
            case "hd" -> String.format("%" + f + "d", (short) n);
            case "ld", "lld" -> String.format("%" + f + "d", n);
            case "u" -> String.format("%" + f + "d", n & 0xffffffffL);
            case "hu" -> String.format("%" + f + "d", n & 0xffff);
            case "lu", "llu" -> String.format("%" + f + "d", new BigInteger(Long.toUnsignedString(n)));
            case "x" -> String.format("%" + f + "x", n & 0xffffffffL);
            default -> String.format("%" + f + "x", new BigInteger(Long.toUnsignedString(n))); // lx, llx
        };
    }
}
