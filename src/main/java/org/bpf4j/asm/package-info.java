/**
 * The eBPF instruction set (RFC 9669) as Java values: {@link org.bpf4j.asm.Instruction} records over a sealed
 * {@link org.bpf4j.asm.Operation} family, byte-exact encode/decode ({@link org.bpf4j.asm.Program#decode}),
 * a cilium-style DSL on the operation enums and {@link org.bpf4j.asm.Program.Builder} with labels, a text
 * {@link org.bpf4j.asm.Assembler} (bpf_conformance and bpftool syntaxes) and a bpftool-exact
 * {@link org.bpf4j.asm.Disassembler}.
 *
 * <pre>
 *   Program.builder() / Assembler.parse(text)  ──► Program (instructions + map references by name)
 *   Program.encode(mapFd)  ──► bytes for BPF_PROG_LOAD        Program.decode(xlated bytes) ──► Program
 *   Disassembler.lines(instructions, CallNames)  ──► "   0: (79) r7 = *(u64 *)(r1 +104)"
 * </pre>
 */
package org.bpf4j.asm;
