package org.bpf4j.elf;

import org.bpf4j.asm.Program;
import org.bpf4j.asm.Instruction;

import java.util.List;

/**
 * A program an object file defines, linked but not yet loaded: its function and every subprogram it calls, one
 * after the other; map references already marked ({@code BPF_PSEUDO_MAP_FD} or {@code BPF_PSEUDO_MAP_VALUE}
 * with the value offset in the high half) and named; CO-RE relocations still to be applied against the target
 * kernel's BTF. Positions are instruction slots in {@link #code()}.
 *
 * @param name        the function's name
 * @param section     what its section name says (type, attach point, autoload)
 * @param license     the object's license
 * @param kernVersion the object's {@code version} section (0 when absent)
 * @param code        the linked instructions, raw
 * @param mapUses     the lddws that load a map, with the map's name
 * @param funcInfo    {@code bpf_func_info} records, rebased to the linked code
 * @param lineInfo    {@code bpf_line_info} records, rebased
 * @param core        CO-RE relocations, rebased
 * @param externs     the instructions that use a {@code __ksym} (a kfunc call, a kernel variable's lddw), resolved at load
 * @param autoload    whether {@link Collection#load} loads it
 */
public record ObjectProgram(String name, ProgramSection section, String license, int kernVersion, byte[] code,
                            List<MapUse> mapUses, List<FuncInfo> funcInfo, List<LineInfo> lineInfo,
                            List<CoreSite> core, List<ExternUse> externs, boolean autoload) {
    /** The lddw at {@code slot} loads map {@code map}. */
    public record MapUse(int slot, String map) {}

    /** The function with BTF FUNC {@code typeId} starts at {@code slot}. */
    public record FuncInfo(int slot, int typeId) {}

    /** The instruction at {@code slot} comes from this source line (offsets into the object's BTF strings). */
    public record LineInfo(int slot, int fileNameOff, int lineOff, int lineCol) {}

    /** A CO-RE relocation of the instruction at {@code slot}: local BTF type, access string and kind. */
    public record CoreSite(int slot, int typeId, String access, CoreKind kind) {}

    /** The instruction at {@code slot} uses kernel symbol {@code name} (a kfunc or a {@code __ksym} variable). */
    public record ExternUse(int slot, String name) {}

    /** Copies the code. */
    public ObjectProgram {
        code = code.clone();
        mapUses = List.copyOf(mapUses);
        funcInfo = List.copyOf(funcInfo);
        lineInfo = List.copyOf(lineInfo);
        core = List.copyOf(core);
        externs = List.copyOf(externs);
    }

    /** The linked raw instructions (a copy). */
    @Override
    public byte[] code() { return code.clone(); }

    /** The linked instructions decoded, before CO-RE relocation. */
    public List<Instruction> instructions() { return Program.decode(code).instructions(); }

    /** This program with autoload on or off. */
    public ObjectProgram withAutoload(boolean on) {
        return new ObjectProgram(name, section, license, kernVersion, code, mapUses, funcInfo, lineInfo, core, externs, on);
    }
}
