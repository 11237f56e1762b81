package org.bpf4j.asm;

import java.util.regex.Matcher;

/**
 * One line of assembler input with the column where the statement starts, so the parsers can report
 * positions in the original text; also the shared number and register parsing.
 */
record SourceLine(int number, String text, String statement, int base) {

    /** An error at 0-based index {@code index} of {@link #statement()}. */
    AsmSyntaxException error(int index, String detail) {
        return new AsmSyntaxException(number, base + index + 1, detail, text);
    }

    /** An error at a regex group of a match against {@link #statement()}. */
    AsmSyntaxException error(Matcher m, int group, String detail) {
        return error(Math.max(0, m.start(group)), detail);
    }

    /** Register number {@code digits}, checked to be 0..10. */
    Reg reg(String digits, int index) {
        // point at the whole register token ("%r50", "r11"), not its digits
        while (index > 0 && "%rw".indexOf(statement.charAt(index - 1)) >= 0) {
            index--;
        }
        int n;
        try {
            n = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw error(index, "invalid register r" + digits);
        }
        if (n > 10) {
            throw error(index, "invalid register r" + n);
        }
        return Reg.of(n);
    }

    /** A signed number, decimal or {@code 0x} hex, with optional sign, within [min, max]. */
    long number(String text, int index, long min, long max, String what) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        String body = negative || t.startsWith("+") ? t.substring(1) : t;
        long value;
        try {
            if (body.startsWith("0x") || body.startsWith("0X")) {
                value = Long.parseUnsignedLong(body.substring(2), 16);
            } else {
                value = Long.parseLong(body);
            }
        } catch (NumberFormatException e) {
            throw error(index, "invalid " + what + " '" + t + "'");
        }
        if (negative) {
            value = -value;
        }
        if (value < min || value > max) {
            throw error(index, what + " " + t + " out of range");
        }
        return value;
    }

    /** A 32-bit immediate: decimal as a signed int, hex up to 0xffffffff (taken as its two's complement). */
    int imm32(String text, int index) {
        String t = text.trim();
        boolean hex = t.replaceFirst("^[+-]", "").toLowerCase().startsWith("0x");
        long v = number(t, index, hex ? -0x80000000L : Integer.MIN_VALUE, hex ? 0xffffffffL : Integer.MAX_VALUE,
                "immediate");
        return (int) v;
    }

    /** A 64-bit immediate: decimal signed or unsigned, hex up to 16 digits. */
    long imm64(String text, int index) {
        String t = text.trim();
        try {
            String body = t.replaceFirst("^[+-]", "");
            boolean negative = t.startsWith("-");
            long v;
            if (body.toLowerCase().startsWith("0x")) {
                v = Long.parseUnsignedLong(body.substring(2), 16);
            } else {
                v = Long.parseUnsignedLong(body);
                if (negative && Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
                    throw new NumberFormatException();
                }
            }
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            throw error(index, "invalid 64-bit immediate '" + t + "'");
        }
    }

    /** A 16-bit signed offset. */
    int offset(String text, int index) {
        return (int) number(text, index, Short.MIN_VALUE, Short.MAX_VALUE, "offset");
    }
}
