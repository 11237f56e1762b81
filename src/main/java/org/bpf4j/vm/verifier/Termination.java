package org.bpf4j.vm.verifier;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Source;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves that every loop the verifier reached terminates, without running it: a loop ends if some conditional
 * exit that every iteration passes compares a counter with a bound that does not change in the loop, and the
 * counter moves toward that bound by a non-zero amount on every iteration, in steps no wider than the range of
 * values that force the exit (so it cannot step over it, even wrapping around). The counter's change per
 * iteration is found by a small interval analysis over the loop body; the bound's range comes from the
 * verifier's (widened) state at the loop head.
 */
final class Termination {
    private static final BigInteger TWO = BigInteger.TWO;

    private final Cfg cfg;
    private final Map<Integer, Value[]> headRegs;

    Termination(Cfg cfg, Map<Integer, Value[]> headRegs) {
        this.cfg = cfg;
        this.headRegs = headRegs;
    }

    /** A loop the proof could not show to end. */
    record Failure(int head, int latch, String reason) {
        String message() {
            return "loop at insn " + head + " (back edge from insn " + latch + ") not proven to terminate: " + reason;
        }
    }

    private int proven;
    /** The most iterations each proven loop can run, by loop head. */
    private final Map<Integer, BigInteger> iterations = new HashMap<>();
    /** The bound the last successful {@link #tryCounter} found. */
    private BigInteger found;

    /** Tries every reached loop outside {@code skip}; returns the ones not proven ({@link #proven()} counts the others). */
    List<Failure> check(BitSet skip) {
        List<Failure> failures = new java.util.ArrayList<>();
        for (int h = cfg.loopHeads.nextSetBit(0); h >= 0; h = cfg.loopHeads.nextSetBit(h + 1)) {
            Value[] regs = headRegs.get(h);
            if (regs == null || skip.get(h)) continue; // never reached, or proven by walking it
            BitSet latches = latches(h);
            String why = proveLoop(h, latches, body(h, latches), regs);
            if (why != null) failures.add(new Failure(h, latches.nextSetBit(0), why));
            else {
                proven++;
                iterations.put(h, found);
            }
        }
        return failures;
    }

    /** The loops proven so far. */
    int proven() {
        return proven;
    }

    /**
     * The first proven loop whose iterations, times those of the proven loops around it, exceed {@code max}: a
     * loop that ends only after 2^64 steps ends in theory, not in a run. Null when all are within it.
     */
    Failure overBudget(long max) {
        BigInteger limit = BigInteger.valueOf(max);
        for (var e : new java.util.TreeMap<>(iterations).entrySet()) {
            int h = e.getKey();
            BigInteger total = e.getValue();
            for (var outer : iterations.entrySet())
                if (outer.getKey() != h && body(outer.getKey()).get(h)) total = total.multiply(outer.getValue());
            if (total.compareTo(limit) > 0) {
                String n = total.bitLength() > 40 ? "about 2^" + (total.bitLength() - 1) : total.toString();
                return new Failure(h, latches(h).nextSetBit(0), "it may run " + n + " iterations" + (total.equals(e.getValue()) ? "" : " with the loops around it")
                        + ", more than the " + max + " a run may take");
            }
        }
        return null;
    }

    private BitSet latches(int h) {
        BitSet latches = new BitSet();
        for (int[] e : cfg.backEdges) if (e[1] == h) latches.set(e[0]);
        return latches;
    }

    /** The instructions of the loop at {@code h}. */
    BitSet body(int h) {
        return body(h, latches(h));
    }

    /** The natural loop of {@code h}: the head and every instruction that reaches a latch without passing the head. */
    private BitSet body(int h, BitSet latches) {
        BitSet body = new BitSet();
        body.set(h);
        Map<Integer, List<Integer>> preds = new HashMap<>();
        int sub = cfg.subprogramOf[h], end = cfg.end(sub);
        for (int i = sub; i < end; i++) for (int s : cfg.succ[i]) preds.computeIfAbsent(s, k -> new java.util.ArrayList<>()).add(i);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int u = latches.nextSetBit(0); u >= 0; u = latches.nextSetBit(u + 1)) {
            if (!body.get(u)) {
                body.set(u);
                work.add(u);
            }
        }
        while (!work.isEmpty()) {
            int v = work.poll();
            for (int p : preds.getOrDefault(v, List.of())) {
                if (!body.get(p)) {
                    body.set(p);
                    work.add(p);
                }
            }
        }
        return body;
    }

    private String proveLoop(int h, BitSet latches, BitSet body, Value[] regs) {
        String last = "no conditional exit is passed on every iteration";
        for (int t = body.nextSetBit(0); t >= 0; t = body.nextSetBit(t + 1)) {
            if (!(cfg.insns.get(t).op() instanceof Operation.Jump j) || cfg.succ[t].length != 2) continue;
            boolean nextIn = body.get(t + 1), takenIn = body.get(cfg.target[t]);
            if (nextIn == takenIn) continue;
            if (!cutsEveryCycle(h, t, latches, body)) continue;
            Instruction insn = cfg.insns.get(t);
            // stay in the loop while (dst op src) holds, with op as written when the taken edge stays in
            JmpOp stay = takenIn ? j.op() : ScalarOps.negate(j.op());
            if (stay == null) {
                last = "the exit at insn " + t + " tests bits (jset), not a bound";
                continue;
            }
            String r1 = tryCounter(h, t, insn.dst().index(), stay, j, insn, true, body, latches, regs);
            if (r1 == null) return null;
            last = r1;
            if (j.source() == Source.X) {
                String r2 = tryCounter(h, t, insn.src().index(), ScalarOps.flip(stay), j, insn, false, body, latches, regs);
                if (r2 == null) return null;
            }
        }
        return last;
    }

    /** Whether every cycle through {@code h} passes {@code t}. */
    private boolean cutsEveryCycle(int h, int t, BitSet latches, BitSet body) {
        if (t == h) return true;
        BitSet seen = new BitSet();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(h);
        seen.set(h);
        while (!work.isEmpty()) {
            int v = work.poll();
            if (latches.get(v) && v != t) return false;
            for (int s : cfg.succ[v]) {
                if (s == t || s == h || !body.get(s) || seen.get(s)) continue;
                seen.set(s);
                work.add(s);
            }
        }
        return true;
    }

    private String tryCounter(int h, int t, int r, JmpOp stay, Operation.Jump j, Instruction insn, boolean counterIsDst,
                              BitSet body, BitSet latches, Value[] regs) {
        boolean wide = !j.narrow();
        BigInteger m = TWO.pow(wide ? 64 : 32);
        boolean signed = switch (stay) {
            case JSGT, JSGE, JSLT, JSLE -> true;
            default -> false;
        };
        // the bound's range, in the (biased, for signed) unsigned domain
        BigInteger bmin, bmax;
        int boundReg = -1;
        if (counterIsDst && j.source() == Source.K) {
            long v = insn.imm();
            BigInteger b = wide ? unsigned(v) : BigInteger.valueOf(v & 0xffffffffL);
            if (signed) b = b.add(m.shiftRight(1)).mod(m);
            bmin = bmax = b;
        } else {
            boundReg = counterIsDst ? insn.src().index() : insn.dst().index();
            if (boundReg == r) return "the exit at insn " + t + " compares r" + r + " with itself";
            if (writtenIn(boundReg, body)) return "the bound r" + boundReg + " of the exit at insn " + t + " changes in the loop";
            if (!(regs[boundReg] instanceof Value.Num(Scalar s))) return "the bound r" + boundReg + " of the exit at insn " + t + " is not a number";
            long[] range = wide ? (signed ? new long[] {s.smin(), s.smax()} : new long[] {s.umin(), s.umax()})
                    : (signed ? new long[] {s.s32min(), s.s32max()} : new long[] {s.u32min(), s.u32max()});
            bmin = bias(range[0], m, signed, wide);
            bmax = bias(range[1], m, signed, wide);
            if (bmin.compareTo(bmax) > 0) return "the bound r" + boundReg + " has no range";
        }
        // the counter's range at the head, in the same domain as the bound
        BigInteger smin = BigInteger.ZERO, smax = m.subtract(BigInteger.ONE);
        if (regs[r] instanceof Value.Num(Scalar c)) {
            long[] range = wide ? (signed ? new long[] {c.smin(), c.smax()} : new long[] {c.umin(), c.umax()})
                    : (signed ? new long[] {c.s32min(), c.s32max()} : new long[] {c.u32min(), c.u32max()});
            BigInteger a = bias(range[0], m, signed, wide), b = bias(range[1], m, signed, wide);
            if (a.compareTo(b) <= 0) {
                smin = a;
                smax = b;
            }
        }
        long[][] deltas = deltas(h, t, r, wide, body, latches);
        if (deltas == null) return "r" + r + " does not change by a constant amount on every path through the loop";
        long dl = deltas[0][0], dh = deltas[0][1], tl = deltas[1][0], th = deltas[1][1];
        long limit = wide ? 1L << 31 : 1L << 20;
        if (Math.abs(dl) > limit || Math.abs(dh) > limit || Math.abs(tl) > limit || Math.abs(th) > limit)
            return "r" + r + " changes by too much per iteration";
        boolean up = dl >= 1, down = dh <= -1;
        if (!up && !down) return "r" + r + " does not move in one direction on every iteration (step " + dl + ".." + dh + ")";
        BigInteger maxStep = BigInteger.valueOf(up ? dh : -dl);
        BigInteger lower, upper;
        BigInteger two = BigInteger.TWO;
        switch (stay) {
            case JLT, JSLT, JLE, JSLE -> {
                if (!up) return "r" + r + " moves away from the exit bound";
                BigInteger b = stay == JmpOp.JLE || stay == JmpOp.JSLE ? bmax.add(BigInteger.ONE) : bmax;
                lower = b.subtract(BigInteger.valueOf(tl)).max(BigInteger.ZERO);
                upper = m.subtract(BigInteger.ONE).subtract(BigInteger.valueOf(Math.max(0, th)));
                // from its lowest start, by at least dl a time, the counter reaches the bound
                found = b.subtract(smin).max(BigInteger.ZERO).divide(BigInteger.valueOf(dl)).add(two);
            }
            case JGT, JSGT, JGE, JSGE -> {
                if (!down) return "r" + r + " moves away from the exit bound";
                BigInteger b = stay == JmpOp.JGE || stay == JmpOp.JSGE ? bmin.subtract(BigInteger.ONE) : bmin;
                lower = BigInteger.valueOf(Math.max(0, -tl));
                upper = b.subtract(BigInteger.valueOf(th));
                found = smax.subtract(b).max(BigInteger.ZERO).divide(BigInteger.valueOf(-dh)).add(two);
            }
            case JNE -> {
                if (!bmin.equals(bmax) || tl != th || maxStep.compareTo(BigInteger.ONE) != 0 || dl != dh)
                    return "a loop that runs while r" + r + " != bound needs a constant bound and a step of exactly 1";
                // steps of 1 toward the bound, wrapping: at most the distance from the farthest start, or all the
                // way round when a start may be the bound itself (a count down from 0 runs 2^64 times)
                boolean inside = bmin.compareTo(smin) >= 0 && bmin.compareTo(smax) <= 0;
                BigInteger far = inside ? m : (up ? bmin.subtract(smin) : smax.subtract(bmin)).mod(m);
                found = far.add(two);
                return null;
            }
            case JEQ -> {
                found = two; // it moves on every iteration, so it equals the bound at most once
                return null;
            }
            default -> {
                return "unsupported exit test";
            }
        }
        if (upper.compareTo(lower) < 0 || upper.subtract(lower).add(BigInteger.ONE).compareTo(maxStep) < 0)
            return "r" + r + " could step over the exit bound";
        return null;
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private static BigInteger bias(long v, BigInteger m, boolean signed, boolean wide) {
        BigInteger x = signed ? BigInteger.valueOf(v).mod(m) : wide ? unsigned(v) : BigInteger.valueOf(v & 0xffffffffL);
        return signed ? x.add(m.shiftRight(1)).mod(m) : x;
    }

    private boolean writtenIn(int reg, BitSet body) {
        for (int i = body.nextSetBit(0); i >= 0; i = body.nextSetBit(i + 1)) {
            if ((cfg.defs(i) & (1 << reg)) != 0) return true;
            if (cfg.insns.get(i).op() instanceof Operation.Call && reg <= 5) return true;
        }
        return false;
    }

    /**
     * How much {@code r} changed since the head: {latch range (after the latch), range at t (before it)}, or null
     * when some path changes it other than by a constant.
     */
    private long[][] deltas(int h, int t, int r, boolean wide, BitSet body, BitSet latches) {
        Map<Integer, long[]> in = new HashMap<>();
        Map<Integer, Integer> visits = new HashMap<>();
        in.put(h, new long[] {0, 0});
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(h);
        long[] latch = null;
        while (!work.isEmpty()) {
            int v = work.poll();
            long[] d = in.get(v);
            long[] out = transfer(v, r, wide, d);
            if (out == null) return null;
            if (latches.get(v)) latch = latch == null ? out.clone() : hull(latch, out);
            for (int s : cfg.succ[v]) {
                if (s == h || !body.get(s)) continue;
                long[] old = in.get(s);
                long[] now = old == null ? out.clone() : hull(old, out);
                if (old != null && old[0] == now[0] && old[1] == now[1]) continue;
                if (visits.merge(s, 1, Integer::sum) > 16) return null; // an inner loop keeps changing it
                in.put(s, now);
                work.add(s);
            }
        }
        long[] atT = in.get(t);
        if (latch == null || atT == null) return null;
        return new long[][] {latch, atT};
    }

    private static long[] hull(long[] a, long[] b) {
        return new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])};
    }

    private long[] transfer(int i, int r, boolean wide, long[] d) {
        Instruction insn = cfg.insns.get(i);
        if (insn.op() instanceof Operation.Alu a && insn.dst().index() == r && a.source() == Source.K
                && (a.op() == AluOp.ADD || a.op() == AluOp.SUB) && (a.wide() || !wide)) {
            long c = a.op() == AluOp.ADD ? insn.imm() : -insn.imm();
            if (!a.wide()) c = (int) c;
            return new long[] {d[0] + c, d[1] + c};
        }
        if ((cfg.defs(i) & (1 << r)) != 0) return null;
        return d;
    }
}
