package org.bpf4j.map;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Turns a Java value into the bytes of a map key or value and back, in the machine's (little-endian) order, as a
 * BPF program sees them. Factories cover integers, byte arrays, NUL-padded strings, arrays of u64 (stack traces)
 * and records laid out by an explicit {@link StructLayout} whose member names are the record's components.
 */
public interface ByteCodec<T> {
    /** The encoded size in bytes. */
    int size();

    /** Writes {@code value} into {@code out} at {@code offset} ({@link #size()} bytes). */
    void write(T value, MemorySegment out, long offset);

    /** Reads a value from {@code in} at {@code offset}. */
    T read(MemorySegment in, long offset);

    /** The value's bytes. */
    default byte[] encode(T value) {
        byte[] b = new byte[size()];
        write(value, MemorySegment.ofArray(b), 0);
        return b;
    }

    /** The value of {@code bytes} (exactly {@link #size()} of them). */
    default T decode(byte[] bytes) {
        if (bytes.length != size()) throw new IllegalArgumentException(bytes.length + " bytes to decode, expected " + size());
        return read(MemorySegment.ofArray(bytes), 0);
    }

    /** A signed byte ({@code s8}/{@code u8} as Java's byte). */
    static ByteCodec<Byte> int8() { return of(1, (v, m, o) -> m.set(JAVA_BYTE, o, v), (m, o) -> m.get(JAVA_BYTE, o)); }

    /** A 16-bit integer. */
    static ByteCodec<Short> int16() { return of(2, (v, m, o) -> m.set(JAVA_SHORT_UNALIGNED, o, v), (m, o) -> m.get(JAVA_SHORT_UNALIGNED, o)); }

    /** A 32-bit integer ({@code s32}, or {@code u32} read as Java's signed int). */
    static ByteCodec<Integer> int32() { return of(4, (v, m, o) -> m.set(JAVA_INT_UNALIGNED, o, v), (m, o) -> m.get(JAVA_INT_UNALIGNED, o)); }

    /** An unsigned 32-bit integer held in a long. */
    static ByteCodec<Long> uint32() {
        return of(4, (v, m, o) -> m.set(JAVA_INT_UNALIGNED, o, (int) (long) v), (m, o) -> Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, o)));
    }

    /** A 64-bit integer. */
    static ByteCodec<Long> int64() { return of(8, (v, m, o) -> m.set(JAVA_LONG_UNALIGNED, o, v), (m, o) -> m.get(JAVA_LONG_UNALIGNED, o)); }

    /** Raw bytes of a fixed length. */
    static ByteCodec<byte[]> bytes(int length) {
        return of(length, (v, m, o) -> {
            if (v.length != length) throw new IllegalArgumentException(v.length + " bytes given, expected " + length);
            MemorySegment.copy(v, 0, m, JAVA_BYTE, o, length);
        }, (m, o) -> m.asSlice(o, length).toArray(JAVA_BYTE));
    }

    /** A UTF-8 string in {@code length} bytes, NUL-padded (read up to the first NUL), as {@code char comm[16]}. */
    static ByteCodec<String> string(int length) {
        return of(length, (v, m, o) -> writeString(v, m, o, length), (m, o) -> readString(m, o, length));
    }

    /** {@code count} u64s, e.g. a stack trace map's instruction pointers. */
    static ByteCodec<long[]> int64Array(int count) {
        return of(8 * count, (v, m, o) -> {
            if (v.length != count) throw new IllegalArgumentException(v.length + " values given, expected " + count);
            MemorySegment.copy(v, 0, m, JAVA_LONG_UNALIGNED, o, count);
        }, (m, o) -> {
            long[] out = new long[count];
            MemorySegment.copy(m, JAVA_LONG_UNALIGNED, o, out, 0, count);
            return out;
        });
    }

    /**
     * A record laid out by {@code layout}: each component is the layout member of the same name. Components may be
     * byte, short, int, long (also from a 4-byte member, unsigned), float, double, boolean, byte[] and String (over
     * a byte sequence), long[] and int[] (over sequences) and records (over nested structs). Members without a
     * component, and padding, are written as zeros.
     */
    static <R extends Record> ByteCodec<R> record(Class<R> type, StructLayout layout) {
        return RecordCodec.of(type, layout);
    }

    private static <T> ByteCodec<T> of(int size, Writer<T> w, Reader<T> r) {
        return new ByteCodec<>() {
            @Override public int size() { return size; }
            @Override public void write(T value, MemorySegment out, long offset) { w.write(value, out, offset); }
            @Override public T read(MemorySegment in, long offset) { return r.read(in, offset); }
        };
    }

    /** Writes a value at an offset. */
    @FunctionalInterface interface Writer<T> { void write(T value, MemorySegment out, long offset); }

    /** Reads a value at an offset. */
    @FunctionalInterface interface Reader<T> { T read(MemorySegment in, long offset); }

    private static void writeString(String v, MemorySegment m, long o, int length) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (b.length > length) throw new IllegalArgumentException("'" + v + "' is longer than " + length + " bytes");
        MemorySegment.copy(b, 0, m, JAVA_BYTE, o, b.length);
        m.asSlice(o + b.length, length - b.length).fill((byte) 0);
    }

    private static String readString(MemorySegment m, long o, int length) {
        int n = 0;
        while (n < length && m.get(JAVA_BYTE, o + n) != 0) n++;
        return new String(m.asSlice(o, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** The record codec: one accessor and one field codec per component, the canonical constructor to rebuild. */
    final class RecordCodec<R extends Record> implements ByteCodec<R> {
        private record Field(String name, long offset, ByteCodec<Object> codec, MethodHandle accessor) {}

        private final Class<R> type;
        private final int size;
        private final List<Field> fields;
        private final MethodHandle constructor;

        private RecordCodec(Class<R> type, int size, List<Field> fields, MethodHandle constructor) {
            this.type = type;
            this.size = size;
            this.fields = fields;
            this.constructor = constructor;
        }

        @SuppressWarnings("unchecked")
        static <R extends Record> RecordCodec<R> of(Class<R> type, StructLayout layout) {
            if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record");
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
                RecordComponent[] comps = type.getRecordComponents();
                List<Field> fields = new ArrayList<>();
                Class<?>[] types = new Class<?>[comps.length];
                for (int i = 0; i < comps.length; i++) {
                    RecordComponent c = comps[i];
                    types[i] = c.getType();
                    MemoryLayout member = layout.memberLayouts().stream()
                            .filter(l -> l.name().orElse("").equals(c.getName())).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(type.getSimpleName() + "." + c.getName()
                                    + ": the layout has no member of that name"));
                    long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(c.getName()));
                    fields.add(new Field(c.getName(), offset, (ByteCodec<Object>) forComponent(type, c.getGenericType(), c.getType(), member),
                            lookup.unreflect(c.getAccessor())));
                }
                MethodHandle ctor = lookup.findConstructor(type, java.lang.invoke.MethodType.methodType(void.class, types));
                return new RecordCodec<>(type, (int) layout.byteSize(), List.copyOf(fields), ctor);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(type.getName() + ": cannot reach its components: " + e.getMessage(), e);
            }
        }

        private static ByteCodec<?> forComponent(Class<?> owner, java.lang.reflect.Type generic, Class<?> t, MemoryLayout member) {
            String where = owner.getSimpleName() + "." + member.name().orElse("?");
            long size = member.byteSize();
            if (t == byte[].class && member instanceof SequenceLayout s && s.elementLayout().byteSize() == 1) return bytes((int) size);
            if (t == String.class && member instanceof SequenceLayout s && s.elementLayout().byteSize() == 1) return string((int) size);
            if (t == long[].class && member instanceof SequenceLayout s && s.elementLayout().byteSize() == 8) return int64Array((int) s.elementCount());
            if (t == int[].class && member instanceof SequenceLayout s && s.elementLayout().byteSize() == 4) {
                int n = (int) s.elementCount();
                return ByteCodec.<int[]>of(4 * n, (v, m, o) -> MemorySegment.copy(v, 0, m, JAVA_INT_UNALIGNED, o, n), (m, o) -> {
                    int[] a = new int[n];
                    MemorySegment.copy(m, JAVA_INT_UNALIGNED, o, a, 0, n);
                    return a;
                });
            }
            if (t.isRecord() && member instanceof StructLayout s) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                ByteCodec<?> nested = RecordCodec.of((Class) t, s);
                return nested;
            }
            if (member instanceof ValueLayout) {
                if ((t == long.class) && size == 8) return int64();
                if ((t == long.class) && size == 4) return uint32();
                if (t == int.class && size == 4) return int32();
                if (t == short.class && size == 2) return int16();
                if (t == byte.class && size == 1) return int8();
                if (t == boolean.class && size == 1)
                    return ByteCodec.<Boolean>of(1, (v, m, o) -> m.set(JAVA_BYTE, o, (byte) (v ? 1 : 0)), (m, o) -> m.get(JAVA_BYTE, o) != 0);
                if (t == char.class && size == 2)
                    return ByteCodec.<Character>of(2, (v, m, o) -> m.set(JAVA_SHORT_UNALIGNED, o, (short) (char) v),
                            (m, o) -> (char) m.get(JAVA_SHORT_UNALIGNED, o));
                if (t == float.class && size == 4)
                    return ByteCodec.<Float>of(4, (v, m, o) -> m.set(JAVA_FLOAT_UNALIGNED, o, v), (m, o) -> m.get(JAVA_FLOAT_UNALIGNED, o));
                if (t == double.class && size == 8)
                    return ByteCodec.<Double>of(8, (v, m, o) -> m.set(JAVA_DOUBLE_UNALIGNED, o, v), (m, o) -> m.get(JAVA_DOUBLE_UNALIGNED, o));
            }
            throw new IllegalArgumentException(where + ": a " + t.getSimpleName() + " component does not fit a "
                    + size + "-byte " + (member instanceof GroupLayout ? "struct" : member instanceof SequenceLayout ? "array" : "value")
                    + " member");
        }

        @Override public int size() { return size; }

        @Override
        public void write(R value, MemorySegment out, long offset) {
            out.asSlice(offset, size).fill((byte) 0);
            try {
                for (Field f : fields) f.codec.write(f.accessor.invoke(value), out, offset + f.offset);
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(type.getSimpleName() + ": " + t, t);
            }
        }

        @Override
        public R read(MemorySegment in, long offset) {
            Object[] args = new Object[fields.size()];
            for (int i = 0; i < args.length; i++) args[i] = fields.get(i).codec.read(in, offset + fields.get(i).offset);
            try {
                return type.cast(constructor.invokeWithArguments(Arrays.asList(args)));
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(type.getSimpleName() + ": " + t, t);
            }
        }
    }
}
