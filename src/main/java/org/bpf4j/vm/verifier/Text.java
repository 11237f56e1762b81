package org.bpf4j.vm.verifier;

import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Disassembler;
import org.bpf4j.asm.Instruction;

/** How the verifier's log and messages show an instruction: as bpftool and the kernel's log do. */
final class Text {
    private Text() {}

    /** The instruction as bpftool prints it, e.g. {@code "r0 = *(u32 *)(r1 +8)"}. */
    static String format(Instruction insn) {
        return Disassembler.format(insn, CallNames.HELPERS).substring("(xx) ".length());
    }

    /** A kernel log line: {@code "5: (61) r0 = *(u32 *)(r1 +8)"}. */
    static String line(int pc, Instruction insn) {
        return pc + ": " + Disassembler.format(insn, CallNames.HELPERS);
    }
}
