package org.bpf4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files a user hands bpf4j (scripts, programs, BTF) with a bound on their size, so that a device such
 * as /dev/zero or a huge file ends in one clear message instead of minutes of reading and an out-of-memory error.
 */
public final class InputFiles {
    /** The most a script or assembler file may hold: far more than any real one. */
    public static final int TEXT_LIMIT = 16 << 20;
    /** The most a binary input (raw instructions, BTF, an object file) may hold. */
    public static final int BINARY_LIMIT = 64 << 20;

    private InputFiles() {}

    /** The bytes of {@code file}, at most {@code limit}; a {@link UserException} names the file otherwise. */
    public static byte[] read(Path file, int limit) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, limit, file.toString());
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + reason(e), e);
        }
    }

    /** The bytes of {@code in}, at most {@code limit}; {@code name} names it in the error. */
    public static byte[] read(InputStream in, int limit, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit)
                throw new UserException(name + ": larger than " + (limit >> 20) + " MiB, the most bpf4j reads of such a file");
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * {@code bytes} as UTF-8 text; a {@link UserException} names the first byte that is not UTF-8 by its line and
     * column in {@code name} (Java's decoder says only "Input length = 1").
     */
    public static String utf8(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(bytes), line = 1, col = 1;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') { line++; col = 1; } else if ((bytes[i] & 0xc0) != 0x80) col++;
            }
            throw new UserException(name + ":" + line + ":" + col + ": not UTF-8 text (byte 0x"
                    + Integer.toHexString(bytes[bad] & 0xff) + " at offset " + bad + ")");
        }
    }

    /** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
    private static int firstInvalid(byte[] b) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : Math.max(0, b.length - 1);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace(e.getClass().getName() + ": ", "");
    }
}
