package org.bpf4j.btf;

/** BTF type kinds ({@code BTF_KIND_*} in linux/btf.h), in UAPI order so that the ordinal is the kernel's value. */
public enum Kind {
    UNKN, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR,
    DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64;

    /** The kind with number {@code value}, or null for one this enum does not know. */
    public static Kind of(int value) {
        Kind[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }
}
