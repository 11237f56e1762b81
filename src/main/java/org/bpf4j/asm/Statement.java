package org.bpf4j.asm;

/**
 * One parsed assembler line before label resolution: an instruction, optionally waiting for a label's
 * pc-relative distance (in its offset, or in its imm for local calls, gotol and subprog addresses), or
 * referring to a map by name.
 *
 * @param insn        the instruction, with 0 where the label's distance goes
 * @param target      the label it refers to, or null
 * @param targetInImm whether the distance goes into imm rather than offset
 * @param mapName     the map it loads by name, or null
 * @param column      the 1-based column of the target or map name, for errors
 */
record Statement(Instruction insn, String target, boolean targetInImm, String mapName, int column) {

    static Statement of(Instruction insn) {
        return new Statement(insn, null, false, null, 0);
    }

    static Statement jump(Instruction insn, String target, boolean inImm, int column) {
        return new Statement(insn, target, inImm, null, column);
    }

    static Statement map(Instruction insn, String mapName, int column) {
        return new Statement(insn, null, false, mapName, column);
    }
}
