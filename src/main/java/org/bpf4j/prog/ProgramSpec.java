package org.bpf4j.prog;

import org.bpf4j.asm.Program;

/**
 * A program as a plain description: instructions with symbolic map references, its type and license.
 * {@link KernelProgram#load(ProgramSpec, java.util.Map)} resolves the references and loads it.
 */
public record ProgramSpec(String name, ProgramType type, Program program, String license, int expectedAttachType) {
    /** A spec with no expected attach type. */
    public ProgramSpec(String name, ProgramType type, Program program, String license) {
        this(name, type, program, license, 0);
    }
}
