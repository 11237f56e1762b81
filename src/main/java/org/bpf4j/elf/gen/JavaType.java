package org.bpf4j.elf.gen;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a C type of the object's BTF appears in generated Java: the Java type, the {@code MemoryLayout} expression,
 * and the expressions that read it from and write it to a {@code MemorySegment} at an offset. Integers keep their
 * width (an unsigned one reads as the signed Java type of that width), pointers are {@code long}, arrays of
 * scalars Java arrays, structs that have a generated record that record, anything else its bytes.
 */
record JavaType(String java, String layout, String read, String write) {
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "record", "var", "yield", "sealed", "permits", "true", "false", "null");

    /** The Java type of BTF type {@code id}; {@code records} maps struct ids to generated record names. */
    static JavaType of(Btf btf, int id, Map<Integer, String> records) {
        BtfType t = btf.resolve(id);
        long size = btf.sizeOf(id);
        return switch (t) {
            case BtfType.Int i -> scalar((int) size);
            case BtfType.Enumeration e -> scalar(e.size());
            case BtfType.Ptr p -> scalar(8);
            case BtfType.Float f -> f.size() == 4
                    ? new JavaType("float", "JAVA_FLOAT_UNALIGNED", "s.get(JAVA_FLOAT_UNALIGNED, %d)", "s.set(JAVA_FLOAT_UNALIGNED, %d, %s)")
                    : new JavaType("double", "JAVA_DOUBLE_UNALIGNED", "s.get(JAVA_DOUBLE_UNALIGNED, %d)", "s.set(JAVA_DOUBLE_UNALIGNED, %d, %s)");
            case BtfType.Array a -> {
                BtfType elem = btf.resolve(a.type());
                long elemSize = btf.sizeOf(elem.id());
                if ((elem instanceof BtfType.Int || elem instanceof BtfType.Enumeration) && elemSize <= 8 && Long.bitCount(elemSize) == 1) {
                    JavaType e = scalar((int) elemSize);
                    String el = e.layout();
                    yield new JavaType(e.java() + "[]", "MemoryLayout.sequenceLayout(" + a.nelems() + ", " + el + ")",
                            "s.asSlice(%d, " + size + ").toArray(" + el + ")",
                            "MemorySegment.copy(%2$s, 0, s, " + el + ", %1$d, " + a.nelems() + ")");
                }
                yield bytes(size);
            }
            case BtfType.Composite c when records.containsKey(c.id()) -> {
                String r = records.get(c.id());
                yield new JavaType(r, r + ".LAYOUT", r + ".read(s.asSlice(%d, " + size + "))", "%2$s.write(s.asSlice(%1$d, " + size + "))");
            }
            default -> bytes(size);
        };
    }

    private static JavaType scalar(int size) {
        return switch (size) {
            case 1 -> new JavaType("byte", "JAVA_BYTE", "s.get(JAVA_BYTE, %d)", "s.set(JAVA_BYTE, %d, %s)");
            case 2 -> new JavaType("short", "JAVA_SHORT_UNALIGNED", "s.get(JAVA_SHORT_UNALIGNED, %d)", "s.set(JAVA_SHORT_UNALIGNED, %d, %s)");
            case 4 -> new JavaType("int", "JAVA_INT_UNALIGNED", "s.get(JAVA_INT_UNALIGNED, %d)", "s.set(JAVA_INT_UNALIGNED, %d, %s)");
            case 8 -> new JavaType("long", "JAVA_LONG_UNALIGNED", "s.get(JAVA_LONG_UNALIGNED, %d)", "s.set(JAVA_LONG_UNALIGNED, %d, %s)");
            default -> bytes(size);
        };
    }

    private static JavaType bytes(long size) {
        return new JavaType("byte[]", "MemoryLayout.sequenceLayout(" + size + ", JAVA_BYTE)",
                "s.asSlice(%d, " + size + ").toArray(JAVA_BYTE)", "MemorySegment.copy(%2$s, 0, s, JAVA_BYTE, %1$d, " + size + ")");
    }

    /** A C name as a Java identifier in lower camel case ({@code target_ppid} is {@code targetPpid}). */
    static String camel(String c) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char ch : c.toCharArray()) {
            if (ch == '_' || ch == '.') {
                up = sb.length() > 0;
                continue;
            }
            sb.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        String s = sb.isEmpty() ? "x" : sb.toString();
        if (!Character.isJavaIdentifierStart(s.charAt(0))) s = "_" + s;
        return KEYWORDS.contains(s) ? s + "_" : s;
    }

    /** A C name as a Java type name ({@code event} is {@code Event}). */
    static String pascal(String c) {
        String s = camel(c);
        if (s.endsWith("_") && KEYWORDS.contains(s.substring(0, s.length() - 1))) s = s.substring(0, s.length() - 1);
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** A C name as a Java constant ({@code BPF_MAP_TYPE_HASH} stays, {@code foo} is {@code FOO}). */
    static String constant(String c) {
        String s = c.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
        return Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }
}
