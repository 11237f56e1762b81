package org.bpf4j.asm;

/**
 * Which operand fields each operation uses; a field it does not use must be zero, as RFC 9669 and the
 * kernel's verifier require ("reserved fields").
 */
final class Rules {
    private Rules() {
    }

    static void check(Operation op, Reg dst, Reg src, int offset, long imm) {
        switch (op) {
            case Operation.Alu a -> {
                zero("offset", offset);
                if (a.source() == Source.K) {
                    zero("src", src);
                    if (a.op() == AluOp.NEG) {
                        zero("imm", imm);
                    }
                } else if (a.op() == AluOp.ADDR_SPACE_CAST) {
                    // the kernel only casts between address spaces 0 and 1
                    if (imm != 1 && imm != 1 << 16) {
                        throw new IllegalArgumentException("addr_space_cast imm must be 0x1 or 0x10000, got 0x"
                                + Long.toHexString(imm));
                    }
                } else {
                    zero("imm", imm);
                }
            }
            case Operation.Swap s -> {
                zero("src", src);
                zero("offset", offset);
                if (imm != 16 && imm != 32 && imm != 64) {
                    throw new IllegalArgumentException("byte swap width " + imm + " is not 16, 32 or 64");
                }
            }
            case Operation.Jump j -> {
                if (j.source() == Source.K) {
                    zero("src", src);
                } else {
                    zero("imm", imm);
                }
            }
            case Operation.Goto g -> {
                zero("dst", dst);
                zero("src", src);
                zero("imm", imm);
            }
            case Operation.GotoLong g -> {
                zero("dst", dst);
                zero("src", src);
                zero("offset", offset);
            }
            case Operation.GotoIndirect g -> {
                zero("src", src);
                zero("offset", offset);
                zero("imm", imm);
            }
            case Operation.MayGoto m -> {
                zero("dst", dst);
                zero("src", src);
                zero("imm", imm);
            }
            case Operation.Call c -> {
                zero("dst", dst);
                zero("src", src);
                // kfuncs carry their BTF's fd_array index in offset; in xlated dumps a local call keeps its
                // original pc-relative imm in offset (and imm becomes the subprogram index)
                if (c.kind() == CallKind.HELPER) {
                    zero("offset", offset);
                }
            }
            case Operation.CallRegister c -> {
                zero("src", src);
                zero("offset", offset);
                zero("imm", imm);
            }
            case Operation.Exit e -> {
                zero("dst", dst);
                zero("src", src);
                zero("offset", offset);
                zero("imm", imm);
            }
            case Operation.Load l -> zero("imm", imm);
            case Operation.Store s -> zero("imm", imm);
            case Operation.StoreImm s -> zero("src", src);
            case Operation.Atomic a -> zero("imm", imm);
            case Operation.LoadImm64 l -> {
                zero("src", src);
                zero("offset", offset);
                // the kernel rejects a non-zero high half for map fd/idx and BTF id loads; a subprog address
                // (BPF_PSEUDO_FUNC) in an xlated dump holds the whole kernel address
                if ((l.pseudo() == Pseudo.MAP_FD || l.pseudo() == Pseudo.MAP_IDX || l.pseudo() == Pseudo.BTF_ID)
                        && (imm >>> 32) != 0) {
                    throw new IllegalArgumentException(
                            "lddw " + l.pseudo() + " must have zero high 32 bits, got 0x" + Long.toHexString(imm));
                }
            }
            case Operation.LoadPacket p -> {
                zero("dst", dst);
                zero("offset", offset);
                if (!p.indirect()) {
                    zero("src", src);
                }
            }
            case Operation.NoSpec n -> {
                zero("dst", dst);
                zero("src", src);
                zero("offset", offset);
                zero("imm", imm);
            }
        }
    }

    private static void zero(String field, long value) {
        if (value != 0) {
            throw new IllegalArgumentException("reserved field " + field + " is " + value + ", must be 0");
        }
    }

    private static void zero(String field, Reg reg) {
        if (reg != Reg.R0) {
            throw new IllegalArgumentException("reserved field " + field + " is r" + reg.index() + ", must be r0");
        }
    }
}
