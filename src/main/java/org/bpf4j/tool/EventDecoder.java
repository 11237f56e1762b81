package org.bpf4j.tool;

import org.bpf4j.lang.sema.Type;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the values a script sends with {@code print((a, b, c))} into a Java record, component by component. The
 * layout is the compiler's own ({@link Type.Tuple#offset}), and the record is checked against the compiled types
 * when the tool binds it, so the two cannot drift apart: a component too narrow for its value, of another kind,
 * or one too many or too few is a {@link ToolException.LayoutMismatch} naming it, before anything is attached.
 *
 * <p>Kinds: a script integer into {@code long} (any width), {@code int}, {@code short}, {@code byte} (no wider than
 * the component) or {@code boolean}; a string into {@code String}; an array or buffer into {@code byte[]}.
 */
public final class EventDecoder<R extends Record> {
    private enum Kind { LONG, INT, SHORT, BYTE, BOOLEAN, STRING, BYTES }

    private final Class<R> type;
    private final MethodHandle constructor;
    private final Kind[] kinds;
    private final Type[] types;
    private final int[] offsets;

    private EventDecoder(Class<R> type, MethodHandle constructor, Kind[] kinds, Type[] types, int[] offsets) {
        this.type = type;
        this.constructor = constructor;
        this.kinds = kinds;
        this.types = types;
        this.offsets = offsets;
    }

    /** The decoder of {@code type} from values laid out as {@code sent} (a tuple, or one value), or a mismatch. */
    public static <R extends Record> EventDecoder<R> of(Class<R> type, Type sent) {
        List<Type> elements = sent instanceof Type.Tuple t ? t.elements() : List.of(sent);
        RecordComponent[] components = type.getRecordComponents();
        if (components.length != elements.size())
            throw new ToolException.LayoutMismatch(type.getSimpleName() + " has " + components.length
                    + " components but the script sends " + elements.size() + " values " + sent.describe());
        Kind[] kinds = new Kind[components.length];
        int[] offsets = new int[components.length];
        for (int i = 0; i < components.length; i++) {
            kinds[i] = kind(type, components[i], elements.get(i));
            offsets[i] = sent instanceof Type.Tuple t ? t.offset(i) : 0;
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
            c.setAccessible(true);
            MethodHandle h = MethodHandles.lookup().unreflectConstructor(c).asSpreader(Object[].class, components.length);
            return new EventDecoder<>(type, h, kinds, elements.toArray(Type[]::new), offsets);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ToolException.LayoutMismatch(type.getName() + ": its canonical constructor cannot be called: " + e);
        }
    }

    private static Kind kind(Class<?> record, RecordComponent c, Type t) {
        Class<?> j = c.getType();
        Kind k = switch (t) {
            case Type.Int i when j == long.class -> Kind.LONG;
            case Type.Int i when j == int.class && i.size() <= 4 -> Kind.INT;
            case Type.Int i when j == short.class && i.size() <= 2 -> Kind.SHORT;
            case Type.Int i when j == byte.class && i.size() == 1 -> Kind.BYTE;
            case Type.Int i when j == boolean.class -> Kind.BOOLEAN;
            case Type.Special s when (s.size() == 8 || s.kind() == Type.SpecialKind.USTACK) && j == long.class -> Kind.LONG; // a ustack: its id
            case Type.Ptr p when j == long.class -> Kind.LONG;
            case Type.Str s when j == String.class -> Kind.STRING;
            case Type.Array a when j == byte[].class -> Kind.BYTES;
            case Type.Buf b when j == byte[].class -> Kind.BYTES;
            default -> null;
        };
        if (k == null)
            throw new ToolException.LayoutMismatch(record.getSimpleName() + "." + c.getName() + " is " + j.getSimpleName()
                    + " but the script sends " + t.describe() + " there");
        return k;
    }

    /** The record type. */
    public Class<R> type() { return type; }

    /** Decodes the values at {@code buf[off...]} (the tuple's first byte). */
    public R decode(byte[] buf, int off) {
        Object[] args = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            int at = off + offsets[i];
            args[i] = switch (kinds[i]) {
                case LONG -> integer(buf, at, types[i]);
                case INT -> (int) integer(buf, at, types[i]);
                case SHORT -> (short) integer(buf, at, types[i]);
                case BYTE -> (byte) integer(buf, at, types[i]);
                case BOOLEAN -> integer(buf, at, types[i]) != 0;
                case STRING -> string(buf, at, types[i].size());
                case BYTES -> types[i] instanceof Type.Buf
                        ? Arrays.copyOfRange(buf, at + 8, at + 8 + (int) Math.min(le(buf, at, 8), ((Type.Buf) types[i]).capacity()))
                        : Arrays.copyOfRange(buf, at, at + types[i].size());
            };
        }
        try {
            @SuppressWarnings("unchecked") R r = (R) constructor.invoke(args);
            return r;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The values at {@code buf[off...]} laid out as {@code sent} (a tuple, or one value), each by its compiled type:
     * integers, pointers and stack ids as {@code Long}, strings as {@code String}, anything else as {@code byte[]}.
     * For tools whose events take their shape from the user's command line (BCC's trace), where no record fits.
     */
    public static List<Object> values(byte[] buf, int off, Type sent) {
        List<Type> elements = sent instanceof Type.Tuple t ? t.elements() : List.of(sent);
        List<Object> out = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            Type e = elements.get(i);
            int at = off + (sent instanceof Type.Tuple t ? t.offset(i) : 0);
            out.add(switch (e) {
                case Type.Int n -> integer(buf, at, n);
                case Type.Ptr p -> le(buf, at, 8);
                case Type.Special s when s.size() == 8 || s.kind() == Type.SpecialKind.USTACK -> le(buf, at, 8);
                case Type.Str s -> string(buf, at, s.size());
                default -> Arrays.copyOfRange(buf, at, at + e.size());
            });
        }
        return out;
    }

    /** An integer of the script's type at {@code off}, sign-extended when the type is signed. */
    static long integer(byte[] b, int off, Type t) {
        int size = Math.min(8, t.size());
        long v = le(b, off, size);
        if (t instanceof Type.Int i && i.signed() && size < 8) v = (v << (64 - size * 8)) >> (64 - size * 8);
        return v;
    }

    /** Little-endian unsigned bytes. */
    static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    /** A NUL-terminated string in a buffer of {@code size} bytes. */
    static String string(byte[] b, int off, int size) {
        int n = 0;
        while (n < size && b[off + n] != 0) n++;
        return new String(b, off, n, StandardCharsets.UTF_8);
    }

    /** The names of the record's components, for messages. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) out.add(c.getName());
        return out;
    }
}
