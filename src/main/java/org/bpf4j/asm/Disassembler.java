package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Prints instructions the way {@code bpftool prog dump xlated} does (the kernel's kernel/bpf/disasm.c
 * formats plus bpftool's xlated_dumper.c callbacks): {@code "   0: (79) r7 = *(u64 *)(r1 +104)"}, with the
 * slot index right-aligned in four columns ({@code "% 4d: "}).
 *
 * <p>Forms the kernel never returns in a dump get their own spelling so that every line assembles back:
 * lddw with src BPF_PSEUDO_BTF_ID ({@code btf_id[N]}), BPF_PSEUDO_MAP_IDX ({@code map[idx:N]}),
 * BPF_PSEUDO_MAP_IDX_VALUE ({@code map[idx:N][0]+OFF}) and the conformance suite's {@code callx rN}.
 * A kfunc call's offset (the BTF fd_array index) is not printed, as in bpftool. Kernel xlated dumps hold two
 * forms whose text cannot assemble back by itself: a local call keeps its pc-relative target in offset and the
 * subprogram index in imm (bpftool's callback prints the offset; pass such a {@link CallNames}), and a subprog
 * address lddw holds the kernel address.
 */
public final class Disassembler {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    private Disassembler() {
    }

    /** One line per instruction, each prefixed {@code "% 4d: (xx) "} with the slot index. */
    public static List<String> lines(List<Instruction> instructions, CallNames names) {
        return lines(instructions, names, false);
    }

    /**
     * One line per instruction; with {@code opcodes} each is followed by bpftool's raw-bytes line
     * ({@code "       79 17 68 00 00 00 00 00"}, both slots of an lddw on one line) as a separate element.
     */
    public static List<String> lines(List<Instruction> instructions, CallNames names, boolean opcodes) {
        Objects.requireNonNull(names, "names");
        List<String> out = new ArrayList<>();
        int slot = 0;
        for (Instruction insn : instructions) {
            out.add(String.format("% 4d: ", slot) + format(insn, names));
            if (opcodes) {
                out.add(opcodesLine(insn));
            }
            slot += insn.width();
        }
        return out;
    }

    /** bpftool's whole plain-text dump: {@link #lines(List, CallNames, boolean)} joined, each ending in a newline. */
    public static String dump(List<Instruction> instructions, CallNames names, boolean opcodes) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines(instructions, names, opcodes)) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** The raw bytes line bpftool's {@code opcodes} option prints after an instruction. */
    public static String opcodesLine(Instruction insn) {
        byte[] raw = new byte[insn.width() * Codec.SLOT];
        Codec.encode(insn, raw, 0);
        return "       " + HEX.formatHex(raw);
    }

    /** One instruction without the slot prefix, e.g. {@code "(bf) r6 = r1"}. */
    public static String format(Instruction insn, CallNames names) {
        return String.format("(%02x) ", insn.opcode()) + text(insn, names);
    }

    private static String text(Instruction insn, CallNames names) {
        int dst = insn.dst().index();
        int src = insn.src().index();
        int off = insn.offset();
        int imm = (int) insn.imm();
        return switch (insn.op()) {
            case Operation.Alu a -> alu(a, dst, src, imm);
            case Operation.Swap s -> s.op() == SwapOp.BSWAP
                    ? "r%d = bswap%d r%d".formatted(dst, imm, dst)
                    : "r%d = %s%d r%d".formatted(dst, s.op().mnemonic(), imm, dst);
            case Operation.Jump j -> {
                char w = j.narrow() ? 'w' : 'r';
                yield j.source() == Source.X
                        ? "if %c%d %s %c%d goto pc%+d".formatted(w, dst, j.op().symbol(), w, src, off)
                        : "if %c%d %s 0x%x goto pc%+d".formatted(w, dst, j.op().symbol(), imm, off);
            }
            case Operation.Goto g -> "goto pc%+d".formatted(off);
            case Operation.GotoLong g -> "gotol pc%+d".formatted(imm);
            case Operation.GotoIndirect g -> "gotox r%d".formatted(dst);
            case Operation.MayGoto m -> "may_goto pc%+d".formatted(off);
            case Operation.Call c -> call(insn, c.kind(), names);
            case Operation.CallRegister c -> "callx r%d".formatted(dst);
            case Operation.Exit e -> "exit";
            case Operation.Load l -> "r%d = *(%s *)(r%d %+d)".formatted(dst, type(l.size(), l.signed()), src, off);
            case Operation.Store s -> "*(%s *)(r%d %+d) = r%d".formatted(type(s.size(), false), dst, off, src);
            case Operation.StoreImm s -> "*(%s *)(r%d %+d) = %d".formatted(type(s.size(), false), dst, off, imm);
            case Operation.Atomic a -> atomic(a, dst, src, off);
            case Operation.LoadImm64 l -> "r%d = %s".formatted(dst, imm64(l.pseudo(), insn.imm()));
            case Operation.LoadPacket p -> p.indirect()
                    ? "r0 = *(%s *)skb[r%d + %d]".formatted(type(p.size(), false), src, imm)
                    : "r0 = *(%s *)skb[%d]".formatted(type(p.size(), false), imm);
            case Operation.NoSpec n -> "nospec";
        };
    }

    private static String alu(Operation.Alu a, int dst, int src, int imm) {
        char w = a.wide() ? 'r' : 'w';
        return switch (a.op()) {
            case NEG -> "%c%d = -%c%d".formatted(w, dst, w, dst);
            case ADDR_SPACE_CAST -> "r%d = addr_space_cast(r%d, %d, %d)".formatted(dst, src, imm >>> 16, imm & 0xffff);
            case MOV_PERCPU -> "r%d = &(void __percpu *)(r%d)".formatted(dst, src);
            case MOVSX8, MOVSX16, MOVSX32 ->
                    "%c%d = (s%d)%c%d".formatted(w, dst, a.op().offset(), w, src);
            default -> a.source() == Source.X
                    ? "%c%d %s %c%d".formatted(w, dst, a.op().symbol(), w, src)
                    : "%c%d %s %d".formatted(w, dst, a.op().symbol(), imm);
        };
    }

    private static String atomic(Operation.Atomic a, int dst, int src, int off) {
        String type = type(a.size(), false);
        String width = a.size() == Size.DW ? "64" : "";
        return switch (a.op()) {
            case ADD, AND, OR, XOR -> "lock *(%s *)(r%d %+d) %s r%d".formatted(type, dst, off, lockSymbol(a.op()), src);
            case FETCH_ADD, FETCH_AND, FETCH_OR, FETCH_XOR -> "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)"
                    .formatted(src, width, a.op().mnemonic(), type, dst, off, src);
            case XCHG -> "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)".formatted(src, width, type, dst, off, src);
            case CMPXCHG -> "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)".formatted(width, type, dst, off, src);
            case LOAD_ACQUIRE -> "r%d = load_acquire((%s *)(r%d %+d))".formatted(dst, type, src, off);
            case STORE_RELEASE -> "store_release((%s *)(r%d %+d), r%d)".formatted(type, dst, off, src);
        };
    }

    private static String lockSymbol(AtomicOp op) {
        return switch (op) {
            case ADD -> "+=";
            case AND -> "&=";
            case OR -> "|=";
            default -> "^=";
        };
    }

    private static String call(Instruction insn, CallKind kind, CallNames names) {
        int imm = (int) insn.imm();
        String name = null;
        // disasm.c consults its own helper table first, for src 0 only
        if (kind == CallKind.HELPER) {
            name = Helper.byId(imm).map(h -> "bpf_" + h.helperName()).orElse(null);
        }
        if (name == null) {
            name = names.name(insn).orElse(null);
        }
        if (kind == CallKind.LOCAL) {
            return "call pc" + (name != null ? name : "%+d".formatted(imm));
        }
        if (name == null) {
            name = kind == CallKind.KFUNC ? "kernel-function" : "unknown";
        }
        return "call %s#%d".formatted(name, imm);
    }

    private static String imm64(Pseudo pseudo, long imm) {
        int low = (int) imm;
        int high = (int) (imm >>> 32);
        return switch (pseudo) {
            case MAP_FD -> "map[id:%d]".formatted(Integer.toUnsignedLong(low));
            case MAP_VALUE -> "map[id:%d][0]+%d".formatted(Integer.toUnsignedLong(low), Integer.toUnsignedLong(high));
            case FUNC -> "subprog[%+d]".formatted(low);
            case BTF_ID -> "btf_id[%d]".formatted(Integer.toUnsignedLong(low));
            case MAP_IDX -> "map[idx:%d]".formatted(Integer.toUnsignedLong(low));
            case MAP_IDX_VALUE -> "map[idx:%d][0]+%d".formatted(Integer.toUnsignedLong(low), Integer.toUnsignedLong(high));
            case IMM64 -> "0x" + Long.toHexString(imm);
        };
    }

    static String type(Size size, boolean signed) {
        return (signed ? "s" : "u") + size.bytes() * 8;
    }
}
