package org.bpf4j.lang.runtime;

import org.bpf4j.lang.sema.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads values back from the bytes of map entries and events, by the same {@link Type} layouts the code
 * generator wrote them with, and renders them as bpftrace does: text for printing, JSON for {@code -f json},
 * Java values for printf.
 */
final class Values {
    private final Symbols symbols;
    private final List<String> probes;
    private final List<String> timeFormats;
    private final StackReader stacks;

    /** The frames of stack {@code id} in the stack map of depth {@code limit}. */
    interface StackReader {
        long[] frames(int limit, long id);
    }

    Values(Symbols symbols, List<String> probes, List<String> timeFormats, StackReader stacks) {
        this.symbols = symbols;
        this.probes = probes;
        this.timeFormats = timeFormats;
        this.stacks = stacks;
    }

    static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (off + i < b.length ? b[off + i] & 0xff : 0);
        return v;
    }

    /** An integer of type {@code t} at {@code off}, sign-extended when signed. */
    static long integer(byte[] b, int off, Type t) {
        int size = t.size() >= 8 ? 8 : t.size();
        long v = le(b, off, size);
        if (t instanceof Type.Int it && it.signed() && size < 8) v = (v << (64 - size * 8)) >> (64 - size * 8);
        return v;
    }

    static String string(byte[] b, int off, int size) {
        int n = 0;
        while (n < size && off + n < b.length && b[off + n] != 0) n++;
        return new String(b, off, n, StandardCharsets.UTF_8);
    }

    static byte[] buffer(byte[] b, int off, Type.Buf t) {
        int len = (int) Math.min(Math.max(le(b, off, 8), 0), t.capacity());
        return Arrays.copyOfRange(b, off + 8, off + 8 + len);
    }

    /** The value as printf's conversions take it: Long, String, or byte[] for buffers. */
    Object printfArg(Type t, byte[] b, int off) {
        return switch (t) {
            case Type.Int i -> integer(b, off, i);
            case Type.Ptr p -> le(b, off, 8);
            case Type.Str s -> string(b, off, s.size());
            case Type.Buf buf -> buffer(b, off, buf);
            case Type.Special s when s.kind() == Type.SpecialKind.PROBE || s.kind() == Type.SpecialKind.USERNAME
                    || s.kind() == Type.SpecialKind.KSYM || !s.scalar() -> text(t, b, off);
            case Type.Special s -> text(t, b, off);
            default -> text(t, b, off);
        };
    }

    /** bpftrace's text form of a value (map values, print(), tuples). */
    String text(Type t, byte[] b, int off) {
        return text(t, b, off, VALUE_INDENT);
    }

    /** The text of a map key: as {@link #text}, but bpftrace indents the frames of a stack in a key less. */
    String keyText(Type t, byte[] b, int off) {
        return text(t, b, off, KEY_INDENT);
    }

    private static final int VALUE_INDENT = 8, KEY_INDENT = 4;

    private String text(Type t, byte[] b, int off, int indent) {
        return switch (t) {
            case Type.Int i when i.bool() -> integer(b, off, i) != 0 ? "true" : "false";
            case Type.Int i when i.enumeration() != null && i.enumeration().name(integer(b, off, i)) != null ->
                    i.enumeration().name(integer(b, off, i)); // v0.26: an enum's value by name, else its number
            case Type.Int i -> i.signed() ? Long.toString(integer(b, off, i)) : Long.toUnsignedString(integer(b, off, i));
            case Type.Ptr p -> "0x" + Long.toHexString(le(b, off, 8)); // v0.26: pointers print in hex
            case Type.Str s -> string(b, off, s.size());
            case Type.Buf buf -> org.bpf4j.lang.sema.Format.parse("%r").format(List.of(buffer(b, off, buf)));
            case Type.Tuple tu -> {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < tu.elements().size(); i++) parts.add(text(tu.elements().get(i), b, off + tu.offset(i), indent));
                yield "(" + String.join(", ", parts) + ")";
            }
            case Type.Array a -> {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < a.length(); i++) parts.add(text(a.element(), b, off + i * a.element().size(), indent));
                yield "[" + String.join(",", parts) + "]";
            }
            case Type.Record r -> { // v0.26 writes a struct in a map key as elsewhere (v0.17: @s[{.m=2,.n=3}])
                List<String> parts = new ArrayList<>();
                for (Type.Field f : r.fields())
                    parts.add("." + f.name() + " = " + (f.bits() > 0 ? bitField(f, b, off) : text(f.type(), b, off + f.offset(), indent)));
                yield "{ " + String.join(", ", parts) + " }";
            }
            case Type.Special s when s.kind() == Type.SpecialKind.KSTACK -> stack(s, b, off, 0, indent);
            case Type.Special s when s.kind() == Type.SpecialKind.USTACK -> stack(s, b, off, le(b, off + 8, 8), indent);
            case Type.Special s -> special(s.kind(), b, off);
            case Type.Agg a -> Long.toString(le(b, off, 8));
            case Type.None n -> "";
        };
    }

    /** A bit-field's value: its bits of the bytes at its offset (unsigned, as bpftrace reads them). */
    private static String bitField(Type.Field f, byte[] b, int off) {
        long v = le(b, off + f.offset(), f.type().size()) >>> f.bitOffset();
        if (f.bits() < 64) v &= (1L << f.bits()) - 1;
        return Long.toUnsignedString(v);
    }

    private String special(Type.SpecialKind k, byte[] b, int off) {
        long v = le(b, off, 8);
        return switch (k) {
            case KSYM -> symbols.ksym(v, false);
            case USYM -> symbols.usym(v, le(b, off + 8, 8), false);
            case KSTACK, USTACK -> throw new IllegalStateException("stacks print with their mode");
            case USERNAME -> symbols.user(v);
            case INET -> inet(b, off);
            case TIMESTAMP -> {
                int f = (int) v;
                yield Strftime.format(f < timeFormats.size() ? timeFormats.get(f) : "", symbols.realtime(le(b, off + 8, 8)));
            }
            case CGROUP_PATH -> symbols.cgroupPath(v);
            case STRERROR -> symbols.strerror(v);
            case SIGNAL_NAME -> org.bpf4j.lang.sema.Signals.description(v);
            case SYSCALL_NAME -> org.bpf4j.symbols.SyscallNames.name(v);
            case PROBE -> v >= 0 && v < probes.size() ? probes.get((int) v) : String.valueOf(v);
            case MACADDR -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 6; i++) sb.append(i > 0 ? ":" : "").append(String.format("%02X", b[off + i] & 0xff));
                yield sb.toString();
            }
        };
    }

    /**
     * A stack as bpftrace prints it: a newline, then a line per frame (at most the stack's limit): in bpftrace's
     * mode {@code indent} spaces and {@code symbol+offset}; in perf's a tab, the address in hex and the symbol
     * (user frames with their module); raw, the address in hex. A stack the kernel could not record is empty.
     */
    private String stack(Type.Special s, byte[] b, int off, long pid, int indent) {
        long id = (int) le(b, off, 8);   // get_stackid's int: negative is an error
        if (id < 0) return "\n";
        boolean kernel = s.kind() == Type.SpecialKind.KSTACK;
        long[] frames = stacks.frames(s.limit(), id);
        StringBuilder sb = new StringBuilder("\n");
        for (int i = 0; i < frames.length && i < s.limit(); i++) {
            long f = frames[i];
            if (f == 0) break;
            switch (s.mode()) {
                case BPFTRACE -> sb.append(" ".repeat(indent)).append(kernel ? symbols.ksym(f, true) : symbols.usym(f, pid, true));
                case PERF -> sb.append('\t').append(Long.toHexString(f)).append(' ')
                        .append(kernel ? symbols.ksym(f, true) : symbols.usymModule(f, pid));
                case RAW -> sb.append(Long.toHexString(f));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Releases what symbolizing opened. */
    void close() { symbols.close(); }

    private static String inet(byte[] b, int off) {
        long af = le(b, off, 8);
        byte[] addr = Arrays.copyOfRange(b, off + 8, off + 8 + (af == 10 ? 16 : 4));
        try {
            String s = InetAddress.getByAddress(addr).getHostAddress();
            return af == 10 ? compressV6(s) : s;
        } catch (UnknownHostException e) {
            return "";
        }
    }

    /** Java writes IPv6 without :: compression; inet_ntop compresses the longest run of zero groups. */
    static String compressV6(String s) {
        String[] g = s.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) j++;
                if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
                i = j;
            } else i++;
        }
        if (bestStart < 0) return s;
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }

    /** The C library's message for errno {@code e}. */
    String strerror(long e) { return symbols.strerror(e); }

    /** The JSON form of a value, as bpftrace's -f json writes it. */
    String json(Type t, byte[] b, int off) {
        return switch (t) {
            case Type.Int i when i.enumeration() != null && i.enumeration().name(integer(b, off, i)) != null -> quote(text(t, b, off));
            case Type.Int i -> text(t, b, off); // a bool's true/false is JSON's too
            case Type.Ptr p -> Long.toUnsignedString(le(b, off, 8));
            case Type.Agg a -> text(t, b, off);
            case Type.Tuple tu -> {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < tu.elements().size(); i++) parts.add(json(tu.elements().get(i), b, off + tu.offset(i)));
                yield "[" + String.join(",", parts) + "]";
            }
            case Type.Array a -> {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < a.length(); i++) parts.add(json(a.element(), b, off + i * a.element().size()));
                yield "[" + String.join(",", parts) + "]";
            }
            case Type.Record r -> {
                List<String> parts = new ArrayList<>();
                for (Type.Field f : r.fields()) parts.add(quote(f.name()) + ": " + json(f.type(), b, off + f.offset()));
                yield "{" + String.join(", ", parts) + "}"; // v0.26: no spaces inside the braces (v0.17 had them)
            }
            default -> quote(text(t, b, off));
        };
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
