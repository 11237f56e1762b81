package org.bpf4j.lang.runtime;

import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Type;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One printf of a script, prepared once: each piece of its format bound to where its argument lies in the event,
 * so that an event is formatted straight from the record's bytes into the {@link OutputBuffer}. The common
 * conversions (integers in decimal or hex with a width, strings of ASCII) write bytes with no object per event;
 * the rest go through {@link Format#convert}, which defines what every conversion prints.
 */
final class PrintfWriter {
    private sealed interface Step permits Text, Decimal, Hex, Chars, Symbol, Gfp, General {}

    /** Literal text, encoded once. */
    private record Text(byte[] bytes) implements Step {}

    /** %d %i %u (any length modifier) with at most a width and '-' or '0'. */
    private record Decimal(int offset, int bits, boolean signed, int width, boolean left, boolean zero) implements Step {}

    /** %x %X (any length modifier) with at most a width and '-'. */
    private record Hex(int offset, int bits, boolean upper, int width, boolean left) implements Step {}

    /** %s of a string argument, with at most a width and '-'. */
    private record Chars(int offset, int size, int width, boolean left, Format.Spec spec) implements Step {}

    /** %s of an enum's value (v0.26): its enumerator's name, or the number when it has none. */
    private record Symbol(Format.Spec spec, Type.Int type, int offset) implements Step {}

    /** %gr (v0.26): GFP flags by the running kernel's names. */
    private record Gfp(Format.Spec spec, int offset) implements Step {}

    /** Anything else: the argument read as a Java value and converted by Format. */
    private record General(Format.Spec spec, Type type, int offset) implements Step {}

    private static final byte[] HEX_LOWER = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final Step[] steps;
    private final Values values;

    private PrintfWriter(Step[] steps, Values values) {
        this.steps = steps;
        this.values = values;
    }

    /** Binds {@code format}'s conversions to the payload's elements 1..n (element 0 is the action number). */
    static PrintfWriter of(Format format, Type.Tuple payload, Values values) {
        List<Step> steps = new ArrayList<>();
        int arg = 1;
        for (Format.Piece piece : format.pieces()) {
            switch (piece) {
                case Format.Literal(String text) -> steps.add(new Text(text.getBytes(StandardCharsets.UTF_8)));
                case Format.Spec spec -> {
                    if (arg < payload.elements().size()) {
                        steps.add(step(spec, payload.elements().get(arg), payload.offset(arg)));
                    } else {
                        steps.add(new General(spec, null, 0));
                    }
                    arg++;
                }
            }
        }
        return new PrintfWriter(steps.toArray(Step[]::new), values);
    }

    private static Step step(Format.Spec s, Type t, int offset) {
        String flags = s.flags();
        boolean left = flags.equals("-"), plain = flags.isEmpty() || left;
        if (t instanceof Type.Int it && it.enumeration() != null && s.conversion().equals("s")) return new Symbol(s, it, offset);
        if (s.conversion().equals("gr") && t != null && t.scalar()) return new Gfp(s, offset);
        if (t instanceof Type.Int && s.precision() < 0) {
            int bits = switch (s.length()) {
                case "" -> 32;
                case "h" -> 16;
                case "hh" -> 8;
                default -> 64;
            };
            switch (s.conversion()) {
                case "d", "i", "u" -> {
                    if (plain || flags.equals("0"))
                        return new Decimal(offset, bits, !s.conversion().equals("u"), s.width(), left, flags.equals("0"));
                }
                case "x", "X" -> {
                    if (plain) return new Hex(offset, bits, s.conversion().equals("X"), s.width(), left);
                }
                default -> { }
            }
        }
        if (t instanceof Type.Str str && s.conversion().equals("s") && plain && s.precision() < 0)
            return new Chars(offset, str.size(), s.width(), left, s);
        return new General(s, t, offset);
    }

    /** Formats the event whose record starts at {@code base} in {@code b}. */
    void write(OutputBuffer out, byte[] b, int base) {
        for (Step step : steps) {
            switch (step) {
                case Text t -> out.write(t.bytes, 0, t.bytes.length);
                case Decimal d -> decimal(out, d, Values.le(b, base + d.offset, 8));
                case Hex h -> hex(out, h, Values.le(b, base + h.offset, 8));
                case Chars c -> chars(out, c, b, base + c.offset);
                case Symbol y -> out.write(Format.convert(y.spec, values.text(y.type, b, base + y.offset)));
                case Gfp g -> out.write(Format.convert(g.spec, GfpFlags.kernel().format(Values.le(b, base + g.offset, 8))));
                case General g -> out.write(Format.convert(g.spec, g.type == null ? null : values.printfArg(g.type, b, base + g.offset)));
            }
        }
    }

    private static void decimal(OutputBuffer out, Decimal d, long v) {
        if (d.bits < 64) {
            int shift = 64 - d.bits;
            v = d.signed ? (v << shift) >> shift : (v << shift) >>> shift;
        }
        if (!d.signed && v < 0) { // above Long.MAX_VALUE: rare enough for a String
            pad(out, Long.toUnsignedString(v).getBytes(StandardCharsets.US_ASCII), d.width, d.left);
            return;
        }
        int len = OutputBuffer.decimalWidth(v), fill = d.width - len;
        if (fill <= 0) {
            out.decimal(v);
        } else if (d.left) {
            out.decimal(v);
            out.repeat(' ', fill);
        } else if (d.zero) {
            if (v < 0) {
                out.write('-');
                out.repeat('0', fill);
                if (v == Long.MIN_VALUE) out.write("9223372036854775808");
                else out.decimal(-v);
            } else {
                out.repeat('0', fill);
                out.decimal(v);
            }
        } else {
            out.repeat(' ', fill);
            out.decimal(v);
        }
    }

    private static void hex(OutputBuffer out, Hex h, long v) {
        if (h.bits < 64) v &= (1L << h.bits) - 1;
        int digits = v == 0 ? 1 : (67 - Long.numberOfLeadingZeros(v)) / 4;
        int fill = h.width - digits;
        if (!h.left) out.repeat(' ', fill);
        byte[] table = h.upper ? HEX_UPPER : HEX_LOWER;
        out.ensure(digits);
        for (int i = digits - 1; i >= 0; i--) out.write(table[(int) (v >>> (i * 4)) & 0xf]);
        if (h.left) out.repeat(' ', fill);
    }

    private void chars(OutputBuffer out, Chars c, byte[] b, int at) {
        int n = 0;
        boolean ascii = true;
        while (n < c.size && at + n < b.length && b[at + n] != 0) {
            if (b[at + n] < 0) ascii = false;
            n++;
        }
        if (!ascii) { // padding counts characters, not bytes: let Format decide
            out.write(Format.convert(c.spec, new String(b, at, n, StandardCharsets.UTF_8)));
            return;
        }
        int fill = c.width - n;
        if (!c.left) out.repeat(' ', fill);
        out.write(b, at, n);
        if (c.left) out.repeat(' ', fill);
    }

    private static void pad(OutputBuffer out, byte[] body, int width, boolean left) {
        int fill = width - body.length;
        if (!left) out.repeat(' ', fill);
        out.write(body, 0, body.length);
        if (left) out.repeat(' ', fill);
    }
}
