package org.bpf4j.vm;

import java.util.function.LongFunction;

/**
 * The kernel's {@code bpf_trace_printk} format subset: {@code %d %i %u %x %X %c %s %p %%} with the
 * {@code l}, {@code ll}, {@code h}, {@code hh} and {@code z} length modifiers, a width, and the flags
 * {@code -0}. At most three conversions consume arguments, as in the kernel.
 */
final class PrintkFormat {
    private PrintkFormat() {}

    /** The formatted text, or null when the format is one the kernel would refuse. */
    static String format(String fmt, long[] args, LongFunction<String> string) {
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i >= fmt.length()) return null;
            if (fmt.charAt(i) == '%') {
                out.append('%');
                continue;
            }
            boolean left = false, zero = false;
            while (i < fmt.length() && (fmt.charAt(i) == '-' || fmt.charAt(i) == '0')) {
                if (fmt.charAt(i) == '-') left = true; else zero = true;
                i++;
            }
            int width = 0;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) width = width * 10 + (fmt.charAt(i++) - '0');
            int bits = 32;
            while (i < fmt.length() && "lhz".indexOf(fmt.charAt(i)) >= 0) {
                char m = fmt.charAt(i++);
                bits = m == 'h' ? (bits == 16 ? 8 : 16) : 64;
            }
            if (i >= fmt.length() || used >= args.length) return null;
            long v = args[used++];
            String text = switch (fmt.charAt(i)) {
                case 'd', 'i' -> Long.toString(signed(v, bits));
                case 'u' -> Long.toUnsignedString(unsigned(v, bits));
                case 'x' -> Long.toHexString(unsigned(v, bits));
                case 'X' -> Long.toHexString(unsigned(v, bits)).toUpperCase(java.util.Locale.ROOT);
                case 'c' -> String.valueOf((char) (v & 0xff));
                case 's' -> string.apply(v);
                case 'p' -> "0x" + Long.toHexString(v);
                default -> null;
            };
            if (text == null) return null;
            if (text.length() < width) {
                String pad = (zero && !left && fmt.charAt(i) != 's' ? "0" : " ").repeat(width - text.length());
                text = left ? text + pad : pad + text;
            }
            out.append(text);
        }
        return out.toString();
    }

    private static long signed(long v, int bits) {
        return bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    private static long unsigned(long v, int bits) {
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }
}
