package org.bpf4j.vm.verifier;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Source;
import org.bpf4j.prog.HelperSignature;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The control-flow graph of a program: successors of each instruction within its subprogram, the subprograms,
 * the back edges found by depth-first search (their targets are the loop heads), and which registers are live
 * before each instruction (so that states differing only in dead registers prune each other).
 */
final class Cfg {
    final List<Instruction> insns;
    final int n;
    final int[] target;
    final int[] subprogramOf;
    final BitSet subprograms = new BitSet();
    final int[][] succ;
    final BitSet loopHeads = new BitSet();
    final List<int[]> backEdges = new ArrayList<>();
    final BitSet branchTargets = new BitSet();
    final int[] liveIn;

    Cfg(List<Instruction> insns, int[] target) {
        this.insns = insns;
        this.n = insns.size();
        this.target = target;
        subprograms.set(0);
        for (int i = 0; i < n; i++) {
            if (insns.get(i).op() instanceof Operation.Call(CallKind k) && k == CallKind.LOCAL) subprograms.set(target[i]);
        }
        subprogramOf = new int[n];
        for (int s = subprograms.nextSetBit(0); s >= 0; s = subprograms.nextSetBit(s + 1)) {
            int end = end(s);
            for (int i = s; i < end; i++) subprogramOf[i] = s;
        }
        succ = new int[n][];
        for (int i = 0; i < n; i++) succ[i] = successors(i);
        for (int i = 0; i < n; i++) {
            if (succ[i].length > 1 || insns.get(i).op() instanceof Operation.Goto || insns.get(i).op() instanceof Operation.GotoLong) {
                for (int s : succ[i]) branchTargets.set(s);
            }
        }
        findBackEdges();
        liveIn = liveness();
    }

    /** The end (exclusive) of the subprogram starting at {@code start}. */
    int end(int start) {
        int next = subprograms.nextSetBit(start + 1);
        return next < 0 ? n : next;
    }

    private int[] successors(int i) {
        Instruction insn = insns.get(i);
        return switch (insn.op()) {
            case Operation.Exit e -> new int[0];
            case Operation.Goto g -> new int[] {target[i]};
            case Operation.GotoLong g -> new int[] {target[i]};
            case Operation.Jump j -> target[i] == i + 1 ? new int[] {i + 1} : new int[] {i + 1, target[i]};
            default -> new int[] {i + 1};
        };
    }

    /** Back edges of a depth-first search from each subprogram's entry: an edge to a node still on the stack. */
    private void findBackEdges() {
        byte[] color = new byte[n]; // 0 new, 1 on stack, 2 done
        for (int s = subprograms.nextSetBit(0); s >= 0; s = subprograms.nextSetBit(s + 1)) {
            if (color[s] != 0) continue;
            ArrayDeque<int[]> stack = new ArrayDeque<>(); // node, next successor index
            stack.push(new int[] {s, 0});
            color[s] = 1;
            while (!stack.isEmpty()) {
                int[] top = stack.peek();
                int u = top[0];
                if (top[1] < succ[u].length) {
                    int v = succ[u][top[1]++];
                    if (v >= n) continue;
                    if (color[v] == 1) {
                        backEdges.add(new int[] {u, v});
                        loopHeads.set(v);
                    } else if (color[v] == 0) {
                        color[v] = 1;
                        stack.push(new int[] {v, 0});
                    }
                } else {
                    color[u] = 2;
                    stack.pop();
                }
            }
        }
    }

    /** Registers read by instruction {@code i} (bit k for rk). */
    int uses(int i) {
        Instruction insn = insns.get(i);
        int d = 1 << insn.dst().index(), s = 1 << insn.src().index();
        return switch (insn.op()) {
            case Operation.Alu a -> (a.op() == AluOp.MOV || a.op().name().startsWith("MOVSX") ? 0 : d) | (a.source() == Source.X ? s : 0);
            case Operation.Swap w -> d;
            case Operation.Jump j -> d | (j.source() == Source.X ? s : 0);
            case Operation.Load l -> s;
            case Operation.Store st -> d | s;
            case Operation.StoreImm st -> d;
            case Operation.Atomic a -> d | s | (a.op() == AtomicOp.CMPXCHG ? 1 : 0);
            case Operation.Call c when c.kind() == CallKind.HELPER ->
                    HelperSignature.of((int) insn.imm()).map(sig -> ((1 << sig.args().size()) - 1) << 1).orElse(0x3e);
            case Operation.Call c -> 0x3e;
            case Operation.CallRegister c -> d | 0x3e;
            case Operation.Exit e -> 1;
            default -> 0;
        };
    }

    /** Registers written by instruction {@code i}. */
    int defs(int i) {
        Instruction insn = insns.get(i);
        return switch (insn.op()) {
            case Operation.Alu a -> 1 << insn.dst().index();
            case Operation.Swap w -> 1 << insn.dst().index();
            case Operation.Load l -> 1 << insn.dst().index();
            case Operation.LoadImm64 l -> 1 << insn.dst().index();
            case Operation.Atomic a -> (a.op().fetches() ? 1 << insn.src().index() : 0) | (a.op() == AtomicOp.CMPXCHG ? 1 : 0)
                    | (a.op() == AtomicOp.LOAD_ACQUIRE ? 1 << insn.dst().index() : 0);
            case Operation.Call c -> 0x3f;
            case Operation.CallRegister c -> 0x3f;
            default -> 0;
        };
    }

    private int[] liveness() {
        int[] in = new int[n];
        int[] use = new int[n], def = new int[n];
        for (int i = 0; i < n; i++) {
            use[i] = uses(i);
            def[i] = defs(i);
        }
        List<List<Integer>> preds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) preds.add(new ArrayList<>(1));
        for (int i = 0; i < n; i++) for (int s : succ[i]) if (s < n) preds.get(s).add(i);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        BitSet queued = new BitSet(n);
        for (int i = n - 1; i >= 0; i--) {
            work.add(i);
            queued.set(i);
        }
        while (!work.isEmpty()) {
            int i = work.poll();
            queued.clear(i);
            int out = 0;
            for (int s : succ[i]) if (s < n) out |= in[s];
            int nin = use[i] | (out & ~def[i]);
            if (nin != in[i]) {
                in[i] = nin;
                for (int p : preds.get(i)) {
                    if (!queued.get(p)) {
                        queued.set(p);
                        work.add(p);
                    }
                }
            }
        }
        return in;
    }
}
