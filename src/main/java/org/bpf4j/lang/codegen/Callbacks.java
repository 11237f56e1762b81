package org.bpf4j.lang.codegen;

import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.Stmt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.bpf4j.asm.Reg.*;

/**
 * The bpf_for_each_map_elem callbacks of one program: the bodies of v0.26's {@code for ($kv : @m)} loops and the
 * counter behind {@code len(@m)}, subprograms placed after the main program (the kernel loads them with BTF
 * describing each, see {@link org.bpf4j.btf.FuncBtf}).
 *
 * <p>Every frame of a program that loops over maps starts with the same header: the variables loop bodies use, the saved
 * context (r6) and a "returned" flag. The caller passes its frame as the callback's context; the callback copies
 * the header into its own frame, runs the body on its own stack exactly as the main program would, and copies
 * the header back on its way out, so that what the body assigns is seen after the loop (v0.26's semantics).
 * {@code continue} returns 0, {@code break} 1; {@code return} also sets the flag, which the caller tests after the
 * helper to return in turn.
 */
final class Callbacks {
    private final ProbeCompiler p;
    private final Asm asm;
    private final Deque<Pending> pending = new ArrayDeque<>();
    /** Bytes of the shared header (0: the program loops over no map). */
    private int header;
    private int ctxSlot, retSlot;
    private String lenLabel;

    /**
     * A loop whose body is still to be compiled, at {@code label}, called from the function whose frame is
     * {@code caller}, itself called with {@code below} bytes of stack in use by the functions under it.
     */
    private record Pending(String label, Stmt.ForMap loop, Frame caller, int below) {}

    /** The functions of one call chain share the kernel's 512 bytes; it counts each frame in steps of 16 (JIT). */
    private static int rounded(int bytes) { return (bytes + 15) & ~15; }

    /** Stack used by the functions under the one being compiled (0 in the main program). */
    private int below;

    Callbacks(ProbeCompiler p) {
        this.p = p;
        this.asm = p.asm;
    }

    /**
     * At the main program's start, after its variables are placed: when {@code body} loops over a map, completes
     * the header (saved r6, the flag), zeroes it and saves r6.
     */
    void reserve(List<Stmt> body) {
        if (!loopsOverMaps(body)) return;
        ctxSlot = p.frame.alloc(8, Span.NONE);
        retSlot = p.frame.alloc(8, Span.NONE);
        header = p.frame.mark();
        p.exprs.zero(-header, header);
        asm.stx(Size.DW, R10, ctxSlot, R6);
    }

    private static boolean loopsOverMaps(List<Stmt> body) {
        for (Stmt s : body) {
            boolean found = switch (s) {
                case Stmt.ForMap f -> true;
                case Stmt.If i -> loopsOverMaps(i.then()) || loopsOverMaps(i.otherwise());
                case Stmt.While w -> loopsOverMaps(w.body());
                case Stmt.Unroll u -> loopsOverMaps(u.body());
                case Stmt.Block b -> loopsOverMaps(b.body());
                default -> false;
            };
            if (found) return true;
        }
        return false;
    }

    /** The call of a loop's callback; returns from this function when the body did. */
    void forMap(Stmt.ForMap f) {
        MapPlan plan = p.cx.map(f.map().name());
        String cb = asm.label("for_each");
        pending.add(new Pending(cb, f, p.frame, below));
        asm.st(Size.DW, R10, retSlot, 0);
        asm.loadMap(R1, plan.name());
        asm.emit(b -> b.loadFunc(R2, cb));
        asm.mov(R3, R10);
        asm.mov(R4, 0);
        asm.call(Helper.FOR_EACH_MAP_ELEM);
        asm.ldx(Size.DW, R1, R10, retSlot);
        asm.jmp(JmpOp.JNE, R1, 0, p.exitLabel);
    }

    /** {@code len(@m)}: the helper's count of the entries it visited, with a callback that visits them all. */
    Temp len(Expr.MapRef m) {
        if (lenLabel == null) lenLabel = asm.label("len_each");
        String cb = lenLabel;
        asm.loadMap(R1, p.cx.map(m.name()).name());
        asm.emit(b -> b.loadFunc(R2, cb));
        asm.mov(R3, 0);
        asm.mov(R4, 0);
        asm.call(Helper.FOR_EACH_MAP_ELEM);
        return p.exprs.fromR0();
    }

    /** After the main program's exit: the callbacks (a body's own loops add more as it compiles). */
    void finish() {
        while (!pending.isEmpty()) body(pending.poll());
        if (lenLabel != null) {
            asm.place(lenLabel);
            asm.mov(R0, 0);
            asm.exit();
        }
    }

    private void body(Pending c) {
        Frame outerFrame = p.frame;
        Deque<Reg> outerFree = p.free;
        Deque<String[]> outerLoops = p.loops;
        String outerExit = p.exitLabel;
        int outerBelow = below;
        below = c.below() + rounded(c.caller().max());
        p.frame = new Frame(p.cx.analysis.script().source());
        p.frame.alloc(header, Span.NONE);
        p.free = new ArrayDeque<>(List.of(R7, R8, R9));
        p.loops = new ArrayDeque<>();
        Span old = asm.at(c.loop().span());
        try {
            int caller = p.frame.alloc(8, Span.NONE);
            String next = asm.label("next"), stop = asm.label("stop"), ret = asm.label("ret"), out = asm.label("out");
            asm.place(c.label());
            asm.stx(Size.DW, R10, caller, R4);
            for (int off = -header; off < 0; off += 8) {
                asm.ldx(Size.DW, R0, R4, off);
                asm.stx(Size.DW, R10, off, R0);
            }
            asm.ldx(Size.DW, R6, R10, ctxSlot);
            String var = c.loop().var().name();
            int slot = p.varSlots.get(var);
            Type.Tuple kv = (Type.Tuple) p.unit.vars().get(var);
            p.exprs.zero(slot, kv.size());
            copy(R2, slot + kv.offset(0), kv.elements().get(0).size());
            if (p.cx.map(c.loop().map().name()).value() instanceof Type.Agg agg && agg.kind() == Type.AggKind.AVG) {
                asm.ldx(Size.DW, R1, R3, 8); // an average: the sum over the count, as reading the map gives it
                asm.ldx(Size.DW, R2, R3, 0);
                asm.alu(org.bpf4j.asm.AluOp.SDIV, R1, R2);
                asm.stx(Size.DW, R10, slot + kv.offset(1), R1);
            } else {
                copy(R3, slot + kv.offset(1), kv.elements().get(1).size());
            }
            p.loops.push(new String[] {next, stop});
            p.exitLabel = ret;
            p.statements(c.loop().body());
            asm.place(next);
            asm.mov(R0, 0);
            asm.ja(out);
            asm.place(stop);
            asm.mov(R0, 1);
            asm.ja(out);
            asm.place(ret);
            asm.st(Size.DW, R10, retSlot, 1);
            asm.mov(R0, 1);
            asm.place(out);
            asm.ldx(Size.DW, R2, R10, caller);
            for (int off = -header; off < 0; off += 8) {
                asm.ldx(Size.DW, R1, R10, off);
                asm.stx(Size.DW, R2, off, R1);
            }
            asm.exit();
            int total = below + rounded(p.frame.max());
            if (total > Frame.LIMIT)
                throw new org.bpf4j.lang.sema.SemanticError(p.cx.analysis.script().source(), c.loop().span(), "this for loop's body and the "
                        + "code around it need " + total + " bytes of stack, more than the " + Frame.LIMIT + " a BPF program has"
                        + " (the body has its own copy of the variables); use fewer or shorter variables");
        } finally {
            below = outerBelow;
            asm.at(old);
            p.frame = outerFrame;
            p.free = outerFree;
            p.loops = outerLoops;
            p.exitLabel = outerExit;
        }
    }

    /** Copies {@code size} bytes at {@code src} (a map's key or value) to the stack at {@code off}, widest loads first. */
    private void copy(Reg src, int off, int size) {
        int done = 0;
        for (Size s : List.of(Size.DW, Size.W, Size.H, Size.B)) {
            while (size - done >= s.bytes()) {
                asm.ldx(s, R1, src, done);
                asm.stx(s, R10, off + done, R1);
                done += s.bytes();
            }
        }
    }
}
