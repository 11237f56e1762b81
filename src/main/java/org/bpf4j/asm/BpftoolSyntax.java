package org.bpf4j.asm;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dialect of {@code bpftool prog dump xlated} (the kernel's disasm.c): {@code r7 = *(u64 *)(r1 +104)},
 * {@code if r0 == 0x0 goto pc+2}, {@code call bpf_map_update_elem#2}, {@code r1 = map[id:3]}. Jump targets may
 * also be labels ({@code goto out}), and {@code r1 = map[NAME]} refers to a map by name.
 */
final class BpftoolSyntax {
    private static final String R = "([rw])(\\d+)";
    private static final String NUM = "([+-]?(?:0x[0-9a-fA-F]+|\\d+))";
    private static final String TARGET = "(pc[+-]\\d+|[A-Za-z_.$][\\w.$]*)";
    private static final String MEM = "\\(\\s*r(\\d+)\\s*(?:([+-])\\s*(\\d+))?\\s*\\)";
    private static final String ALU_OPS = "(s>>=|s/=|s%=|<<=|>>=|\\+=|-=|\\*=|/=|\\|=|&=|%=|\\^=|=)";
    private static final String JMP_OPS = "(s>=|s<=|s>|s<|==|!=|>=|<=|>|<|&)";

    private static final Map<String, AluOp> ALU = Map.ofEntries(Map.entry("+=", AluOp.ADD), Map.entry("-=", AluOp.SUB),
            Map.entry("*=", AluOp.MUL), Map.entry("/=", AluOp.DIV), Map.entry("s/=", AluOp.SDIV),
            Map.entry("|=", AluOp.OR), Map.entry("&=", AluOp.AND), Map.entry("<<=", AluOp.LSH),
            Map.entry(">>=", AluOp.RSH), Map.entry("%=", AluOp.MOD), Map.entry("s%=", AluOp.SMOD),
            Map.entry("^=", AluOp.XOR), Map.entry("=", AluOp.MOV), Map.entry("s>>=", AluOp.ARSH));
    private static final Map<String, JmpOp> JMP = Map.ofEntries(Map.entry("==", JmpOp.JEQ), Map.entry(">", JmpOp.JGT),
            Map.entry(">=", JmpOp.JGE), Map.entry("&", JmpOp.JSET), Map.entry("!=", JmpOp.JNE),
            Map.entry("s>", JmpOp.JSGT), Map.entry("s>=", JmpOp.JSGE), Map.entry("<", JmpOp.JLT),
            Map.entry("<=", JmpOp.JLE), Map.entry("s<", JmpOp.JSLT), Map.entry("s<=", JmpOp.JSLE));
    private static final Map<String, AtomicOp> LOCK = Map.of("+=", AtomicOp.ADD, "&=", AtomicOp.AND,
            "|=", AtomicOp.OR, "^=", AtomicOp.XOR);
    private static final Map<String, AtomicOp> FETCH = Map.of("add", AtomicOp.FETCH_ADD, "and", AtomicOp.FETCH_AND,
            "or", AtomicOp.FETCH_OR, "xor", AtomicOp.FETCH_XOR);

    /** One statement form: a whole-line pattern and how to build the statement from its match. */
    private record Form(Pattern pattern, BiFunction<SourceLine, Matcher, Statement> build) {
    }

    private static Form form(String regex, BiFunction<SourceLine, Matcher, Statement> build) {
        return new Form(Pattern.compile("^" + regex.replace(" ", "\\s*") + "$"), build);
    }

    private static final List<Form> FORMS = List.of(
            form("exit", (l, m) -> Statement.of(Instruction.exit())),
            form("nospec", (l, m) -> Statement.of(new Instruction(new Operation.NoSpec(), Reg.R0, Reg.R0, 0, 0))),
            form("goto " + TARGET, (l, m) -> target(l, m, 1, Instruction.ja(0), false)),
            form("gotol " + TARGET, (l, m) -> target(l, m, 1, Instruction.gotol(0), true)),
            form("may_goto " + TARGET, (l, m) -> target(l, m, 1,
                    new Instruction(new Operation.MayGoto(), Reg.R0, Reg.R0, 0, 0), false)),
            form("gotox\\s+r(\\d+)", (l, m) -> Statement.of(
                    new Instruction(new Operation.GotoIndirect(), l.reg(m.group(1), m.start(1)), Reg.R0, 0, 0))),
            form("callx\\s+r(\\d+)", (l, m) -> Statement.of(
                    new Instruction(new Operation.CallRegister(), l.reg(m.group(1), m.start(1)), Reg.R0, 0, 0))),
            form("call\\s+pc([+-]\\d+)(?:#.*)?", (l, m) -> Statement.of(
                    Instruction.callLocal(l.imm32(m.group(1), m.start(1))))),
            form("call\\s+([^\\s#]+)#(-?\\d+)", BpftoolSyntax::call),
            form("call\\s+([A-Za-z_.$][\\w.$]*)", (l, m) -> Statement.jump(Instruction.callLocal(0), m.group(1), true,
                    l.base() + m.start(1) + 1)),
            form("if " + R + " " + JMP_OPS + " " + R + " goto " + TARGET, BpftoolSyntax::jumpReg),
            form("if " + R + " " + JMP_OPS + " " + NUM + " goto " + TARGET, BpftoolSyntax::jumpImm),
            form("r(\\d+) = map\\[id:(\\d+)]", (l, m) -> Statement.of(
                    Instruction.loadMapFd(reg(l, m, 1), (int) l.number(m.group(2), m.start(2), 0, 0xffffffffL, "map id")))),
            form("r(\\d+) = map\\[id:(\\d+)]\\[0]\\+(\\d+)", (l, m) -> Statement.of(Instruction.loadMapValue(reg(l, m, 1),
                    (int) l.number(m.group(2), m.start(2), 0, 0xffffffffL, "map id"),
                    (int) l.number(m.group(3), m.start(3), 0, 0xffffffffL, "value offset")))),
            form("r(\\d+) = map\\[idx:(\\d+)]", (l, m) -> Statement.of(Pseudo.MAP_IDX.of(reg(l, m, 1),
                    l.number(m.group(2), m.start(2), 0, 0xffffffffL, "map index")))),
            form("r(\\d+) = map\\[idx:(\\d+)]\\[0]\\+(\\d+)", (l, m) -> Statement.of(Pseudo.MAP_IDX_VALUE.of(reg(l, m, 1),
                    l.number(m.group(2), m.start(2), 0, 0xffffffffL, "map index")
                            | l.number(m.group(3), m.start(3), 0, 0xffffffffL, "value offset") << 32))),
            form("r(\\d+) = map\\[([A-Za-z_.$][\\w.$]*)]", (l, m) -> Statement.map(
                    Instruction.loadMapFd(reg(l, m, 1), 0), m.group(2), l.base() + m.start(2) + 1)),
            form("r(\\d+) = map\\[([A-Za-z_.$][\\w.$]*)]\\[0]\\+(\\d+)", (l, m) -> Statement.map(Instruction.loadMapValue(
                    reg(l, m, 1), 0, (int) l.number(m.group(3), m.start(3), 0, 0xffffffffL, "value offset")),
                    m.group(2), l.base() + m.start(2) + 1)),
            form("r(\\d+) = btf_id\\[(\\d+)]", (l, m) -> Statement.of(Pseudo.BTF_ID.of(reg(l, m, 1),
                    l.number(m.group(2), m.start(2), 0, 0xffffffffL, "BTF id")))),
            form("r(\\d+) = subprog\\[" + TARGET.replace("pc", "") + "]", (l, m) -> target(l, m, 2,
                    Pseudo.FUNC.of(reg(l, m, 1), 0), true)),
            form("r(\\d+) = (-?0x[0-9a-fA-F]+)", (l, m) -> Statement.of(
                    Instruction.lddw(reg(l, m, 1), l.imm64(m.group(2), m.start(2))))),
            form("r(\\d+) = (le|be|bswap)(16|32|64) r(\\d+)", BpftoolSyntax::swap),
            form(R + " = -" + R, BpftoolSyntax::neg),
            form(R + " = \\(s(8|16|32)\\)" + R, BpftoolSyntax::movsx),
            form("r(\\d+) = addr_space_cast\\( r(\\d+) , (\\d+) , (\\d+) \\)", (l, m) -> Statement.of(checked(l, m, () ->
                    Instruction.addrSpaceCast(reg(l, m, 1), reg(l, m, 2), Integer.parseInt(m.group(3)),
                            Integer.parseInt(m.group(4)))))),
            form("r(\\d+) = &\\(void __percpu \\*\\)\\(r(\\d+)\\)", (l, m) -> Statement.of(
                    Instruction.movPercpu(reg(l, m, 1), reg(l, m, 2)))),
            form("r(\\d+) = \\*\\(([us])(8|16|32|64) \\*\\)" + MEM, BpftoolSyntax::load),
            form("\\*\\(u(8|16|32|64) \\*\\)" + MEM + " = r(\\d+)", (l, m) -> Statement.of(
                    size(l, m, 1).store(reg(l, m, 2), off(l, m, 3), reg(l, m, 5)))),
            form("\\*\\(u(8|16|32|64) \\*\\)" + MEM + " = " + NUM, (l, m) -> Statement.of(
                    size(l, m, 1).storeImm(reg(l, m, 2), off(l, m, 3), l.imm32(m.group(5), m.start(5))))),
            form("lock \\*\\(u(8|16|32|64) \\*\\)" + MEM + " (\\+=|&=|\\|=|\\^=) r(\\d+)", (l, m) -> Statement.of(
                    checked(l, m, () -> LOCK.get(m.group(5)).of(size(l, m, 1), reg(l, m, 2), off(l, m, 3), reg(l, m, 6))))),
            form("r(\\d+) = atomic(64)?_fetch_(add|and|or|xor)\\(\\(u(8|16|32|64) \\*\\)" + MEM + " , r(\\d+) \\)",
                    (l, m) -> fetch(l, m, FETCH.get(m.group(3)), 4, 5, 8)),
            form("r(\\d+) = atomic(64)?_xchg\\(\\(u(8|16|32|64) \\*\\)" + MEM + " , r(\\d+) \\)",
                    (l, m) -> fetch(l, m, AtomicOp.XCHG, 3, 4, 7)),
            form("r0 = atomic(64)?_cmpxchg\\(\\(u(8|16|32|64) \\*\\)" + MEM + " , r0 , r(\\d+) \\)", (l, m) -> Statement.of(
                    checked(l, m, () -> AtomicOp.CMPXCHG.of(size(l, m, 2), reg(l, m, 3), off(l, m, 4), reg(l, m, 6))))),
            form("r(\\d+) = load_acquire\\(\\(u(8|16|32|64) \\*\\)" + MEM + "\\)", (l, m) -> Statement.of(
                    AtomicOp.LOAD_ACQUIRE.of(size(l, m, 2), reg(l, m, 1), off(l, m, 4), reg(l, m, 3)))),
            form("store_release\\(\\(u(8|16|32|64) \\*\\)" + MEM + " , r(\\d+) \\)", (l, m) -> Statement.of(
                    AtomicOp.STORE_RELEASE.of(size(l, m, 1), reg(l, m, 2), off(l, m, 3), reg(l, m, 5)))),
            form("r0 = \\*\\(u(8|16|32) \\*\\)skb\\[ " + NUM + " ]", (l, m) -> Statement.of(
                    size(l, m, 1).loadAbs(l.imm32(m.group(2), m.start(2))))),
            form("r0 = \\*\\(u(8|16|32) \\*\\)skb\\[ r(\\d+) \\+ " + NUM + " ]", (l, m) -> Statement.of(
                    size(l, m, 1).loadInd(reg(l, m, 2), l.imm32(m.group(3), m.start(3))))),
            form(R + " " + ALU_OPS + " " + R, BpftoolSyntax::aluReg),
            form(R + " " + ALU_OPS + " " + NUM, BpftoolSyntax::aluImm));

    private BpftoolSyntax() {
    }

    static Statement parse(SourceLine line) {
        String s = line.statement();
        for (Form f : FORMS) {
            Matcher m = f.pattern().matcher(s);
            if (m.matches()) {
                return f.build().apply(line, m);
            }
        }
        throw line.error(0, "cannot parse '" + s + "'");
    }

    private static Statement call(SourceLine l, Matcher m) {
        // a helper's name, "unknown", or (in xlated dumps) a kallsyms name: all are helper calls by imm
        String name = m.group(1);
        int imm = l.imm32(m.group(2), m.start(2));
        if (name.equals("kernel-function")) {
            return Statement.of(CallKind.KFUNC.of(imm));
        }
        return Statement.of(CallKind.HELPER.of(imm));
    }

    private static Statement jumpReg(SourceLine l, Matcher m) {
        boolean narrow = width(l, m, 1, 4);
        JmpOp op = JMP.get(m.group(3));
        Instruction insn = narrow ? op.reg32(reg(l, m, 2), reg(l, m, 5), 0) : op.reg(reg(l, m, 2), reg(l, m, 5), 0);
        return target(l, m, 6, insn, false);
    }

    private static Statement jumpImm(SourceLine l, Matcher m) {
        boolean narrow = m.group(1).equals("w");
        JmpOp op = JMP.get(m.group(3));
        int imm = l.imm32(m.group(4), m.start(4));
        Instruction insn = narrow ? op.imm32(reg(l, m, 2), imm, 0) : op.imm(reg(l, m, 2), imm, 0);
        return target(l, m, 5, insn, false);
    }

    private static Statement aluReg(SourceLine l, Matcher m) {
        boolean narrow = width(l, m, 1, 4);
        AluOp op = ALU.get(m.group(3));
        Reg dst = reg(l, m, 2);
        Reg src = reg(l, m, 5);
        return Statement.of(narrow ? op.reg32(dst, src) : op.reg64(dst, src));
    }

    private static Statement aluImm(SourceLine l, Matcher m) {
        boolean narrow = m.group(1).equals("w");
        AluOp op = ALU.get(m.group(3));
        Reg dst = reg(l, m, 2);
        int imm = l.imm32(m.group(4), m.start(4));
        return Statement.of(narrow ? op.imm32(dst, imm) : op.imm64(dst, imm));
    }

    private static Statement neg(SourceLine l, Matcher m) {
        boolean narrow = width(l, m, 1, 3);
        if (!m.group(2).equals(m.group(4))) {
            throw l.error(m, 3, "negation must use the same register on both sides");
        }
        Reg dst = reg(l, m, 2);
        return Statement.of(narrow ? AluOp.NEG.imm32(dst, 0) : AluOp.NEG.imm64(dst, 0));
    }

    private static Statement movsx(SourceLine l, Matcher m) {
        boolean narrow = width(l, m, 1, 4);
        AluOp op = switch (m.group(3)) {
            case "8" -> AluOp.MOVSX8;
            case "16" -> AluOp.MOVSX16;
            default -> AluOp.MOVSX32;
        };
        Reg dst = reg(l, m, 2);
        Reg src = reg(l, m, 5);
        return Statement.of(checked(l, m, () -> narrow ? op.reg32(dst, src) : op.reg64(dst, src)));
    }

    private static Statement swap(SourceLine l, Matcher m) {
        if (!m.group(1).equals(m.group(4))) {
            throw l.error(m, 4, "byte swap must use the same register on both sides");
        }
        SwapOp op = switch (m.group(2)) {
            case "le" -> SwapOp.LE;
            case "be" -> SwapOp.BE;
            default -> SwapOp.BSWAP;
        };
        return Statement.of(op.of(reg(l, m, 1), Integer.parseInt(m.group(3))));
    }

    private static Statement load(SourceLine l, Matcher m) {
        Size size = size(l, m, 3);
        boolean signed = m.group(2).equals("s");
        return Statement.of(checked(l, m, () -> signed
                ? size.loadSigned(reg(l, m, 1), reg(l, m, 4), off(l, m, 5))
                : size.load(reg(l, m, 1), reg(l, m, 4), off(l, m, 5))));
    }

    /** {@code rS = atomic[64]_OP((uN *)(rD +off), rS)} with the groups of size, memory and the last register. */
    private static Statement fetch(SourceLine l, Matcher m, AtomicOp op, int sizeGroup, int memGroup, int srcGroup) {
        if (!m.group(1).equals(m.group(srcGroup))) {
            throw l.error(m, srcGroup, "the result register must be the operand register");
        }
        return Statement.of(checked(l, m, () ->
                op.of(size(l, m, sizeGroup), reg(l, m, memGroup), off(l, m, memGroup + 1), reg(l, m, srcGroup))));
    }

    private static Statement target(SourceLine l, Matcher m, int group, Instruction insn, boolean inImm) {
        String t = m.group(group);
        String number = t.startsWith("pc") ? t.substring(2) : t;
        if (number.startsWith("+") || number.startsWith("-")) {
            return Statement.of(inImm ? insn.withImmLow(l.imm32(number, m.start(group)))
                    : insn.withOffset(l.offset(number, m.start(group))));
        }
        return Statement.jump(insn, t, inImm, l.base() + m.start(group) + 1);
    }

    /** Whether the two register groups are both 'w' (32-bit); mixing r and w is an error. */
    private static boolean width(SourceLine l, Matcher m, int a, int b) {
        if (!m.group(a).equals(m.group(b))) {
            throw l.error(m, b, "mixed r and w registers");
        }
        return m.group(a).equals("w");
    }

    private static Reg reg(SourceLine l, Matcher m, int group) {
        return l.reg(m.group(group), m.start(group));
    }

    private static Size size(SourceLine l, Matcher m, int group) {
        return switch (m.group(group)) {
            case "8" -> Size.B;
            case "16" -> Size.H;
            case "32" -> Size.W;
            default -> Size.DW;
        };
    }

    /** The offset of a {@link #MEM} match whose sign is group {@code group} and digits group {@code group + 1}. */
    private static int off(SourceLine l, Matcher m, int group) {
        if (m.group(group) == null) {
            return 0;
        }
        return l.offset(m.group(group) + m.group(group + 1), m.start(group + 1));
    }

    private static Instruction checked(SourceLine l, Matcher m, java.util.function.Supplier<Instruction> f) {
        try {
            return f.get();
        } catch (AsmSyntaxException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw l.error(0, e.getMessage());
        }
    }
}
