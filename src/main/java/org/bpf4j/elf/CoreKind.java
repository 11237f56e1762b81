package org.bpf4j.elf;

/** CO-RE relocation kinds ({@code enum bpf_core_relo_kind} in linux/bpf.h), in UAPI order: the ordinal is the value. */
public enum CoreKind {
    /** Byte offset of a field. */
    FIELD_BYTE_OFFSET,
    /** Byte size of a field. */
    FIELD_BYTE_SIZE,
    /** 1 when the field exists in the target kernel. */
    FIELD_EXISTS,
    /** 1 when the field is signed. */
    FIELD_SIGNED,
    /** Left shift that brings a bit-field to the top of a u64. */
    FIELD_LSHIFT_U64,
    /** Right shift that brings it back down. */
    FIELD_RSHIFT_U64,
    /** The type's id in the program's own BTF. */
    TYPE_ID_LOCAL,
    /** The type's id in the target BTF. */
    TYPE_ID_TARGET,
    /** 1 when the type exists in the target. */
    TYPE_EXISTS,
    /** The type's size in the target. */
    TYPE_SIZE,
    /** 1 when the enumerator exists in the target. */
    ENUMVAL_EXISTS,
    /** The enumerator's value in the target. */
    ENUMVAL_VALUE,
    /** 1 when the target type matches the local one (bpf_core_type_matches). */
    TYPE_MATCHES;

    /** The kind numbered {@code value}, or null. */
    public static CoreKind of(int value) {
        CoreKind[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }

    /** Kinds that describe a field reached through an access string. */
    public boolean fieldBased() { return ordinal() <= FIELD_RSHIFT_U64.ordinal(); }

    /** Kinds that describe a whole type. */
    public boolean typeBased() { return this == TYPE_ID_LOCAL || this == TYPE_ID_TARGET || this == TYPE_EXISTS
            || this == TYPE_SIZE || this == TYPE_MATCHES; }

    /** Kinds that describe an enumerator. */
    public boolean enumBased() { return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE; }
}
