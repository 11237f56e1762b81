package org.bpf4j.lang.codegen;

import org.bpf4j.asm.Reg;

/**
 * Where a scalar intermediate value is: in a callee-saved register, in a stack slot, or a constant not yet
 * materialised. Values are always held as 64-bit numbers, sign- or zero-extended from their type.
 * {@code owned} temporaries may be changed in place; others (a variable's slot) may not.
 */
record Temp(Kind kind, Reg reg, int slot, long value, boolean owned) {
    enum Kind { REG, SLOT, CONST }

    static Temp constant(long v) { return new Temp(Kind.CONST, null, 0, v, false); }

    static Temp register(Reg r) { return new Temp(Kind.REG, r, 0, 0, true); }

    static Temp stack(int slot, boolean owned) { return new Temp(Kind.SLOT, null, slot, 0, owned); }

    boolean isConst() { return kind == Kind.CONST; }

    /** True for a constant that fits a sign-extended 32-bit immediate. */
    boolean smallConst() { return kind == Kind.CONST && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE; }
}
