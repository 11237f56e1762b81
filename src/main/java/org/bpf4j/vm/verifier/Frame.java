package org.bpf4j.vm.verifier;

import java.util.Arrays;

/**
 * One call frame of the abstract state: registers and the 512-byte stack, byte by byte
 * (uninitialised, some data, zero) with 8-byte aligned slots that may hold a spilled register.
 * Mutable; {@link #copy()} before a branch.
 */
final class Frame {
    static final int STACK = 512;
    static final byte INVALID = 0, MISC = 1, ZERO = 2, SPILL = 3;

    final Value[] regs;
    final byte[] bytes;
    final Value[] spills;
    final int callsite;
    final int subprogram;

    Frame(int callsite, int subprogram) {
        regs = new Value[11];
        Arrays.fill(regs, Value.UNINIT);
        bytes = new byte[STACK];
        spills = new Value[STACK / 8];
        this.callsite = callsite;
        this.subprogram = subprogram;
    }

    private Frame(Frame o) {
        regs = o.regs.clone();
        bytes = o.bytes.clone();
        spills = o.spills.clone();
        callsite = o.callsite;
        subprogram = o.subprogram;
    }

    Frame copy() {
        return new Frame(this);
    }

    /** Marks {@code [off, off+size)} (offsets below r10, 0..511 as index 512+off) as holding data of kind {@code kind}. */
    void write(int index, int size, byte kind) {
        for (int i = index; i < index + size; i++) {
            if (bytes[i] == SPILL) unspill(i);
            bytes[i] = kind;
        }
    }

    /** A partial overwrite of a spilled slot turns the rest of it into plain data (a pointer becomes unusable bytes). */
    private void unspill(int i) {
        int slot = i / 8;
        Value v = spills[slot];
        spills[slot] = null;
        byte rest = v instanceof Value.Num ? MISC : INVALID;
        for (int k = slot * 8; k < slot * 8 + 8; k++) bytes[k] = rest;
    }

    void spill(int index, Value v) {
        for (int i = index; i < index + 8; i++) {
            if (bytes[i] == SPILL && spills[i / 8] != null && i / 8 != index / 8) unspill(i);
        }
        Arrays.fill(bytes, index, index + 8, SPILL);
        spills[index / 8] = v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && Arrays.equals(regs, f.regs) && Arrays.equals(bytes, f.bytes) && Arrays.equals(spills, f.spills)
                && callsite == f.callsite;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + Arrays.hashCode(bytes);
    }
}
