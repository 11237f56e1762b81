package org.bpf4j.lang.codegen;

import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Size;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Unit;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;

import static org.bpf4j.asm.Reg.*;

/**
 * exit() also stops the timer probes in the kernel: it sets a flag (a one-entry array) that interval and profile
 * probes read first, returning at once once it is set. bpftrace detaches its probes within a millisecond or so of
 * the exit event; the JVM takes tens to hundreds of milliseconds under load, in which a 1 ms interval probe would
 * otherwise run again and change the maps printed at exit. Event probes (tracepoints, uprobes...) keep running
 * until they are detached, as in bpftrace: v0.26's cases count what fires between exit() and the detach (a
 * uretprobe that calls exit() at its first return still counts the program's 221 calls). Only scripts that call
 * exit() get the flag; BEGIN and END (run once, END after exit) never read it.
 */
final class ExitGate {
    /** The flag's map. */
    static final String MAP = "exited";

    private ExitGate() {}

    /** True when a probe of the script calls exit(). */
    static boolean needed(org.bpf4j.lang.sema.Analysis analysis) {
        for (Unit u : analysis.units())
            for (Expr e : u.types().keySet())
                if (e instanceof Expr.Call c && c.name().equals("exit")) return true;
        return false;
    }

    /** At the start of a timer probe: returns from it when exit() has been called. */
    static void check(ProbeCompiler p) {
        if (!p.cx.internal.contains(MAP) || !(p.unit.point() instanceof Attach.Interval || p.unit.point() instanceof Attach.Profile)) return;
        String run = p.asm.label("running");
        lookup(p);
        p.asm.jmp(JmpOp.JEQ, R0, 0, run);
        p.asm.ldx(Size.DW, R1, R0, 0);
        p.asm.jmp(JmpOp.JNE, R1, 0, p.exitLabel);
        p.asm.place(run);
    }

    /** In exit(): sets the flag. */
    static void set(ProbeCompiler p) {
        if (!p.cx.internal.contains(MAP)) return;
        String done = p.asm.label("exited");
        lookup(p);
        p.asm.jmp(JmpOp.JEQ, R0, 0, done);
        p.asm.st(Size.DW, R0, 0, 1);
        p.asm.place(done);
    }

    private static void lookup(ProbeCompiler p) {
        int key = p.frame.alloc(8, Span.NONE);
        p.asm.st(Size.W, R10, key, 0);
        p.asm.loadMap(R1, MAP);
        p.asm.stackAddr(R2, key);
        p.asm.call(Helper.MAP_LOOKUP_ELEM);
    }
}
