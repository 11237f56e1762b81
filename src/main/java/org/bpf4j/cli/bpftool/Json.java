package org.bpf4j.cli.bpftool;

/**
 * A JSON writer that prints what bpftool's json_writer prints, byte for byte: compact ({@code -j}) or pretty
 * ({@code -p}: four-space indents, {@code "name": value}, scalars in arrays kept on the opening line). Values are
 * written in call order; the caller keeps objects and arrays balanced.
 */
public final class Json {
    private final StringBuilder out = new StringBuilder();
    private final boolean pretty;
    private int depth;
    private char sep;

    /** A writer, pretty-printing when {@code pretty}. */
    public Json(boolean pretty) { this.pretty = pretty; }

    private void eor() {
        if (sep != 0) out.append(sep);
        sep = ',';
    }

    private void eol() {
        if (!pretty) return;
        out.append('\n');
        out.append("    ".repeat(depth));
    }

    private Json begin(char c) {
        eor();
        out.append(c);
        depth++;
        sep = 0;
        return this;
    }

    private Json end(char c) {
        depth--;
        if (sep != 0) eol();
        out.append(c);
        sep = ',';
        return this;
    }

    /** {@code {} */
    public Json beginObject() { return begin('{'); }

    /** {@code }} */
    public Json endObject() { return end('}'); }

    /** {@code [} */
    public Json beginArray() { return begin('['); }

    /** {@code ]} */
    public Json endArray() { return end(']'); }

    /** The name of the next field of an object. */
    public Json name(String name) {
        eor();
        eol();
        sep = 0;
        quote(name);
        out.append(':');
        if (pretty) out.append(' ');
        return this;
    }

    /** A string value. */
    public Json value(String s) {
        eor();
        quote(s);
        return this;
    }

    /** A number value. */
    public Json value(long v) { return raw(Long.toString(v)); }

    /** An unsigned 64-bit number value. */
    public Json unsigned(long v) { return raw(Long.toUnsignedString(v)); }

    /** A boolean value. */
    public Json value(boolean v) { return raw(Boolean.toString(v)); }

    /** {@code null}. */
    public Json nullValue() { return raw("null"); }

    /** Text written as it is, as a value (bpftool's jsonw_printf). */
    public Json raw(String text) {
        eor();
        out.append(text);
        return this;
    }

    /** A string field. */
    public Json field(String name, String value) { return name(name).value(value); }

    /** A number field. */
    public Json field(String name, long value) { return name(name).value(value); }

    /** A boolean field. */
    public Json field(String name, boolean value) { return name(name).value(value); }

    /** An array of bytes as bpftool prints them: {@code ["0x00","0x01"]}. */
    public Json hexBytes(byte[] data, int offset, int length) {
        beginArray();
        for (int i = 0; i < length; i++) raw(String.format("\"0x%02x\"", data[offset + i] & 0xff));
        return endArray();
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> out.append(c);
            }
        }
        out.append('"');
    }

    /** The text written so far, with the final newline bpftool prints after the root value. */
    public String text() { return out + "\n"; }
}
