package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.List;

/** Encodes instructions to, and decodes them from, the kernel's 8-byte little-endian slots (struct bpf_insn). */
final class Codec {
    /** The size of one slot in bytes. */
    static final int SLOT = 8;

    private Codec() {
    }

    /** Writes {@code insn} at {@code pos}: 8 bytes, or 16 for lddw. */
    static void encode(Instruction insn, byte[] out, int pos) {
        writeSlot(out, pos, insn.opcode(), insn.dst().index(), insn.srcField(), insn.offsetField(), insn.immField());
        if (insn.width() == 2) {
            writeSlot(out, pos + SLOT, 0, 0, 0, 0, insn.immHigh());
        }
    }

    private static void writeSlot(byte[] out, int pos, int opcode, int dst, int src, int off, int imm) {
        out[pos] = (byte) opcode;
        out[pos + 1] = (byte) ((src << 4) | dst);
        out[pos + 2] = (byte) off;
        out[pos + 3] = (byte) (off >> 8);
        out[pos + 4] = (byte) imm;
        out[pos + 5] = (byte) (imm >> 8);
        out[pos + 6] = (byte) (imm >> 16);
        out[pos + 7] = (byte) (imm >> 24);
    }

    /** Decodes a whole program; throws DecodeException naming the first bad slot. */
    static List<Instruction> decode(byte[] raw) {
        if (raw.length % SLOT != 0) {
            throw new DecodeException(raw.length / SLOT,
                    "truncated slot: " + raw.length % SLOT + " trailing bytes (length " + raw.length + ")");
        }
        int slots = raw.length / SLOT;
        List<Instruction> out = new ArrayList<>(slots);
        for (int i = 0; i < slots; ) {
            try {
                Instruction insn = decodeAt(raw, i, slots);
                out.add(insn);
                i += insn.width();
            } catch (DecodeException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new DecodeException(i, e.getMessage());
            }
        }
        return out;
    }

    private static Instruction decodeAt(byte[] raw, int slot, int slots) {
        int p = slot * SLOT;
        int code = raw[p] & 0xff;
        int dstField = raw[p + 1] & 0x0f;
        int srcField = (raw[p + 1] >> 4) & 0x0f;
        int off = (short) ((raw[p + 2] & 0xff) | (raw[p + 3] << 8));
        int imm = (raw[p + 4] & 0xff) | (raw[p + 5] & 0xff) << 8 | (raw[p + 6] & 0xff) << 16 | raw[p + 7] << 24;
        Reg dst = Reg.of(dstField);
        OpClass cls = OpClass.fromOpcode(code);
        int opBits = code & 0xf0;
        Source source = Source.fromOpcode(code);
        Size size = Size.fromOpcode(code);
        int mode = code & 0xe0;
        return switch (cls) {
            case ALU, ALU64 -> {
                boolean wide = cls == OpClass.ALU64;
                if (opBits == 0xd0) {
                    SwapOp swap = !wide ? (source == Source.K ? SwapOp.LE : SwapOp.BE)
                            : source == Source.K ? SwapOp.BSWAP : null;
                    if (swap == null) {
                        throw unknown(code);
                    }
                    yield new Instruction(new Operation.Swap(swap), dst, Reg.of(srcField), off, imm);
                }
                AluOp op = AluOp.decode(opBits, off);
                if (op == null || (op == AluOp.NEG && source == Source.X)) {
                    if (AluOp.decode(opBits, 0) == null || op == AluOp.NEG) {
                        throw unknown(code);
                    }
                    throw new IllegalArgumentException(
                            "reserved field offset is " + off + ", must be 0 for opcode " + hex(code));
                }
                yield new Instruction(new Operation.Alu(op, source, wide), dst, Reg.of(srcField), 0, imm);
            }
            case JMP, JMP32 -> decodeJump(code, cls == OpClass.JMP32, dst, srcField, off, imm);
            case LDX -> {
                if (mode != Mode.MEM.bits() && !(mode == Mode.MEMSX.bits() && size != Size.DW)) {
                    throw unknown(code);
                }
                yield new Instruction(new Operation.Load(size, mode == Mode.MEMSX.bits()), dst, Reg.of(srcField), off, imm);
            }
            case ST -> {
                if (code == 0xc2) {
                    yield new Instruction(new Operation.NoSpec(), dst, Reg.of(srcField), off, imm);
                }
                if (mode != Mode.MEM.bits()) {
                    throw unknown(code);
                }
                yield new Instruction(new Operation.StoreImm(size), dst, Reg.of(srcField), off, imm);
            }
            case STX -> {
                if (mode == Mode.MEM.bits()) {
                    yield new Instruction(new Operation.Store(size), dst, Reg.of(srcField), off, imm);
                }
                if (mode != Mode.ATOMIC.bits()) {
                    throw unknown(code);
                }
                AtomicOp op = AtomicOp.decode(imm);
                if (op == null) {
                    throw new IllegalArgumentException("unknown atomic operation 0x" + Integer.toHexString(imm));
                }
                yield new Instruction(new Operation.Atomic(size, op), dst, Reg.of(srcField), off, 0);
            }
            case LD -> {
                if (code == 0x18) {
                    yield decodeLddw(raw, slot, slots, dst, srcField, off, imm);
                }
                if ((mode != Mode.ABS.bits() && mode != Mode.IND.bits()) || size == Size.DW) {
                    throw unknown(code);
                }
                yield new Instruction(new Operation.LoadPacket(mode == Mode.IND.bits(), size), dst, Reg.of(srcField), off, imm);
            }
        };
    }

    private static Instruction decodeJump(int code, boolean narrow, Reg dst, int srcField, int off, int imm) {
        Source source = Source.fromOpcode(code);
        int opBits = code & 0xf0;
        Operation op = switch (opBits) {
            case 0x00 -> narrow ? (source == Source.K ? new Operation.GotoLong() : null)
                    : source == Source.K ? new Operation.Goto() : new Operation.GotoIndirect();
            case 0x80 -> {
                if (narrow) {
                    yield null;
                }
                if (source == Source.X) {
                    yield new Operation.CallRegister();
                }
                yield new Operation.Call(switch (srcField) {
                    case 0 -> CallKind.HELPER;
                    case Instruction.PSEUDO_CALL -> CallKind.LOCAL;
                    case Instruction.PSEUDO_KFUNC_CALL -> CallKind.KFUNC;
                    default -> throw new IllegalArgumentException("unknown call src " + srcField);
                });
            }
            case 0x90 -> narrow || source == Source.X ? null : new Operation.Exit();
            case 0xe0 -> narrow || source == Source.X ? null : new Operation.MayGoto();
            default -> {
                JmpOp j = JmpOp.decodeConditional(opBits);
                yield j == null ? null : new Operation.Jump(j, source, narrow);
            }
        };
        if (op == null) {
            throw unknown(code);
        }
        Reg src = op instanceof Operation.Call ? Reg.R0 : Reg.of(srcField);
        return new Instruction(op, dst, src, off, imm);
    }

    private static Instruction decodeLddw(byte[] raw, int slot, int slots, Reg dst, int srcField, int off, int imm) {
        if (slot + 1 >= slots) {
            throw new IllegalArgumentException("truncated lddw: the second slot is missing");
        }
        int q = (slot + 1) * SLOT;
        for (int k = 0; k < 4; k++) {
            if (raw[q + k] != 0) {
                throw new IllegalArgumentException(
                        "lddw second slot must have zero opcode, registers and offset");
            }
        }
        int high = (raw[q + 4] & 0xff) | (raw[q + 5] & 0xff) << 8 | (raw[q + 6] & 0xff) << 16 | raw[q + 7] << 24;
        if (srcField > Instruction.PSEUDO_MAP_IDX_VALUE) {
            throw new IllegalArgumentException("unknown lddw src " + srcField);
        }
        long imm64 = ((long) high << 32) | Integer.toUnsignedLong(imm);
        return new Instruction(new Operation.LoadImm64(Pseudo.of(srcField)), dst, Reg.R0, off, imm64);
    }

    private static IllegalArgumentException unknown(int code) {
        return new IllegalArgumentException("unknown opcode " + hex(code));
    }

    static String hex(int code) {
        return String.format("0x%02x", code);
    }
}
