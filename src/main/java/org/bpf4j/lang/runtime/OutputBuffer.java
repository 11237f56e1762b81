package org.bpf4j.lang.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a script prints, gathered before they are written: printf formats straight into this buffer (no
 * String per event), and the buffer goes out in one write when it is full or when the caller flushes (once the
 * events that were waiting are all printed, and at exit). A reader that went away (a closed pipe) ends the
 * writing quietly: {@link #broken()} says so.
 */
public final class OutputBuffer {
    private static final byte[] MIN_LONG = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
    private final OutputStream target;
    private byte[] buf = new byte[1 << 16];
    private int n;
    private boolean broken;

    /** Gathers bytes for {@code target}. */
    public OutputBuffer(OutputStream target) {
        this.target = target;
    }

    /** Room for {@code more} bytes, writing out what is buffered first when it is full. */
    void ensure(int more) {
        if (n + more <= buf.length) return;
        flush();
        if (more > buf.length) buf = new byte[Math.max(more, buf.length * 2)];
    }

    /** One byte. */
    public void write(int b) {
        ensure(1);
        buf[n++] = (byte) b;
    }

    /** {@code len} bytes of {@code b} from {@code off}. */
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    /** {@code count} copies of byte {@code b}. */
    public void repeat(int b, int count) {
        if (count <= 0) return;
        ensure(count);
        for (int i = 0; i < count; i++) buf[n++] = (byte) b;
    }

    /** A string, in UTF-8. */
    public void write(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // rare: the rest through the encoder
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                write(rest, 0, rest.length);
                return;
            }
            buf[n++] = (byte) c;
        }
    }

    /** The number of digits {@code v} (not negative) has in base 10. */
    static int digits(long v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    /** {@code v} in decimal, signed. */
    public void decimal(long v) {
        if (v == Long.MIN_VALUE) {
            write(MIN_LONG, 0, MIN_LONG.length);
            return;
        }
        if (v < 0) {
            write('-');
            v = -v;
        }
        int d = digits(v);
        ensure(d);
        for (int i = n + d - 1; i >= n; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        n += d;
    }

    /** The printed width of {@link #decimal}. */
    static int decimalWidth(long v) {
        if (v == Long.MIN_VALUE) return MIN_LONG.length;
        return v < 0 ? 1 + digits(-v) : digits(v);
    }

    /** Writes out what is buffered. */
    public void flush() {
        if (n == 0 || broken) {
            n = 0;
            return;
        }
        try {
            target.write(buf, 0, n);
            target.flush();
        } catch (IOException e) {
            broken = true; // the reader is gone (EPIPE): nothing more can be shown
        }
        n = 0;
    }

    /** True once a write failed because the reader went away. */
    public boolean broken() { return broken; }
}
