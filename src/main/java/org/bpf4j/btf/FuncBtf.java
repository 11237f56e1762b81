package org.bpf4j.btf;

import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Pseudo;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The BTF and {@code bpf_func_info} a program needs when it takes a subprogram's address (a
 * {@code bpf_for_each_map_elem} callback): the verifier then wants every function described. The main program is
 * {@code long prog(void *ctx)}, each other subprogram a callback {@code long cb_N(void *map, void *key, void *value,
 * void *ctx)}. Pure data: the runtime loads {@link #btf()} and passes its descriptor with {@link #funcInfo()}.
 *
 * @param btf      raw BTF (header, types, strings)
 * @param funcInfo {@code struct bpf_func_info} records ({@code insn_off} in instruction slots, {@code type_id})
 */
public record FuncBtf(byte[] btf, byte[] funcInfo) {
    private static final int INT = 1, PTR = 2, FUNC = 12, FUNC_PROTO = 13;
    private static final int STATIC = 0, GLOBAL = 1;

    /** The description of {@code p}'s functions, or null when it takes no subprogram's address (none is needed). */
    public static FuncBtf of(Program p) {
        List<Integer> starts = subprograms(p);
        boolean takesAddress = false;
        for (Instruction i : p.instructions())
            takesAddress |= i.op() instanceof Operation.LoadImm64 l && l.pseudo() == Pseudo.FUNC;
        return takesAddress ? of(starts) : null;
    }

    /** The instruction slot each function starts at, the main program's (0) first: targets of local calls and function addresses. */
    public static List<Integer> subprograms(Program p) {
        TreeSet<Integer> starts = new TreeSet<>(List.of(0));
        int slot = 0;
        for (Instruction i : p.instructions()) {
            if (i.op() instanceof Operation.LoadImm64 l && l.pseudo() == Pseudo.FUNC) starts.add(slot + 1 + (int) i.imm());
            if (i.op() instanceof Operation.Call c && c.kind() == CallKind.LOCAL) starts.add(slot + 1 + (int) i.imm());
            slot += i.width();
        }
        return new ArrayList<>(starts);
    }

    /** BTF for functions starting at these slots (the first the main program's, at 0). */
    public static FuncBtf of(List<Integer> starts) {
        ByteArrayOutputStream strs = new ByteArrayOutputStream();
        strs.write(0);
        int nLong = string(strs, "long"), nCtx = string(strs, "ctx"), nMap = string(strs, "map"), nKey = string(strs, "key"),
                nValue = string(strs, "value"), nProg = string(strs, "prog");
        List<int[]> types = new ArrayList<>();
        types.add(new int[] {nLong, INT << 24, 8, (1 << 24) | 64});              // [1] long: signed, 64 bits
        types.add(new int[] {0, PTR << 24, 0});                                  // [2] void *
        types.add(new int[] {0, (FUNC_PROTO << 24) | 1, 1, nCtx, 2});            // [3] long (void *ctx)
        types.add(new int[] {0, (FUNC_PROTO << 24) | 4, 1, nMap, 2, nKey, 2, nValue, 2, nCtx, 2}); // [4] the callbacks'
        ByteBuffer info = ByteBuffer.allocate(8 * starts.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < starts.size(); i++) {
            int name = i == 0 ? nProg : string(strs, "cb_" + i);
            types.add(new int[] {name, (FUNC << 24) | (i == 0 ? GLOBAL : STATIC), i == 0 ? 3 : 4});
            info.putInt(starts.get(i)).putInt(types.size());
        }
        int typeLen = 0;
        for (int[] t : types) typeLen += 4 * t.length;
        byte[] s = strs.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(24 + typeLen + s.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(typeLen).putInt(typeLen).putInt(s.length);
        for (int[] t : types) for (int w : t) b.putInt(w);
        b.put(s);
        return new FuncBtf(b.array(), info.array());
    }

    /** Appends {@code s} and its NUL to the string section; its offset. */
    private static int string(ByteArrayOutputStream strs, String s) {
        int off = strs.size();
        strs.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        strs.write(0);
        return off;
    }
}
