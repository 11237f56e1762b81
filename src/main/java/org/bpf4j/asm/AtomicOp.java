package org.bpf4j.asm;

/**
 * Atomic operations of {@code BPF_STX | BPF_ATOMIC}, carrying the value of the imm field that selects them.
 * The plain ones only update memory; the {@code FETCH_*} ones, XCHG and CMPXCHG also return the old value.
 */
public enum AtomicOp {
    /** {@code BPF_ADD}: {@code lock *(dst + off) += src}. */
    ADD(0x00, "add"),
    /** {@code BPF_OR}: {@code lock *(dst + off) |= src}. */
    OR(0x40, "or"),
    /** {@code BPF_AND}: {@code lock *(dst + off) &= src}. */
    AND(0x50, "and"),
    /** {@code BPF_XOR}: {@code lock *(dst + off) ^= src}. */
    XOR(0xa0, "xor"),
    /** {@code BPF_ADD | BPF_FETCH}: src = atomic_fetch_add(dst + off, src). */
    FETCH_ADD(0x01, "add"),
    /** {@code BPF_OR | BPF_FETCH}: src = atomic_fetch_or(dst + off, src). */
    FETCH_OR(0x41, "or"),
    /** {@code BPF_AND | BPF_FETCH}: src = atomic_fetch_and(dst + off, src). */
    FETCH_AND(0x51, "and"),
    /** {@code BPF_XOR | BPF_FETCH}: src = atomic_fetch_xor(dst + off, src). */
    FETCH_XOR(0xa1, "xor"),
    /** {@code BPF_XCHG}: src = xchg(dst + off, src). */
    XCHG(0xe1, "xchg"),
    /** {@code BPF_CMPXCHG}: r0 = cmpxchg(dst + off, r0, src). */
    CMPXCHG(0xf1, "cmpxchg"),
    /** Kernel extension {@code BPF_LOAD_ACQ}: dst = load_acquire(src + off); all sizes. */
    LOAD_ACQUIRE(0x100, "load_acquire"),
    /** Kernel extension {@code BPF_STORE_REL}: store_release(dst + off, src); all sizes. */
    STORE_RELEASE(0x110, "store_release");

    private final int imm;
    private final String mnemonic;

    AtomicOp(int imm, String mnemonic) {
        this.imm = imm;
        this.mnemonic = mnemonic;
    }

    /** The imm field value selecting this operation. */
    public int imm() {
        return imm;
    }

    /** The operation's name without fetch, e.g. {@code "add"} for both ADD and FETCH_ADD. */
    public String mnemonic() {
        return mnemonic;
    }

    /** Whether the old memory value is returned (the {@code BPF_FETCH} bit). */
    public boolean fetches() {
        return (imm & 0x01) != 0 && this != LOAD_ACQUIRE && this != STORE_RELEASE;
    }

    /** Whether the operation allows B and H besides W and DW (load-acquire and store-release). */
    public boolean allowsAllSizes() {
        return this == LOAD_ACQUIRE || this == STORE_RELEASE;
    }

    /** The operation with imm value {@code imm}, or null. */
    static AtomicOp decode(int imm) {
        for (AtomicOp a : values()) {
            if (a.imm == imm) {
                return a;
            }
        }
        return null;
    }

    /** The atomic {@code size} operation on {@code *(dst + off)} with operand {@code src}. */
    public Instruction of(Size size, Reg dst, int off, Reg src) {
        return new Instruction(new Operation.Atomic(size, this), dst, src, off, 0);
    }
}
