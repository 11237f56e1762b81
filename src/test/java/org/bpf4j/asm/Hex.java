package org.bpf4j.asm;

import java.util.HexFormat;

/** Test helper: space-separated hex bytes to and from byte arrays. */
final class Hex {
    private Hex() {
    }

    static byte[] parse(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }

    static String format(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
