package org.bpf4j.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded mutator (no coverage feedback): each input is a seed changed by one to eight steps chosen at random:
 * bit flips, boundary bytes and numbers, deleted, duplicated and repeated ranges (repetition is what builds deep
 * nesting), tokens of the input's language inserted, and splices of two seeds. The same seed and index always
 * give the same input, so a failure found in a long run is reproduced from its index.
 */
final class Mutator {
    private static final String[] NUMBERS = {"0", "-1", "1", "255", "256", "65535", "2147483647", "2147483648",
            "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551615",
            "18446744073709551616", "0x7fffffff", "0xffffffffffffffff", "-2147483648", "-9223372036854775808", "99999999999999999999999"};
    private static final byte[] BYTES = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, '\n', ' ', '"', '\\', '(', '{', '['};

    private final List<byte[]> seeds;
    private final List<String> tokens;
    private final int maxLength;

    /** A mutator of {@code seeds} that inserts {@code tokens} of the language; inputs are cut at {@code maxLength}. */
    Mutator(List<byte[]> seeds, List<String> tokens, int maxLength) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("no seeds");
        this.seeds = seeds;
        this.tokens = tokens;
        this.maxLength = maxLength;
    }

    /** Input number {@code index} of the run seeded with {@code runSeed}. */
    byte[] input(long runSeed, long index) {
        SplittableRandom r = new SplittableRandom(runSeed * 0x9E3779B97F4A7C15L + index);
        byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
        int steps = 1 + r.nextInt(8);
        for (int i = 0; i < steps; i++) b = step(b, r);
        return b.length > maxLength ? java.util.Arrays.copyOf(b, maxLength) : b;
    }

    private byte[] step(byte[] b, SplittableRandom r) {
        int n = b.length;
        switch (r.nextInt(10)) {
            case 0 -> { // flip a bit
                if (n == 0) return b;
                b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                return b;
            }
            case 1 -> { // an interesting byte
                if (n == 0) return b;
                b[r.nextInt(n)] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : BYTES[r.nextInt(BYTES.length)];
                return b;
            }
            case 2 -> { // delete a range
                if (n == 0) return b;
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(n - at, 16));
                return concat(slice(b, 0, at), slice(b, at + len, n));
            }
            case 3 -> { // duplicate a range elsewhere
                if (n == 0) return b;
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(n - at, 64)), to = r.nextInt(n + 1);
                return concat(slice(b, 0, to), slice(b, at, at + len), slice(b, to, n));
            }
            case 4 -> { // repeat a short range many times (deep nesting, long chains)
                if (n == 0) return b;
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(n - at, 8)), times = 2 + r.nextInt(r.nextInt(4) == 0 ? 3000 : 50);
                byte[] piece = slice(b, at, at + len);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(slice(b, 0, at));
                for (int i = 0; i < times && out.size() < maxLength; i++) out.writeBytes(piece);
                out.writeBytes(slice(b, at, n));
                return out.toByteArray();
            }
            case 5, 6 -> { // a token of the language
                if (tokens.isEmpty()) return b;
                byte[] t = tokens.get(r.nextInt(tokens.size())).getBytes(StandardCharsets.UTF_8);
                int to = r.nextInt(n + 1);
                return concat(slice(b, 0, to), t, slice(b, to, n));
            }
            case 7 -> { // a boundary number in place of a digit run, or inserted
                byte[] num = NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
                int at = -1;
                for (int tries = 0; tries < 8 && n > 0; tries++) {
                    int i = r.nextInt(n);
                    if (Character.isDigit(b[i])) { at = i; break; }
                }
                if (at < 0) {
                    int to = r.nextInt(n + 1);
                    return concat(slice(b, 0, to), num, slice(b, to, n));
                }
                int s = at, e = at;
                while (s > 0 && Character.isLetterOrDigit(b[s - 1])) s--;
                while (e < n && Character.isLetterOrDigit(b[e])) e++;
                return concat(slice(b, 0, s), num, slice(b, e, n));
            }
            case 8 -> { // splice with another seed
                byte[] o = seeds.get(r.nextInt(seeds.size()));
                int cut = n == 0 ? 0 : r.nextInt(n), from = o.length == 0 ? 0 : r.nextInt(o.length);
                return concat(slice(b, 0, cut), slice(o, from, o.length));
            }
            default -> { // a binary word at a random place: sizes, offsets and counts in binary formats
                if (n < 4) return b;
                int at = r.nextInt(n - 3);
                int v = switch (r.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> -1;
                    case 2 -> Integer.MIN_VALUE;
                    case 3 -> Integer.MAX_VALUE;
                    case 4 -> r.nextInt(64);
                    default -> r.nextInt();
                };
                for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
                return b;
            }
        }
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
