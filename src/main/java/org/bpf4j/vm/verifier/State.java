package org.bpf4j.vm.verifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The abstract state on one path: the call frames, innermost last. Mutable while a path runs straight;
 * copied where it branches. The static methods compare, join and widen states for pruning and loops.
 */
final class State {
    final ArrayList<Frame> frames;
    /** In a walked loop: this path's state when it last reached a loop head, and that head (-1: none yet). */
    State lastAtHead;
    int lastHead = -1;

    State(Frame main) {
        frames = new ArrayList<>(List.of(main));
    }

    private State(ArrayList<Frame> frames) {
        this.frames = frames;
    }

    State copy() {
        ArrayList<Frame> out = new ArrayList<>(frames.size());
        for (Frame f : frames) out.add(f.copy());
        State s = new State(out);
        s.lastAtHead = lastAtHead;
        s.lastHead = lastHead;
        return s;
    }

    Frame top() {
        return frames.getLast();
    }

    Value[] regs() {
        return top().regs;
    }

    /** A key for the call chain: states at the same instruction compare only within one chain. */
    long chainKey() {
        long k = 17;
        for (Frame f : frames) k = k * 1_000_003 + f.callsite;
        return k;
    }

    // ---- comparison ----

    /** Matches the null-tracking ids of one state with another's, one to one. */
    private static final class Ids {
        final Map<Integer, Integer> forward = new HashMap<>(), backward = new HashMap<>();

        boolean match(int a, int b) {
            Integer f = forward.putIfAbsent(a, b), g = backward.putIfAbsent(b, a);
            return (f == null || f == b) && (g == null || g == a);
        }
    }

    /** Whether every behaviour of {@code s} is covered by {@code t}: {@code t} subsumes {@code s}. */
    static boolean subsumes(State t, State s, int liveTop) {
        if (t.frames.size() != s.frames.size()) return false;
        Ids ids = new Ids();
        for (int k = 0; k < t.frames.size(); k++) {
            Frame ft = t.frames.get(k), fs = s.frames.get(k);
            if (ft.callsite != fs.callsite) return false;
            boolean top = k == t.frames.size() - 1;
            for (int r = 0; r < 11; r++) {
                if (top && (liveTop & (1 << r)) == 0) continue;
                if (!subsumes(ft.regs[r], fs.regs[r], ids)) return false;
            }
            for (int b = 0; b < Frame.STACK; b++) {
                byte bt = ft.bytes[b], bs = fs.bytes[b];
                if (bt == Frame.INVALID || bt == bs && bt != Frame.SPILL) continue;
                if (bt == Frame.MISC && (bs == Frame.ZERO || bs == Frame.SPILL && fs.spills[b / 8] instanceof Value.Num)) continue;
                if (bt == Frame.SPILL && bs == Frame.SPILL) {
                    if (b % 8 == 0 && !subsumes(ft.spills[b / 8], fs.spills[b / 8], ids)) return false;
                    continue;
                }
                return false;
            }
        }
        return true;
    }

    private static boolean subsumes(Value t, Value s, Ids ids) {
        if (t instanceof Value.Uninit) return true;
        if (t instanceof Value.Num(Scalar a) && s instanceof Value.Num(Scalar b)) return a.contains(b);
        if (t instanceof Value.Ptr p && s instanceof Value.Ptr q) {
            if (!p.sameRegion(q) || p.nullable() != q.nullable() || !p.off().contains(q.off())) return false;
            if (p.kind() == Value.Kind.PACKET && p.size() > q.size()) return false; // t knew more of the packet
            return !p.nullable() || ids.match(p.id(), q.id());
        }
        return false;
    }

    // ---- join and widening, at loop heads ----

    /** The least state covering both (frames must match); with {@code widen}, bounds that grew jump to their extremes. */
    static State join(State w, State s, boolean widen) {
        ArrayList<Frame> out = new ArrayList<>(w.frames.size());
        Ids ids = new Ids();
        for (int k = 0; k < w.frames.size(); k++) {
            Frame a = w.frames.get(k), b = s.frames.get(k);
            Frame f = a.copy();
            for (int r = 0; r < 11; r++) f.regs[r] = join(a.regs[r], b.regs[r], widen, ids);
            for (int slot = 0; slot < Frame.STACK / 8; slot++) {
                int base = slot * 8;
                if (a.bytes[base] == Frame.SPILL && b.bytes[base] == Frame.SPILL && a.spills[slot] != null && b.spills[slot] != null) {
                    Value v = join(a.spills[slot], b.spills[slot], widen, ids);
                    if (v instanceof Value.Uninit) {
                        java.util.Arrays.fill(f.bytes, base, base + 8, Frame.INVALID);
                        f.spills[slot] = null;
                    } else {
                        f.spills[slot] = v;
                    }
                    continue;
                }
                f.spills[slot] = null;
                for (int i = base; i < base + 8; i++) f.bytes[i] = joinByte(a, b, i);
            }
            out.add(f);
        }
        return new State(out);
    }

    private static byte joinByte(Frame a, Frame b, int i) {
        byte x = plain(a, i), y = plain(b, i);
        if (x == y) return x;
        if (x == Frame.INVALID || y == Frame.INVALID) return Frame.INVALID;
        return Frame.MISC;
    }

    /** A byte as plain data: a byte of a spilled number is some data, of a spilled pointer unusable. */
    private static byte plain(Frame f, int i) {
        byte v = f.bytes[i];
        if (v != Frame.SPILL) return v;
        return f.spills[i / 8] instanceof Value.Num ? Frame.MISC : Frame.INVALID;
    }

    private static Value join(Value a, Value b, boolean widen, Ids ids) {
        if (a.equals(b)) return a;
        if (a instanceof Value.Num(Scalar x) && b instanceof Value.Num(Scalar y)) {
            Scalar j = x.join(y);
            return Value.num(widen ? x.widen(j) : j);
        }
        if (a instanceof Value.Ptr p && b instanceof Value.Ptr q && p.sameRegion(q) && p.nullable() == q.nullable()) {
            if (p.nullable() && !ids.match(p.id(), q.id())) return Value.UNINIT;
            Scalar j = p.off().join(q.off());
            Value.Ptr r = p.withOff(widen ? p.off().widen(j) : j);
            return p.kind() == Value.Kind.PACKET ? r.withSize(Math.min(p.size(), q.size())) : r;
        }
        return Value.UNINIT;
    }

    /** The registers of the innermost frame, for the log. */
    String describe() {
        StringBuilder b = new StringBuilder();
        Value[] regs = regs();
        for (int r = 0; r < 11; r++) {
            if (regs[r] instanceof Value.Uninit) continue;
            if (!b.isEmpty()) b.append(' ');
            b.append('R').append(r).append('=').append(regs[r]);
        }
        return b.toString();
    }
}
