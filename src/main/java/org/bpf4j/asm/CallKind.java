package org.bpf4j.asm;

/** What a {@code BPF_JMP | BPF_CALL} calls, selected by its src field. */
public enum CallKind {
    /** src 0: a helper function by id (imm). */
    HELPER(0),
    /** src 1 {@code BPF_PSEUDO_CALL}: a local function, imm = pc-relative offset. */
    LOCAL(Instruction.PSEUDO_CALL),
    /** src 2 {@code BPF_PSEUDO_KFUNC_CALL}: a kernel function by BTF id (imm), offset = fd_array index of its BTF. */
    KFUNC(Instruction.PSEUDO_KFUNC_CALL);

    private final int src;

    CallKind(int src) {
        this.src = src;
    }

    /** The src field value. */
    public int src() {
        return src;
    }

    /** The call with imm {@code imm} (helper id, pc-relative offset or BTF id). */
    public Instruction of(int imm) {
        return new Instruction(new Operation.Call(this), Reg.R0, Reg.R0, 0, imm);
    }
}
