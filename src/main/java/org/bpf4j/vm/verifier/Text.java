package org.bpf4j.vm.verifier;

import org.bpf4j.asm.Instruction;

/** How the verifier's log and messages show an instruction. */
final class Text {
    private Text() {}

    static String format(Instruction insn) {
        return insn.toString();
    }
}
