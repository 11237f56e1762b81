package org.bpf4j.vm.verifier;

import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Disassembler;
import org.bpf4j.asm.Instruction;

/** How the verifier's log and messages show an instruction: as bpftool and the kernel's log do. */
final class Text {
    private Text() {}

    static String format(Instruction insn) {
        return Disassembler.format(insn, CallNames.HELPERS);
    }
}
