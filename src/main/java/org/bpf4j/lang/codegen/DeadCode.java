package org.bpf4j.lang.codegen;

import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.MapReference;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Program;
import org.bpf4j.lang.syntax.Span;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Removes instructions no path from the entry reaches (code after {@code exit()} or {@code return}, the branch
 * a constant condition never takes), which the kernel's verifier rejects, and jumps to the next instruction.
 * Callbacks (subprograms whose address an lddw takes) are reached from there.
 */
final class DeadCode {
    private DeadCode() {}

    /** The program without unreachable instructions, the spans and the kernel symbols of the instructions kept. */
    record Result(Program program, List<Span> spans, List<SymbolRelocation> symbols) {}

    static Result strip(Program p, List<Span> spans, List<SymbolRelocation> symbols) {
        List<Instruction> in = p.instructions();
        int n = in.size();
        int[] slot = new int[n + 1];
        for (int i = 0; i < n; i++) slot[i + 1] = slot[i] + in.get(i).width();
        boolean[] live = new boolean[n];
        Deque<Integer> work = new ArrayDeque<>(List.of(0));
        while (!work.isEmpty()) {
            int i = work.pop();
            if (i < 0 || i >= n || live[i]) continue;
            live[i] = true;
            Instruction insn = in.get(i);
            switch (insn.op()) {
                case Operation.Exit e -> { }
                case Operation.LoadImm64 l when l.pseudo() == org.bpf4j.asm.Pseudo.FUNC -> { // a callback's address: it runs too
                    work.push(i + 1);
                    work.push(indexAt(slot, slot[i] + 1 + (int) insn.imm()));
                }
                case Operation.Goto g -> work.push(indexAt(slot, slot[i + 1] + insn.offset()));
                case Operation.GotoLong g -> work.push(indexAt(slot, slot[i + 1] + (int) insn.imm()));
                case Operation.Jump j -> {
                    work.push(i + 1);
                    work.push(indexAt(slot, slot[i + 1] + insn.offset()));
                }
                default -> work.push(i + 1);
            }
        }
        // a jump to the next instruction (an empty else, a return at the end) goes too
        for (int i = 0; i < n; i++) if (live[i] && in.get(i).op() instanceof Operation.Goto && in.get(i).offset() == 0) live[i] = false;
        boolean all = true;
        for (boolean b : live) all &= b;
        if (all) return new Result(p, spans, symbols);
        int[] newSlot = new int[n + 1];
        int[] newIndex = new int[n + 1];
        for (int i = 0, s = 0, k = 0; i <= n; i++) {
            newSlot[i] = s;
            newIndex[i] = k;
            if (i < n && live[i]) {
                s += in.get(i).width();
                k++;
            }
        }
        List<Instruction> out = new ArrayList<>();
        List<Span> outSpans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!live[i]) continue;
            Instruction insn = in.get(i);
            int next = newSlot[i] + insn.width();
            switch (insn.op()) {
                case Operation.Goto g -> insn = insn.withOffset(newSlot[indexAt(slot, slot[i + 1] + insn.offset())] - next);
                case Operation.Jump j -> insn = insn.withOffset(newSlot[indexAt(slot, slot[i + 1] + insn.offset())] - next);
                case Operation.GotoLong g -> insn = insn.withImm(newSlot[indexAt(slot, slot[i + 1] + (int) insn.imm())] - next);
                case Operation.LoadImm64 l when l.pseudo() == org.bpf4j.asm.Pseudo.FUNC ->
                        insn = insn.withImmLow(newSlot[indexAt(slot, slot[i] + 1 + (int) insn.imm())] - newSlot[i] - 1);
                default -> { }
            }
            out.add(insn);
            outSpans.add(i < spans.size() ? spans.get(i) : Span.NONE);
        }
        List<MapReference> refs = new ArrayList<>();
        for (MapReference r : p.mapReferences()) if (live[r.index()]) refs.add(new MapReference(newIndex[r.index()], r.mapName()));
        List<SymbolRelocation> syms = new ArrayList<>();
        for (SymbolRelocation r : symbols) if (live[r.index()]) syms.add(new SymbolRelocation(newIndex[r.index()], r.symbol(), r.span()));
        return new Result(Program.of(out, refs), outSpans, syms);
    }

    /** The instruction index that starts at {@code s}. */
    private static int indexAt(int[] slot, int s) {
        int lo = 0, hi = slot.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (slot[mid] < s) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
