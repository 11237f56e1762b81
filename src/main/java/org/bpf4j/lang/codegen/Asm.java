package org.bpf4j.lang.codegen;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.lang.syntax.Span;

import java.util.ArrayList;
import java.util.List;

/**
 * The code generator's view of {@link Program.Builder}: the same operations, each remembering the script span
 * being compiled when it was emitted, so that a verifier rejection can be shown against the script line that
 * produced the failing instruction. Labels are made unique here.
 */
final class Asm {
    private final Program.Builder b = Program.builder();
    private final List<Span> spans = new ArrayList<>();
    private final List<SymbolRelocation> symbols = new ArrayList<>();
    private Span current = Span.NONE;
    private int labels;

    /** Makes {@code span} the origin of the instructions emitted from now on; returns the previous one. */
    Span at(Span span) {
        Span old = current;
        if (span != null && span != Span.NONE) current = span;
        return old;
    }

    /** The span instructions are being emitted for. */
    Span current() { return current; }

    /** A label name not used before, with {@code hint} in it for readability. */
    String label(String hint) { return hint + "_" + labels++; }

    /** Places {@code name} at the next instruction. */
    void place(String name) { b.label(name); }

    private void note() { spans.add(current); }

    void mov(Reg dst, Reg src) { if (dst != src) { b.mov64(dst, src); note(); } }
    void mov(Reg dst, long imm) {
        if (imm >= Integer.MIN_VALUE && imm <= Integer.MAX_VALUE) b.mov64(dst, (int) imm);
        else if (imm >= 0 && imm <= 0xffffffffL) b.mov32(dst, (int) imm);
        else b.lddw(dst, imm);
        note();
    }
    void mov32(Reg dst, Reg src) { b.mov32(dst, src); note(); }
    void alu(AluOp op, Reg dst, Reg src) { b.alu64(op, dst, src); note(); }
    void alu(AluOp op, Reg dst, int imm) { b.alu64(op, dst, imm); note(); }
    void neg(Reg dst) { b.neg64(dst); note(); }
    void ldx(Size size, Reg dst, Reg src, int off) { b.ldx(size, dst, base(src, off), local(src, off)); note(); }
    void stx(Size size, Reg dst, int off, Reg src) { b.stx(size, base(dst, off), local(dst, off), src); note(); }
    void st(Size size, Reg dst, int off, int imm) { b.st(size, base(dst, off), local(dst, off), imm); note(); }
    void atomicAdd(Reg dst, int off, Reg src) { b.atomic(AtomicOp.ADD, Size.DW, base(dst, off), local(dst, off), src); note(); }

    /** The register scratch memory is addressed through (see {@link Frame}): r9, set once at the program's start. */
    static final Reg SCRATCH_BASE = Reg.R9;

    /** The base register of an access at {@code reg + off}: r9 for an r10 offset in scratch memory. */
    static Reg base(Reg reg, int off) { return reg == Reg.R10 && Frame.inScratch(off) ? SCRATCH_BASE : reg; }

    /** The offset of that access from {@link #base}. */
    static int local(Reg reg, int off) { return reg == Reg.R10 && Frame.inScratch(off) ? off - Frame.SCRATCH : off; }
    void jmp(JmpOp op, Reg dst, int imm, String label) { b.jmp(op, dst, imm, label); note(); }
    void jmp(JmpOp op, Reg dst, Reg src, String label) { b.jmp(op, dst, src, label); note(); }
    void ja(String label) { b.ja(label); note(); }
    void call(Helper h) { b.call(h); note(); }
    void exit() { b.exit(); note(); }
    void loadMap(Reg dst, String map) { b.loadMapFd(dst, map); note(); }

    /** {@code dst = &symbol}: an lddw of 0 that the runtime fills with the kernel symbol's address at load. */
    void kernelSymbol(Reg dst, String symbol, Span at) {
        symbols.add(new SymbolRelocation(b.size(), symbol, at));
        b.lddw(dst, 0);
        note();
    }
    void add(Instruction insn) { b.add(insn); note(); }

    /** Instructions written by {@code code} straight to the builder (a shared emitter), each noted as the others. */
    void emit(java.util.function.Consumer<Program.Builder> code) {
        int before = b.size();
        code.accept(b);
        for (int i = before; i < b.size(); i++) note();
    }

    /** {@code dst = r10 + off}: the address of a stack slot (or of scratch memory, see {@link Frame}). */
    void stackAddr(Reg dst, int off) {
        mov(dst, base(Reg.R10, off));
        int local = local(Reg.R10, off);
        if (local != 0) alu(AluOp.ADD, dst, local);
    }

    /** The finished program and, per instruction, the span it came from. */
    Program build() { return b.build(); }

    List<Span> spans() { return List.copyOf(spans); }

    /** The kernel symbols left to the loader, by instruction index of {@link #build()}'s program. */
    List<SymbolRelocation> symbols() { return List.copyOf(symbols); }
}
