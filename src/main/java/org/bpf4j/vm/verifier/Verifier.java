package org.bpf4j.vm.verifier;

import org.bpf4j.UserException;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.MapReference;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Program;
import org.bpf4j.map.MapSpec;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.vm.LinkedProgram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * bpf4j's own verifier: proves, before a program runs, that every path ends, every register is written before
 * it is read, every memory access stays inside the object its pointer points into, map values are null-checked
 * before use, and helper arguments match their {@link org.bpf4j.prog.HelperSignature signatures}.
 *
 * <p>Like the kernel's, it walks the paths of the program depth-first over an abstract state (scalar ranges,
 * signed and unsigned, 64 and 32 bits, with tnums; pointers with their kind and offset; the stack byte by byte
 * with spilled registers), and cuts a path when a state stored at a branch target already covers it. Unlike
 * the kernel, it does not walk a loop once per iteration: at a loop head the states are joined and widened
 * (as PREVAIL does), so a loop of ten million iterations takes a few passes, and {@link Termination} proves
 * each loop ends by finding a counter that moves toward an exit bound on every iteration. A loop that proof
 * cannot handle is then walked iteration by iteration, as the kernel does, within the instruction budget.
 */
public final class Verifier {
    private static final int WIDEN_AFTER = 2;
    private static final int STATES_PER_POINT = 4;
    private static final int LOG_TAIL = 24;
    /** {@code -Dbpf4j.verifier.trace}: print every step with the registers, as the kernel's log level 2. */
    private static final boolean TRACE = System.getProperty("bpf4j.verifier.trace") != null;

    private record Key(int pc, long chain) {}

    private static final class Head {
        State state;
        int visits;

        Head(State state) {
            this.state = state;
        }
    }

    private final Program program;
    private final String name;
    private final VerifierOptions options;
    private final Cfg cfg;
    private final Step step;
    private final Map<Key, List<State>> seen = new HashMap<>();
    private final java.util.TreeMap<Key, List<State>> queue = new java.util.TreeMap<>(
            java.util.Comparator.comparingInt(Key::pc).thenComparingLong(Key::chain));
    private final Map<Key, Head> heads = new HashMap<>();
    private final Map<Integer, Value[]> headRegs = new HashMap<>();
    private final ArrayDeque<Integer> recent = new ArrayDeque<>();
    /** The instructions of loops walked iteration by iteration (their proof failed). */
    private final java.util.BitSet unrolled = new java.util.BitSet();
    private long processed, prunes, stored;

    private final State entry;

    private Verifier(Program program, String name, VerifierOptions options, State entry) {
        this.program = program;
        this.entry = entry;
        this.name = name;
        this.options = options;
        this.cfg = new Cfg(program.instructions(), LinkedProgram.targets(program));
        Map<Integer, MapSpec> mapAt = new HashMap<>();
        for (MapReference ref : program.mapReferences()) {
            MapSpec spec = options.maps().get(ref.mapName());
            if (spec == null) throw new UserException("instruction " + ref.index() + ": the program uses map '" + ref.mapName() + "', which the verifier was not given");
            mapAt.put(ref.index(), spec);
        }
        this.step = new Step(cfg, options, mapAt);
    }

    /**
     * Verifies {@code program} (called {@code name} in messages); returns what it cost, or throws a
     * {@link VerifierException} naming the instruction and the reason.
     */
    public static Verification verify(Program program, String name, VerifierOptions options) {
        return verify(program, name, options, Step.entry(options));
    }

    /** Verifies from a given entry state (the corpus tests set registers up as their cases say). */
    static Verification verify(Program program, String name, VerifierOptions options, State entry) {
        if (program.instructions().isEmpty()) throw new UserException("program '" + name + "' is empty");
        return new Verifier(program, name, options, entry).run();
    }

    private Verification run() {
        long start = System.nanoTime();
        try {
            checkLayout();
            explore();
            int loops = options.checkTermination() ? proveLoops() : 0;
            long nanos = System.nanoTime() - start;
            String log = "processed " + processed + " insns (limit " + options.maxInstructions() + ") total_states " + stored
                    + " pruned " + prunes + " loops " + loops + "\n";
            return new Verification(processed, stored, prunes, loops, nanos, log);
        } catch (Rejection r) {
            throw rejection(r);
        }
    }

    /** {@code proof}, when its loops' iterations fit the run's budget; a rejection at the first that does not. */
    private Termination withinBudget(Termination proof) {
        Termination.Failure f = proof.overBudget(options.maxIterations());
        if (f != null) throw new Rejection(f.latch(), f.message());
        return proof;
    }

    /**
     * Proves the loops end. A loop the proof cannot show to end is walked instead, as the kernel does: the
     * program is explored again with no joins, widening or pruning inside that loop, so that each iteration is
     * a new state, until every path leaves it, within the instruction budget. Returns the loops proven either way.
     */
    private int proveLoops() {
        Termination proof = new Termination(cfg, headRegs);
        List<Termination.Failure> failed = proof.check(new java.util.BitSet());
        if (failed.isEmpty()) return withinBudget(proof).proven();
        for (Termination.Failure f : failed) unrolled.or(proof.body(f.head()));
        seen.clear();
        heads.clear();
        headRegs.clear();
        queue.clear();
        long first = processed;
        processed = 0;
        try {
            explore();
        } catch (Rejection r) {
            if (!r.budget) throw r;
            Termination.Failure f = failed.getFirst();
            throw new Rejection(f.latch(), f.message() + "; walking it took more than " + options.maxInstructions() + " instructions");
        } finally {
            processed += first;
        }
        Termination again = new Termination(cfg, headRegs);
        List<Termination.Failure> still = again.check(unrolled);
        if (!still.isEmpty()) throw new Rejection(still.getFirst().latch(), still.getFirst().message());
        return withinBudget(again).proven() + failed.size();
    }

    /** Jumps stay inside their subprogram, and no subprogram runs off its end; the kernel also wants no dead code. */
    private void checkLayout() {
        if (options.kernelRules()) {
            java.util.BitSet reached = new java.util.BitSet();
            ArrayDeque<Integer> work = new ArrayDeque<>(List.of(0));
            reached.set(0);
            while (!work.isEmpty()) {
                int i = work.pop();
                List<Integer> next = new ArrayList<>();
                for (int s : cfg.succ[i]) next.add(s);
                if (cfg.insns.get(i).op() instanceof Operation.Call && cfg.target[i] >= 0) next.add(cfg.target[i]);
                for (int s : next) {
                    if (s < cfg.n && !reached.get(s)) {
                        reached.set(s);
                        work.push(s);
                    }
                }
            }
            int dead = reached.nextClearBit(0);
            if (dead < cfg.n) throw new Rejection(dead, "unreachable insn " + dead);
        }
        for (int i = 0; i < cfg.n; i++) {
            int sub = cfg.subprogramOf[i], end = cfg.end(sub);
            for (int s : cfg.succ[i]) {
                if (s >= end && s == i + 1) throw new Rejection(i, s == cfg.n ? "last insn is not an exit or jmp" : "falls through into the next subprogram at insn " + s);
                if (s < sub || s >= end) throw new Rejection(i, "jump out of range from insn " + i + " to " + s);
            }
        }
    }

    /**
     * Explores the paths. A path runs straight until it forks or reaches a branch target; there its states are
     * queued by instruction, and the queue is worked off lowest instruction first, so that the paths meeting
     * at a join point are usually all there when it is taken up: a few are kept apart (path-sensitive, as the
     * kernel), more are joined into one, which keeps a long run of forks and joins linear.
     */
    private void explore() {
        enqueue(0, entry.copy());
        while (!queue.isEmpty()) {
            Map.Entry<Key, List<State>> next = queue.pollFirstEntry();
            for (State st : next.getValue()) runPath(next.getKey().pc(), st);
        }
    }

    private static final int ALL_REGS = 0x7ff;

    private void enqueue(int pc, State st) {
        List<State> list = queue.computeIfAbsent(new Key(pc, st.chainKey()), k -> new ArrayList<>(2));
        if (list.size() < STATES_PER_POINT || unrolled.get(pc)) list.add(st);
        else list.set(list.size() - 1, State.join(list.getLast(), st, false));
    }

    private void runPath(int pc, State st) {
        boolean first = true;
        while (true) {
            if (!first && (cfg.loopHeads.get(pc) || cfg.branchTargets.get(pc))) {
                enqueue(pc, st);
                return;
            }
            first = false;
            if (++processed > options.maxInstructions())
                throw new Rejection(pc, "BPF program is too large. Processed " + processed + " insn", true);
            if (unrolled.get(pc)) {
                // a loop being walked: every state goes on, unless this path is back at the head exactly as it
                // last left it (the kernel's "infinite loop detected"): it would go round until the budget ran out
                if (cfg.loopHeads.get(pc)) {
                    if (st.lastHead == pc && State.subsumes(st.lastAtHead, st, ALL_REGS) && State.subsumes(st, st.lastAtHead, ALL_REGS))
                        throw new Rejection(pc, "infinite loop detected at insn " + pc);
                    State seen = st.copy();
                    seen.lastAtHead = null;
                    st.lastAtHead = seen;
                    st.lastHead = pc;
                }
            } else if (cfg.loopHeads.get(pc)) {
                st = loopHead(pc, st);
                if (st == null) return;
            } else if (cfg.branchTargets.get(pc)) {
                st = atBranchTarget(pc, st);
                if (st == null) return;
            }
            remember(pc);
            if (TRACE) System.err.println(line(pc) + "    ; " + st.describe());
            List<Step.Branch> next;
            try {
                next = step.run(pc, st);
            } catch (Rejection r) {
                if (r.registers == null) r.registers = st.describe();
                throw r;
            }
            if (next.isEmpty()) return;
            if (next.size() > 1) {
                for (Step.Branch b : next) enqueue(b.pc(), b.state());
                return;
            }
            pc = next.getFirst().pc();
            st = next.getFirst().state();
        }
    }

    private void remember(int pc) {
        if (recent.size() == LOG_TAIL) recent.poll();
        recent.add(pc);
    }

    /**
     * At a branch target: null when a stored state covers {@code st} (the path is cut); otherwise the state to
     * go on from. The first few states are kept as they are (path-sensitive, as the kernel); past that, the new
     * state is joined into the last one kept and exploration goes on from the join, which bounds the number
     * of paths through a long run of branches.
     */
    private State atBranchTarget(int pc, State st) {
        List<State> list = seen.computeIfAbsent(new Key(pc, st.chainKey()), k -> new ArrayList<>(2));
        int live = cfg.liveIn[pc];
        for (State t : list) {
            if (State.subsumes(t, st, live)) {
                prunes++;
                return null;
            }
        }
        if (list.size() < STATES_PER_POINT) {
            list.add(st.copy());
            stored++;
            return st;
        }
        State joined = State.join(list.getLast(), st, false);
        list.set(list.size() - 1, joined);
        return joined.copy();
    }

    /** At a loop head: prune if the head's state covers {@code st}, else join (and widen) and go on from the result. */
    private State loopHead(int pc, State st) {
        Key key = new Key(pc, st.chainKey());
        Head h = heads.get(key);
        if (h == null) {
            heads.put(key, new Head(st.copy()));
            stored++;
            noteHead(pc, st);
            return st;
        }
        if (State.subsumes(h.state, st, cfg.liveIn[pc])) {
            prunes++;
            return null;
        }
        h.visits++;
        h.state = State.join(h.state, st, h.visits >= WIDEN_AFTER);
        noteHead(pc, h.state);
        return h.state.copy();
    }

    /** Keeps, per loop head, the join of the registers over every call chain, for the termination proof. */
    private void noteHead(int pc, State st) {
        Value[] regs = st.regs();
        Value[] old = headRegs.get(pc);
        if (old == null) {
            headRegs.put(pc, regs.clone());
            return;
        }
        Value[] joined = new Value[11];
        for (int r = 0; r < 11; r++) {
            joined[r] = old[r] instanceof Value.Num(Scalar a) && regs[r] instanceof Value.Num(Scalar b) ? Value.num(a.join(b))
                    : old[r].equals(regs[r]) ? old[r] : Value.UNINIT;
        }
        headRegs.put(pc, joined);
    }

    private VerifierException rejection(Rejection r) {
        StringBuilder log = new StringBuilder();
        for (int pc : recent) {
            if (pc != r.pc) log.append(line(pc)).append('\n');
        }
        if (r.pc >= 0 && r.pc < cfg.n) log.append(line(r.pc)).append('\n');
        if (r.registers != null) log.append(r.registers).append('\n');
        log.append(r.getMessage()).append('\n');
        log.append("processed ").append(processed).append(" insns (limit ").append(options.maxInstructions()).append(")\n");
        String text = r.pc >= 0 && r.pc < cfg.n ? Text.format(cfg.insns.get(r.pc)) : null;
        return new VerifierException(name, r.pc, text, r.getMessage(), log.toString());
    }

    private String line(int pc) {
        return Text.line(pc, cfg.insns.get(pc));
    }

    /** Whether {@code insn} ends a path. */
    static boolean isExit(Instruction insn) {
        return insn.op() instanceof Operation.Exit;
    }
}
