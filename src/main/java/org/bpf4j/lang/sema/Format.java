package org.bpf4j.lang.sema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A printf-style format, parsed once at compile time (to check the arguments against the conversions) and applied
 * by the runtime to the values an event carries, with C's semantics: {@code %d} converts to a 32-bit int,
 * {@code %ld} to 64 bits, {@code %hhd} to 8; flags {@code -+ #0}, width and precision; {@code %s}, {@code %c},
 * {@code %p}, and bpftrace's {@code %r}, {@code %rx}, {@code %rh} for buffers and {@code %gr} for GFP flags (by name
 * when the runtime prints them; in hex here, which has no kernel to ask).
 */
public final class Format {
    /** A piece of a format: text printed as it is, or a conversion. */
    public sealed interface Piece permits Literal, Spec {}

    /** Text printed as it is. */
    public record Literal(String text) implements Piece {}

    /** One conversion: flags, width (-1 none), precision (-1 none), length modifier and conversion. */
    public record Spec(String flags, int width, int precision, String length, String conversion) implements Piece {
        /** True for the conversions that take an integer. */
        public boolean integer() { return "diuoxXcp".contains(conversion) || conversion.equals("gr"); }
    }

    private final String text;
    private final List<Piece> parts;

    private Format(String text, List<Piece> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** The format as written. */
    public String text() { return text; }

    /** Formats are equal when they print alike: the same text read into the same pieces. */
    @Override
    public boolean equals(Object o) { return o instanceof Format f && f.text.equals(text) && f.parts.equals(parts); }

    @Override
    public int hashCode() { return text.hashCode() * 31 + parts.hashCode(); }

    /** The conversions, in order. */
    public List<Spec> specs() {
        List<Spec> out = new ArrayList<>();
        for (Piece p : parts) if (p instanceof Spec s) out.add(s);
        return out;
    }

    /** The pieces, in order. */
    public List<Piece> pieces() { return parts; }

    /** A format printed as it is written: bpftrace 0.17's printf without arguments prints "100%%" as it stands. */
    public static Format literal(String text) { return new Format(text, List.of(new Literal(text))); }

    /** A width or precision: at most 4096, as no output line needs more (Java's digits would say "For input string"). */
    private static int size(String digits, String what) {
        if (digits.length() > 4 || Integer.parseInt(digits) > 4096)
            throw new IllegalArgumentException(what + " " + digits + " is too large (at most 4096)");
        return Integer.parseInt(digits);
    }

    /** Parses {@code text}; an IllegalArgumentException names a bad conversion. */
    public static Format parse(String text) {
        List<Piece> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (c != '%') {
                lit.append(c);
                continue;
            }
            if (i < text.length() && text.charAt(i) == '%') {
                lit.append('%');
                i++;
                continue;
            }
            int start = i - 1;
            StringBuilder flags = new StringBuilder();
            while (i < text.length() && "-+ #0".indexOf(text.charAt(i)) >= 0) flags.append(text.charAt(i++));
            int width = -1, precision = -1;
            int w = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) i++;
            if (i > w) width = size(text.substring(w, i), "width");
            if (i < text.length() && text.charAt(i) == '.') {
                int p = ++i;
                while (i < text.length() && Character.isDigit(text.charAt(i))) i++;
                precision = i > p ? size(text.substring(p, i), "precision") : 0;
            }
            int l = i;
            while (i < text.length() && "hljzt".indexOf(text.charAt(i)) >= 0) i++;
            String length = text.substring(l, i);
            if (i >= text.length()) throw new IllegalArgumentException("incomplete conversion '" + text.substring(start) + "'");
            char conv = text.charAt(i++);
            String conversion = String.valueOf(conv);
            if (conv == 'r' && i < text.length() && (text.charAt(i) == 'x' || text.charAt(i) == 'h')) conversion += text.charAt(i++);
            if (conv == 'g' && i < text.length() && text.charAt(i) == 'r') conversion += text.charAt(i++); // v0.26's GFP flags
            else if (conv == 'g') throw new IllegalArgumentException("invalid conversion '%" + text.substring(start + 1, i) + "'");
            if ("diuoxXcsprg".indexOf(conv) < 0)
                throw new IllegalArgumentException("invalid conversion '%" + text.substring(start + 1, i) + "'");
            if (!List.of("", "hh", "h", "l", "ll", "j", "z", "t").contains(length))
                throw new IllegalArgumentException("invalid length modifier in '" + text.substring(start, i) + "'");
            if (!lit.isEmpty()) {
                parts.add(new Literal(lit.toString()));
                lit.setLength(0);
            }
            parts.add(new Spec(flags.toString(), width, precision, length, conversion));
        }
        if (!lit.isEmpty()) parts.add(new Literal(lit.toString()));
        return new Format(text, List.copyOf(parts));
    }

    /**
     * Applies the format: each argument is a {@link Long} for integer conversions, a {@link String} for
     * {@code %s}, or a byte[] for {@code %r}; a String given to an integer conversion prints as %s would.
     */
    public String format(List<?> args) {
        StringBuilder out = new StringBuilder();
        int a = 0;
        for (Piece p : parts) {
            if (p instanceof Literal(String s)) {
                out.append(s);
                continue;
            }
            Spec spec = (Spec) p;
            Object arg = a < args.size() ? args.get(a) : null;
            a++;
            out.append(convert(spec, arg));
        }
        return out.toString();
    }

    /** One conversion of {@code arg}, as {@link #format} does it. */
    public static String convert(Spec s, Object arg) {
        String body = switch (s.conversion()) {
            case "s" -> {
                String v = arg instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(arg);
                yield s.precision() >= 0 && v.length() > s.precision() ? v.substring(0, s.precision()) : v;
            }
            case "r", "rx", "rh" -> raw(s.conversion(), arg instanceof byte[] b ? b : String.valueOf(arg).getBytes(StandardCharsets.UTF_8));
            case "c" -> String.valueOf((char) (longOf(arg) & 0xff));
            case "gr" -> arg instanceof String str ? str : "0x" + Long.toHexString(longOf(arg));
            case "p" -> {
                long v = longOf(arg);
                yield v == 0 ? "(nil)" : "0x" + Long.toHexString(v);
            }
            default -> {
                if (arg instanceof String str) yield str;
                yield integer(s, longOf(arg));
            }
        };
        return pad(s, body, "diuoxX".contains(s.conversion()) && s.precision() < 0);
    }

    private static long longOf(Object arg) {
        if (arg instanceof Long l) return l;
        if (arg instanceof Integer i) return i;
        return 0;
    }

    private static String integer(Spec s, long v) {
        boolean signed = s.conversion().equals("d") || s.conversion().equals("i");
        switch (s.length()) {
            case "" -> v = signed ? (int) v : v & 0xffffffffL;
            case "h" -> v = signed ? (short) v : v & 0xffffL;
            case "hh" -> v = signed ? (byte) v : v & 0xffL;
            default -> { }
        }
        String digits;
        boolean negative = false;
        switch (s.conversion()) {
            case "d", "i" -> {
                negative = v < 0;
                digits = negative ? (v == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(-v)) : Long.toString(v);
            }
            case "u" -> digits = Long.toUnsignedString(v);
            case "o" -> digits = Long.toOctalString(v);
            case "x" -> digits = Long.toHexString(v);
            case "X" -> digits = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
            default -> digits = Long.toString(v);
        }
        if (s.precision() >= 0) {
            if (s.precision() == 0 && v == 0) digits = "";
            while (digits.length() < s.precision()) digits = "0" + digits;
        }
        String prefix = "";
        if (negative) prefix = "-";
        else if (signed && s.flags().contains("+")) prefix = "+";
        else if (signed && s.flags().contains(" ")) prefix = " ";
        if (s.flags().contains("#") && v != 0) {
            if (s.conversion().equals("x")) prefix = "0x";
            else if (s.conversion().equals("X")) prefix = "0X";
            else if (s.conversion().equals("o") && !digits.startsWith("0")) prefix = "0";
        }
        if (s.flags().contains("0") && !s.flags().contains("-") && s.precision() < 0 && s.width() > 0) {
            while (prefix.length() + digits.length() < s.width()) digits = "0" + digits;
        }
        return prefix + digits;
    }

    private static String pad(Spec s, String body, boolean zeroDone) {
        if (s.width() <= body.length()) return body;
        String fill = " ".repeat(s.width() - body.length());
        return s.flags().contains("-") ? body + fill : fill + body;
    }

    /** bpftrace's %r (printable bytes, others as \xNN), %rx (all as \xNN) and %rh (hex pairs with spaces). */
    static String raw(String conv, byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            int v = b[i] & 0xff;
            switch (conv) {
                case "rx" -> sb.append(String.format("\\x%02x", v));
                case "rh" -> sb.append(i > 0 ? " " : "").append(String.format("%02x", v));
                default -> {
                    if (v >= 32 && v < 127) sb.append((char) v);
                    else sb.append(String.format("\\x%02x", v));
                }
            }
        }
        return sb.toString();
    }
}
