package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * An immutable eBPF program: instructions plus the symbolic references that are resolved only at load time
 * (maps by name, kept by instruction index). Jumps and local calls are already resolved to offsets;
 * {@link #labels()} keeps where the builder's labels pointed.
 */
public final class Program {
    private final List<Instruction> instructions;
    private final List<MapReference> mapReferences;
    private final Map<String, Integer> labels;

    private Program(List<Instruction> instructions, List<MapReference> mapReferences, Map<String, Integer> labels) {
        this.instructions = List.copyOf(instructions);
        this.mapReferences = List.copyOf(mapReferences);
        this.labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        for (MapReference ref : this.mapReferences) {
            if (ref.index() >= this.instructions.size() || !this.instructions.get(ref.index()).isMapLoad()) {
                throw new IllegalArgumentException("map reference " + ref + " is not at a map lddw");
            }
        }
    }

    /** A program of these instructions, with no symbolic references. */
    public static Program of(List<Instruction> instructions) {
        return new Program(instructions, List.of(), Map.of());
    }

    /** A program of these instructions with these map references (each at a map lddw). */
    public static Program of(List<Instruction> instructions, List<MapReference> mapReferences) {
        return new Program(instructions, mapReferences, Map.of());
    }

    /** A program with the labels an assembler resolved (name to instruction index). */
    static Program of(List<Instruction> instructions, List<MapReference> mapReferences, Map<String, Integer> labels) {
        return new Program(instructions, mapReferences, labels);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The instructions, lddw counted once. */
    public List<Instruction> instructions() {
        return instructions;
    }

    /** The map references by instruction index, in program order. */
    public List<MapReference> mapReferences() {
        return mapReferences;
    }

    /** The builder's labels and the instruction index each names (the index may equal the size: the end). */
    public Map<String, Integer> labels() {
        return labels;
    }

    /** The number of 8-byte slots (lddw counts 2). */
    public int slots() {
        int n = 0;
        for (Instruction insn : instructions) {
            n += insn.width();
        }
        return n;
    }

    /** The slot index at which instruction {@code index} starts (index == size gives {@link #slots()}). */
    public int slotOf(int index) {
        Objects.checkIndex(index, instructions.size() + 1);
        int slot = 0;
        for (int i = 0; i < index; i++) {
            slot += instructions.get(i).width();
        }
        return slot;
    }

    /**
     * Encodes to the kernel's format, filling each referenced map's fd (from {@code mapFd}) into its lddw's low
     * imm; a negative fd means an unknown map and throws IllegalArgumentException.
     */
    public byte[] encode(ToIntFunction<String> mapFd) {
        Objects.requireNonNull(mapFd, "mapFd");
        List<Instruction> resolved = new ArrayList<>(instructions);
        for (MapReference ref : mapReferences) {
            int fd = mapFd.applyAsInt(ref.mapName());
            if (fd < 0) {
                throw new IllegalArgumentException("unknown map '" + ref.mapName() + "' (instruction " + ref.index() + ")");
            }
            Instruction insn = resolved.get(ref.index());
            resolved.set(ref.index(), insn.withImmLow(fd));
        }
        return encodeAll(resolved);
    }

    /** Encodes a program without map references; IllegalStateException if it has some. */
    public byte[] encode() {
        if (!mapReferences.isEmpty()) {
            throw new IllegalStateException("program references maps " + mapReferences + "; use encode(mapFd)");
        }
        return encodeAll(instructions);
    }

    private static byte[] encodeAll(List<Instruction> list) {
        int slots = 0;
        for (Instruction insn : list) {
            slots += insn.width();
        }
        byte[] out = new byte[slots * Codec.SLOT];
        int pos = 0;
        for (Instruction insn : list) {
            Codec.encode(insn, out, pos);
            pos += insn.width() * Codec.SLOT;
        }
        return out;
    }

    /** Decodes raw instructions (e.g. a kernel xlated dump); throws {@link DecodeException} naming the slot. */
    public static Program decode(byte[] raw) {
        return of(Codec.decode(raw));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Program p && p.instructions.equals(instructions) && p.mapReferences.equals(mapReferences);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instructions, mapReferences);
    }

    @Override
    public String toString() {
        return "Program[" + instructions.size() + " instructions, " + slots() + " slots, maps=" + mapReferences + "]";
    }

    /** Appends instructions cilium-style; jump targets are labels, resolved by {@link #build()}. */
    public static final class Builder {
        /** Where a label's pc-relative distance goes. */
        private enum Field { OFFSET, IMM }

        private record Entry(Instruction insn, String target, Field field) {
        }

        private final List<Entry> entries = new ArrayList<>();
        private final Map<String, Integer> labels = new LinkedHashMap<>();
        private final List<String> duplicates = new ArrayList<>();
        private final List<MapReference> maps = new ArrayList<>();

        private Builder() {
        }

        private Builder emit(Instruction insn) {
            entries.add(new Entry(insn, null, null));
            return this;
        }

        private Builder emit(Instruction insn, String label, Field field) {
            entries.add(new Entry(insn, Objects.requireNonNull(label, "label"), field));
            return this;
        }

        /** How many instructions were appended so far. */
        public int size() {
            return entries.size();
        }

        /** Defines {@code name} at the next instruction. */
        public Builder label(String name) {
            Objects.requireNonNull(name, "name");
            if (labels.putIfAbsent(name, entries.size()) != null) {
                duplicates.add(name);
            }
            return this;
        }

        /** {@code dst = src} (64-bit). */
        public Builder mov64(Reg dst, Reg src) {
            return emit(AluOp.MOV.reg64(dst, src));
        }

        /** {@code dst = imm} (64-bit, imm sign-extended). */
        public Builder mov64(Reg dst, int imm) {
            return emit(AluOp.MOV.imm64(dst, imm));
        }

        /** {@code wdst = wsrc} (32-bit, upper half zeroed). */
        public Builder mov32(Reg dst, Reg src) {
            return emit(AluOp.MOV.reg32(dst, src));
        }

        /** {@code wdst = imm} (32-bit, upper half zeroed). */
        public Builder mov32(Reg dst, int imm) {
            return emit(AluOp.MOV.imm32(dst, imm));
        }

        /** 64-bit {@code dst op= src}. */
        public Builder alu64(AluOp op, Reg dst, Reg src) {
            return emit(op.reg64(dst, src));
        }

        /** 64-bit {@code dst op= imm}. */
        public Builder alu64(AluOp op, Reg dst, int imm) {
            return emit(op.imm64(dst, imm));
        }

        /** 32-bit {@code wdst op= wsrc}. */
        public Builder alu32(AluOp op, Reg dst, Reg src) {
            return emit(op.reg32(dst, src));
        }

        /** 32-bit {@code wdst op= imm}. */
        public Builder alu32(AluOp op, Reg dst, int imm) {
            return emit(op.imm32(dst, imm));
        }

        /** {@code dst = -dst} (64-bit). */
        public Builder neg64(Reg dst) {
            return emit(AluOp.NEG.imm64(dst, 0));
        }

        /** {@code wdst = -wdst} (32-bit). */
        public Builder neg32(Reg dst) {
            return emit(AluOp.NEG.imm32(dst, 0));
        }

        /** Byte swap of the low {@code bits} of dst (le, be or bswap). */
        public Builder swap(SwapOp op, Reg dst, int bits) {
            return emit(op.of(dst, bits));
        }

        /** {@code dst = *(size *)(src + off)}. */
        public Builder ldx(Size size, Reg dst, Reg src, int off) {
            return emit(size.load(dst, src, off));
        }

        /** {@code dst = *(signed size *)(src + off)}, sign-extending. */
        public Builder ldxs(Size size, Reg dst, Reg src, int off) {
            return emit(size.loadSigned(dst, src, off));
        }

        /** {@code *(size *)(dst + off) = src}. */
        public Builder stx(Size size, Reg dst, int off, Reg src) {
            return emit(size.store(dst, off, src));
        }

        /** {@code *(size *)(dst + off) = imm}. */
        public Builder st(Size size, Reg dst, int off, int imm) {
            return emit(size.storeImm(dst, off, imm));
        }

        /** Atomic {@code op} on {@code *(size *)(dst + off)} with src. */
        public Builder atomic(AtomicOp op, Size size, Reg dst, int off, Reg src) {
            return emit(op.of(size, dst, off, src));
        }

        /** {@code dst = imm64} (lddw). */
        public Builder lddw(Reg dst, long imm64) {
            return emit(Instruction.lddw(dst, imm64));
        }

        /** {@code dst = map fd} for the map named {@code mapName}, filled in by {@link Program#encode(ToIntFunction)}. */
        public Builder loadMapFd(Reg dst, String mapName) {
            maps.add(new MapReference(entries.size(), Objects.requireNonNull(mapName, "mapName")));
            return emit(Instruction.loadMapFd(dst, 0));
        }

        /** {@code dst = &value + off} of the map named {@code mapName} (lddw src BPF_PSEUDO_MAP_VALUE). */
        public Builder loadMapValue(Reg dst, String mapName, int off) {
            maps.add(new MapReference(entries.size(), Objects.requireNonNull(mapName, "mapName")));
            return emit(Instruction.loadMapValue(dst, 0, off));
        }

        /** {@code dst = &subprogram at label} (lddw src BPF_PSEUDO_FUNC). */
        public Builder loadFunc(Reg dst, String label) {
            return emit(Pseudo.FUNC.of(dst, 0), label, Field.IMM);
        }

        /** {@code if dst op imm goto label} (64-bit compare); JA ignores dst (must be R0) and imm (must be 0). */
        public Builder jmp(JmpOp op, Reg dst, int imm, String label) {
            return emit(op.imm(dst, imm, 0), label, Field.OFFSET);
        }

        /** {@code if dst op src goto label} (64-bit compare). */
        public Builder jmp(JmpOp op, Reg dst, Reg src, String label) {
            return emit(op.reg(dst, src, 0), label, Field.OFFSET);
        }

        /** {@code if wdst op imm goto label} (32-bit compare). */
        public Builder jmp32(JmpOp op, Reg dst, int imm, String label) {
            if (op == JmpOp.JA) {
                throw new IllegalArgumentException("use gotol(label) for BPF_JMP32 | BPF_JA");
            }
            return emit(op.imm32(dst, imm, 0), label, Field.OFFSET);
        }

        /** {@code if wdst op wsrc goto label} (32-bit compare). */
        public Builder jmp32(JmpOp op, Reg dst, Reg src, String label) {
            return emit(op.reg32(dst, src, 0), label, Field.OFFSET);
        }

        /** {@code goto label} (16-bit displacement). */
        public Builder ja(String label) {
            return emit(Instruction.ja(0), label, Field.OFFSET);
        }

        /** {@code gotol label} (32-bit displacement). */
        public Builder gotol(String label) {
            return emit(Instruction.gotol(0), label, Field.IMM);
        }

        /** {@code call helper}. */
        public Builder call(Helper helper) {
            return emit(Instruction.call(helper));
        }

        /** {@code call} of helper id {@code helperId}, which need not be in the {@link Helper} table. */
        public Builder call(int helperId) {
            return emit(CallKind.HELPER.of(helperId));
        }

        /** Call of the local function at {@code label} (src BPF_PSEUDO_CALL). */
        public Builder callLocal(String label) {
            return emit(Instruction.callLocal(0), label, Field.IMM);
        }

        /** Call of the vmlinux kfunc with BTF id {@code btfId} (src BPF_PSEUDO_KFUNC_CALL). */
        public Builder callKfunc(int btfId) {
            return emit(Instruction.callKfunc(btfId, 0));
        }

        /** {@code exit}. */
        public Builder exit() {
            return emit(Instruction.exit());
        }

        /** Appends a raw instruction as is. */
        public Builder add(Instruction insn) {
            return emit(Objects.requireNonNull(insn, "insn"));
        }

        /**
         * Resolves labels to pc-relative offsets and returns the program; IllegalArgumentException for an
         * undefined or duplicate label or a displacement that does not fit its field.
         */
        public Program build() {
            if (!duplicates.isEmpty()) {
                throw new IllegalArgumentException("duplicate label '" + duplicates.getFirst() + "'");
            }
            int[] slotOf = new int[entries.size() + 1];
            for (int i = 0; i < entries.size(); i++) {
                slotOf[i + 1] = slotOf[i] + entries.get(i).insn().width();
            }
            List<Instruction> out = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.target() == null) {
                    out.add(e.insn());
                    continue;
                }
                Integer target = labels.get(e.target());
                if (target == null) {
                    throw new IllegalArgumentException("undefined label '" + e.target() + "' at instruction " + i);
                }
                long distance = (long) slotOf[target] - (slotOf[i] + 1);
                if (e.field() == Field.OFFSET) {
                    if (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE) {
                        throw new IllegalArgumentException("jump to '" + e.target() + "' at instruction " + i
                                + ": offset " + distance + " out of 16-bit range");
                    }
                    out.add(e.insn().withOffset((int) distance));
                } else {
                    out.add(e.insn().withImmLow((int) distance));
                }
            }
            return new Program(out, maps, labels);
        }
    }
}
