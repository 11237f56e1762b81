package org.bpf4j.vm;

import org.bpf4j.UserException;
import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.MapReference;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Pseudo;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A program made ready for an engine: jump and call targets as instruction indices (not slot offsets), the
 * value every lddw loads (map references resolved to their handles and value addresses in one machine), and
 * where each subprogram starts. Instructions the VM cannot run are refused here, naming their index.
 *
 * @param instructions the instructions, lddw counted once
 * @param targets      per instruction, the index a jump or local call goes to; -1 for others
 * @param constants    per instruction, the 64-bit value an lddw loads; 0 for others
 * @param subprograms  the first instruction of each subprogram (0, and every local call's target)
 */
public record LinkedProgram(List<Instruction> instructions, int[] targets, long[] constants, BitSet subprograms) {

    /** Links {@code program}, resolving its map references through {@code maps} (a name to a binding, or null). */
    public static LinkedProgram link(Program program, Function<String, Machine.MapBinding> maps) {
        List<Instruction> insns = program.instructions();
        int n = insns.size();
        if (n == 0) throw new UserException("the program is empty");
        int[] targets = targets(program);
        Map<Integer, String> references = new HashMap<>();
        for (MapReference ref : program.mapReferences()) references.put(ref.index(), ref.mapName());
        long[] constants = new long[n];
        BitSet subprograms = new BitSet();
        subprograms.set(0);
        for (int i = 0; i < n; i++) {
            Instruction insn = insns.get(i);
            if (insn.op() instanceof Operation.Call(CallKind kind) && kind == CallKind.LOCAL) subprograms.set(targets[i]);
            switch (insn.op()) {
                case Operation.LoadImm64(Pseudo p) when p == Pseudo.IMM64 -> constants[i] = insn.imm();
                case Operation.LoadImm64(Pseudo p) when p == Pseudo.MAP_FD || p == Pseudo.MAP_VALUE -> {
                    String name = references.get(i);
                    Machine.MapBinding b = name == null ? null : maps.apply(name);
                    if (b == null) throw new UserException("instruction " + i + ": lddw of "
                            + (name == null ? "map fd " + (int) insn.imm() + ", which names no map the VM was given" : "map '" + name + "', which the VM was not given"));
                    if (p == Pseudo.MAP_FD) {
                        constants[i] = b.handle();
                    } else {
                        if (b.map().values() == null) throw new UserException("instruction " + i + ": map '" + name + "' has no values to point at");
                        constants[i] = b.valueBase() + (insn.imm() >>> 32);
                    }
                }
                case Operation.LoadImm64 l -> throw unsupported(i, "lddw of kind " + l.pseudo());
                case Operation.LoadPacket p -> throw unsupported(i, "legacy packet loads (BPF_ABS/BPF_IND)");
                case Operation.GotoIndirect g -> throw unsupported(i, "indirect jumps (gotox)");
                case Operation.MayGoto g -> throw unsupported(i, "may_goto");
                case Operation.Call(CallKind kind) when kind == CallKind.KFUNC -> throw unsupported(i, "kfunc calls");
                case Operation.Alu a when a.op() == org.bpf4j.asm.AluOp.ADDR_SPACE_CAST || a.op() == org.bpf4j.asm.AluOp.MOV_PERCPU ->
                        throw unsupported(i, a.op().mnemonic());
                default -> { }
            }
        }
        return new LinkedProgram(List.copyOf(insns), targets, constants, subprograms);
    }

    /**
     * Per instruction, the index its jump or local call goes to (-1 for other instructions); a
     * {@link UserException} names a jump that leaves the program or lands inside an lddw.
     */
    public static int[] targets(Program program) {
        List<Instruction> insns = program.instructions();
        int n = insns.size();
        int[] indexOfSlot = new int[program.slots() + 1];
        Arrays.fill(indexOfSlot, -1);
        int[] slotOf = new int[n];
        for (int i = 0, slot = 0; i < n; slot += insns.get(i).width(), i++) {
            indexOfSlot[slot] = i;
            slotOf[i] = slot;
        }
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            Instruction insn = insns.get(i);
            targets[i] = -1;
            long displacement = switch (insn.op()) {
                case Operation.Jump j -> insn.offset();
                case Operation.Goto g -> insn.offset();
                case Operation.GotoLong g -> insn.imm();
                case Operation.Call(CallKind kind) when kind == CallKind.LOCAL -> insn.imm();
                default -> Long.MIN_VALUE;
            };
            if (displacement == Long.MIN_VALUE) continue;
            long slot = slotOf[i] + 1 + displacement;
            int target = slot >= 0 && slot < indexOfSlot.length - 1 ? indexOfSlot[(int) slot] : -1;
            if (target < 0) throw new UserException("instruction " + i + ": jump out of range (to slot " + slot + ")");
            targets[i] = target;
        }
        return targets;
    }

    /** Links a program that references no maps. */
    public static LinkedProgram link(Program program) {
        return link(program, name -> null);
    }

    private static UserException unsupported(int i, String what) {
        return new UserException("instruction " + i + ": the VM does not run " + what);
    }

    /** The number of instructions. */
    public int size() { return instructions.size(); }

    /** The end (exclusive) of the subprogram starting at {@code start}. */
    public int subprogramEnd(int start) {
        int next = subprograms.nextSetBit(start + 1);
        return next < 0 ? instructions.size() : next;
    }
}
