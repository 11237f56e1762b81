package org.bpf4j.asm;

import java.util.Optional;

/**
 * Names the target of a call for the {@link Disassembler}, as bpftool's {@code cb_call} does. For a helper or
 * kfunc call the name is printed as {@code call NAME#imm}; for a local call as {@code call pcNAME} (bpftool
 * returns e.g. {@code "+5#bpf_prog_1234_f"}). Empty means "use disasm.c's fallback".
 */
@FunctionalInterface
public interface CallNames {

    /**
     * The helper table: {@code "bpf_" + helperName()} for a helper call (src 0) whose imm is a known helper id;
     * empty otherwise, which prints {@code unknown#imm}, {@code kernel-function#imm} or {@code pc+imm}.
     */
    CallNames HELPERS = insn -> insn.op() instanceof Operation.Call(CallKind kind) && kind == CallKind.HELPER
            ? Helper.byId((int) insn.imm()).map(h -> "bpf_" + h.helperName())
            : Optional.empty();

    /** The name to print for {@code call} (an instruction whose operation is {@link Operation.Call}), if any. */
    Optional<String> name(Instruction call);
}
