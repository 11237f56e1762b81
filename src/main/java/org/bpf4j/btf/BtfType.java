package org.bpf4j.btf;

import java.util.List;
import java.util.Optional;

/**
 * One BTF type, as the kernel describes it ({@code struct btf_type} and the data after it): a sealed family of
 * records, one per {@link Kind}. Types refer to each other by id; {@link Btf#type(int)} resolves an id.
 */
public sealed interface BtfType {
    /** The type's id in its {@link Btf} (0 is void). */
    int id();

    /** The type's name, or "" when it is anonymous. */
    String name();

    /** The kind of this type. */
    Kind kind();

    /** A type that refers to exactly one other type (pointer, typedef, modifier, function, variable, tag). */
    sealed interface Ref extends BtfType {
        /** The id of the type referred to. */
        int type();
    }

    /** A struct or a union. */
    sealed interface Composite extends BtfType {
        /** The size in bytes. */
        int size();

        /** The members in declaration order. */
        List<Member> members();

        /** The member called {@code name}, if there is one at this level (anonymous members are not searched). */
        default Optional<Member> member(String name) {
            for (Member m : members()) if (m.name().equals(name)) return Optional.of(m);
            return Optional.empty();
        }
    }

    /** An enum with 32-bit ({@link Enum}) or 64-bit ({@link Enum64}) values. */
    sealed interface Enumeration extends BtfType {
        /** The size in bytes. */
        int size();

        /** Whether the values are signed (the kind flag). */
        boolean signed();

        /** The enumerators in declaration order. */
        List<EnumValue> values();
    }

    /** The void type, id 0. */
    record Void() implements BtfType {
        @Override public int id() { return 0; }
        @Override public String name() { return ""; }
        @Override public Kind kind() { return Kind.UNKN; }
    }

    /** An integer: {@code bitOffset} and {@code bits} are the INT data's {@code BTF_INT_OFFSET} and {@code BTF_INT_BITS}. */
    record Int(int id, String name, int size, int bitOffset, int bits, int encoding) implements BtfType {
        /** {@code BTF_INT_SIGNED}, {@code BTF_INT_CHAR}, {@code BTF_INT_BOOL}. */
        public static final int SIGNED = 1, CHAR = 2, BOOL = 4;
        @Override public Kind kind() { return Kind.INT; }
        /** Whether the integer is signed. */
        public boolean signed() { return (encoding & SIGNED) != 0; }
        /** Whether the integer is a character type. */
        public boolean isChar() { return (encoding & CHAR) != 0; }
        /** Whether the integer is a boolean. */
        public boolean isBool() { return (encoding & BOOL) != 0; }
    }

    /** A pointer to {@code type}. */
    record Ptr(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.PTR; }
    }

    /** An array of {@code nelems} elements of {@code type}, indexed by {@code indexType}. */
    record Array(int id, String name, int type, int indexType, int nelems) implements Ref {
        @Override public Kind kind() { return Kind.ARRAY; }
    }

    /** A struct. */
    record Struct(int id, String name, int size, List<Member> members) implements Composite {
        @Override public Kind kind() { return Kind.STRUCT; }
    }

    /** A union. */
    record Union(int id, String name, int size, List<Member> members) implements Composite {
        @Override public Kind kind() { return Kind.UNION; }
    }

    /** A member of a struct or union: {@code bitfieldSize} is 0 for a member that is not a bitfield. */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
        /** The byte offset of a member that is not a bitfield. */
        public int byteOffset() { return bitOffset / 8; }
    }

    /** An enum with 32-bit values. */
    record Enum(int id, String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        @Override public Kind kind() { return Kind.ENUM; }
    }

    /** An enum with 64-bit values. */
    record Enum64(int id, String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        @Override public Kind kind() { return Kind.ENUM64; }
    }

    /** An enumerator; {@code value} is sign- or zero-extended from the enum's width as the enum's signedness says. */
    record EnumValue(String name, long value) {}

    /** A forward declaration of a struct ({@code union} false) or a union. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        @Override public Kind kind() { return Kind.FWD; }
    }

    /** A typedef of {@code type}. */
    record Typedef(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.TYPEDEF; }
    }

    /** {@code volatile type}. */
    record Volatile(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.VOLATILE; }
    }

    /** {@code const type}. */
    record Const(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.CONST; }
    }

    /** {@code restrict type}. */
    record Restrict(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.RESTRICT; }
    }

    /** A function: {@code type} is its {@link FuncProto}; {@code linkage} 0 static, 1 global, 2 extern. */
    record Func(int id, String name, int type, int linkage) implements Ref {
        @Override public Kind kind() { return Kind.FUNC; }
    }

    /** A function signature: return type and parameters; a last parameter of type 0 means "...". */
    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {
        @Override public Kind kind() { return Kind.FUNC_PROTO; }
    }

    /** A parameter of a {@link FuncProto}. */
    record Param(String name, int type) {}

    /** A variable: {@code linkage} 0 static, 1 global (allocated), 2 extern. */
    record Var(int id, String name, int type, int linkage) implements Ref {
        @Override public Kind kind() { return Kind.VAR; }
    }

    /** A data section and the variables in it. */
    record Datasec(int id, String name, int size, List<VarSecInfo> vars) implements BtfType {
        @Override public Kind kind() { return Kind.DATASEC; }
    }

    /** A variable's place in a {@link Datasec}. */
    record VarSecInfo(int type, int offset, int size) {}

    /** A floating-point type. */
    record Float(int id, String name, int size) implements BtfType {
        @Override public Kind kind() { return Kind.FLOAT; }
    }

    /** A declaration tag on {@code type} (or on its member or parameter {@code componentIdx}, -1 for the type). */
    record DeclTag(int id, String name, int type, int componentIdx) implements Ref {
        @Override public Kind kind() { return Kind.DECL_TAG; }
    }

    /** A type tag on {@code type}. */
    record TypeTag(int id, String name, int type) implements Ref {
        @Override public Kind kind() { return Kind.TYPE_TAG; }
    }
}
