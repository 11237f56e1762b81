package org.bpf4j.asm;

/** Raw bytes that are not a valid instruction sequence; the message and {@link #index()} name the slot. */
public final class DecodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /** A failure at slot {@code index}, message "instruction INDEX: DETAIL". */
    public DecodeException(int index, String detail) {
        super("instruction " + index + ": " + detail);
        this.index = index;
    }

    /** The index of the offending 8-byte slot. */
    public int index() {
        return index;
    }
}
