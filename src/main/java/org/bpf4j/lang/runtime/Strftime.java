package org.bpf4j.lang.runtime;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * C's strftime(3) in Java for the conversions scripts use, plus bpftrace's {@code %f} (microseconds, six digits).
 * Times are in the machine's zone.
 */
final class Strftime {
    private Strftime() {}

    /** Formats {@code epochNanos} (nanoseconds since 1970) with {@code format}. */
    static String format(String format, long epochNanos) {
        ZonedDateTime t = java.time.Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L)).atZone(ZoneId.systemDefault());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char k = format.charAt(++i);
            switch (k) {
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
                case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
                case 'c' -> sb.append(format("%a %b %e %H:%M:%S %Y", epochNanos));
                case 'C' -> sb.append(two(t.getYear() / 100));
                case 'd' -> sb.append(two(t.getDayOfMonth()));
                case 'D' -> sb.append(format("%m/%d/%y", epochNanos));
                case 'e' -> sb.append(String.format("%2d", t.getDayOfMonth()));
                case 'f' -> sb.append(String.format("%06d", t.getNano() / 1000));
                case 'F' -> sb.append(format("%Y-%m-%d", epochNanos));
                case 'H' -> sb.append(two(t.getHour()));
                case 'I' -> sb.append(two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case 'k' -> sb.append(String.format("%2d", t.getHour()));
                case 'l' -> sb.append(String.format("%2d", t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
                case 'm' -> sb.append(two(t.getMonthValue()));
                case 'M' -> sb.append(two(t.getMinute()));
                case 'n' -> sb.append('\n');
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'r' -> sb.append(format("%I:%M:%S %p", epochNanos));
                case 'R' -> sb.append(format("%H:%M", epochNanos));
                case 's' -> sb.append(t.toEpochSecond());
                case 'S' -> sb.append(two(t.getSecond()));
                case 't' -> sb.append('\t');
                case 'T' -> sb.append(format("%H:%M:%S", epochNanos));
                case 'u' -> sb.append(t.getDayOfWeek().getValue());
                case 'w' -> sb.append(t.getDayOfWeek().getValue() % 7);
                case 'y' -> sb.append(two(t.getYear() % 100));
                case 'Y' -> sb.append(t.getYear());
                case 'z' -> sb.append(t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", ""));
                case 'Z' -> sb.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.US));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(k);
            }
        }
        return sb.toString();
    }

    private static String two(int v) { return v < 10 ? "0" + v : String.valueOf(v); }
}
