package org.bpf4j.lang.syntax;

import java.util.Objects;

/**
 * A script's text and the name errors show for it ({@code stdin} for {@code -e}, else the file path).
 *
 * @param name what error messages call the script
 * @param text the whole script
 */
public record Source(String name, String text) {
    /** Checks both parts are present. */
    public Source {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
    }

    /** The text of line {@code line} (1-based) without its line break, or "" past the end. */
    public String line(int line) {
        int start = 0;
        for (int l = 1; l < line; l++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) return "";
            start = nl + 1;
        }
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }
}
