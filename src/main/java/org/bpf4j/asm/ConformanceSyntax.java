package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assembler dialect of the bpf_conformance suite's {@code -- asm} sections (uBPF style):
 * {@code mov32 %r0, 1}, {@code ldxw %r0, [%r1+4]}, {@code jeq %r1, 0x10, +2}, {@code lock fetch add [%r10-8], %r1},
 * {@code call local func1}.
 */
final class ConformanceSyntax {
    private static final Pattern REG = Pattern.compile("%?r(\\d+)");
    private static final Pattern MEM = Pattern.compile("\\[\\s*%?r(\\d+)\\s*(?:([+-])\\s*([0-9a-fA-Fx]+))?\\s*]");
    private static final Pattern TARGET_OFFSET = Pattern.compile("[+-]\\d+");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_.$][\\w.$]*");

    private static final Map<String, AluOp> ALU = new HashMap<>();
    private static final Map<String, JmpOp> JMP = new HashMap<>();
    private static final Map<String, AtomicOp> ATOMIC = Map.of("add", AtomicOp.ADD, "and", AtomicOp.AND,
            "or", AtomicOp.OR, "xor", AtomicOp.XOR, "xchg", AtomicOp.XCHG, "cmpxchg", AtomicOp.CMPXCHG);
    private static final Map<String, AtomicOp> FETCH = Map.of("add", AtomicOp.FETCH_ADD, "and", AtomicOp.FETCH_AND,
            "or", AtomicOp.FETCH_OR, "xor", AtomicOp.FETCH_XOR);
    private static final Map<String, Size> SIZES = Map.of("b", Size.B, "h", Size.H, "w", Size.W, "dw", Size.DW);

    static {
        for (AluOp op : AluOp.values()) {
            if (op.offset() == 0 || op == AluOp.SDIV || op == AluOp.SMOD) {
                ALU.put(op.mnemonic(), op);
            }
        }
        for (JmpOp op : JmpOp.values()) {
            if (op.isConditional()) {
                JMP.put(op.mnemonic(), op);
            }
        }
    }

    private ConformanceSyntax() {
    }

    /** An operand with its 0-based index in the statement. */
    private record Operand(String text, int index) {
    }

    /** Whether {@code mnemonic} starts a statement of this dialect. */
    static boolean handles(String mnemonic) {
        String m = mnemonic.toLowerCase();
        String base = m.endsWith("32") || m.endsWith("64") ? m.substring(0, m.length() - 2) : m;
        return ALU.containsKey(base) || JMP.containsKey(base) || m.equals("neg") || base.equals("neg")
                || m.matches("movsx(8|16|32)(32|64)") || m.matches("(le|be|bswap|swap)(16|32|64)")
                || m.matches("ldxs?(b|h|w|dw)|stx?(b|h|w|dw)|ld(abs|ind)(b|h|w)")
                || m.equals("lddw") || m.equals("ja") || m.equals("ja32") || m.equals("exit") || m.equals("lock")
                || m.equals("call") || m.equals("callx");
    }

    static Statement parse(SourceLine line) {
        String s = line.statement();
        int space = indexOfSpace(s);
        String mnemonic = s.substring(0, space).toLowerCase();
        List<Operand> ops = operands(s, space);
        return switch (mnemonic) {
            case "exit" -> {
                count(line, mnemonic, ops, 0);
                yield Statement.of(Instruction.exit());
            }
            case "ja" -> {
                count(line, mnemonic, ops, 1);
                yield target(line, Instruction.ja(0), ops.getFirst(), false);
            }
            case "ja32" -> {
                count(line, mnemonic, ops, 1);
                yield target(line, Instruction.gotol(0), ops.getFirst(), true);
            }
            case "lddw" -> {
                count(line, mnemonic, ops, 2);
                Operand imm = ops.get(1);
                yield Statement.of(Instruction.lddw(reg(line, ops.getFirst()), line.imm64(imm.text(), imm.index())));
            }
            case "call", "callx" -> call(line, s, space, mnemonic);
            case "lock" -> lock(line, s, space);
            default -> other(line, mnemonic, ops);
        };
    }

    private static Statement other(SourceLine line, String mnemonic, List<Operand> ops) {
        Matcher m;
        if ((m = Pattern.compile("movsx(8|16|32)(32|64)").matcher(mnemonic)).matches()) {
            count(line, mnemonic, ops, 2);
            AluOp op = switch (m.group(1)) {
                case "8" -> AluOp.MOVSX8;
                case "16" -> AluOp.MOVSX16;
                default -> AluOp.MOVSX32;
            };
            boolean wide = m.group(2).equals("64");
            Reg dst = reg(line, ops.get(0));
            Reg src = reg(line, ops.get(1));
            return Statement.of(checked(line, 0, () -> wide ? op.reg64(dst, src) : op.reg32(dst, src)));
        }
        if ((m = Pattern.compile("(le|be|bswap|swap)(16|32|64)").matcher(mnemonic)).matches()) {
            count(line, mnemonic, ops, 1);
            SwapOp op = switch (m.group(1)) {
                case "le" -> SwapOp.LE;
                case "be" -> SwapOp.BE;
                default -> SwapOp.BSWAP;
            };
            return Statement.of(op.of(reg(line, ops.getFirst()), Integer.parseInt(m.group(2))));
        }
        if ((m = Pattern.compile("ldx(s?)(b|h|w|dw)").matcher(mnemonic)).matches()) {
            count(line, mnemonic, ops, 2);
            Size size = SIZES.get(m.group(2));
            boolean signed = !m.group(1).isEmpty();
            Reg dst = reg(line, ops.get(0));
            Object[] mem = mem(line, ops.get(1));
            return Statement.of(checked(line, 0, () -> signed
                    ? size.loadSigned(dst, (Reg) mem[0], (int) mem[1]) : size.load(dst, (Reg) mem[0], (int) mem[1])));
        }
        if ((m = Pattern.compile("st(x?)(b|h|w|dw)").matcher(mnemonic)).matches()) {
            count(line, mnemonic, ops, 2);
            Size size = SIZES.get(m.group(2));
            Object[] mem = mem(line, ops.get(0));
            Operand value = ops.get(1);
            if (!m.group(1).isEmpty()) {
                return Statement.of(size.store((Reg) mem[0], (int) mem[1], reg(line, value)));
            }
            return Statement.of(size.storeImm((Reg) mem[0], (int) mem[1], line.imm32(value.text(), value.index())));
        }
        if ((m = Pattern.compile("ld(abs|ind)(b|h|w)").matcher(mnemonic)).matches()) {
            Size size = SIZES.get(m.group(2));
            if (m.group(1).equals("abs")) {
                count(line, mnemonic, ops, 1);
                return Statement.of(size.loadAbs(line.imm32(ops.getFirst().text(), ops.getFirst().index())));
            }
            count(line, mnemonic, ops, 2);
            return Statement.of(size.loadInd(reg(line, ops.get(0)), line.imm32(ops.get(1).text(), ops.get(1).index())));
        }
        boolean narrow = mnemonic.endsWith("32");
        String base = narrow || mnemonic.endsWith("64") ? mnemonic.substring(0, mnemonic.length() - 2) : mnemonic;
        if (base.equals("neg")) {
            count(line, mnemonic, ops, 1);
            Reg dst = reg(line, ops.getFirst());
            return Statement.of(narrow ? AluOp.NEG.imm32(dst, 0) : AluOp.NEG.imm64(dst, 0));
        }
        AluOp alu = ALU.get(base);
        if (alu != null) {
            count(line, mnemonic, ops, 2);
            Reg dst = reg(line, ops.get(0));
            Operand b = ops.get(1);
            if (isReg(b)) {
                Reg src = reg(line, b);
                return Statement.of(narrow ? alu.reg32(dst, src) : alu.reg64(dst, src));
            }
            int imm = line.imm32(b.text(), b.index());
            return Statement.of(narrow ? alu.imm32(dst, imm) : alu.imm64(dst, imm));
        }
        JmpOp jmp = JMP.get(base);
        if (jmp != null && !mnemonic.endsWith("64")) {
            count(line, mnemonic, ops, 3);
            Reg dst = reg(line, ops.get(0));
            Operand b = ops.get(1);
            Instruction insn;
            if (isReg(b)) {
                Reg src = reg(line, b);
                insn = narrow ? jmp.reg32(dst, src, 0) : jmp.reg(dst, src, 0);
            } else {
                int imm = line.imm32(b.text(), b.index());
                insn = narrow ? jmp.imm32(dst, imm, 0) : jmp.imm(dst, imm, 0);
            }
            return target(line, insn, ops.get(2), false);
        }
        throw line.error(0, "unknown mnemonic '" + mnemonic + "'");
    }

    /** {@code call N}, {@code call helper N}, {@code call local LABEL|+N}, {@code call runtime N}, {@code call %rN}. */
    private static Statement call(SourceLine line, String s, int space, String mnemonic) {
        List<Operand> words = words(s, space);
        if (words.isEmpty()) throw line.error(0, mnemonic + " needs a target: a helper number, 'local LABEL' or a register");
        if (mnemonic.equals("callx") || (words.size() == 1 && isReg(words.getFirst()))) {
            count(line, mnemonic, words, 1);
            return Statement.of(new Instruction(new Operation.CallRegister(), reg(line, words.getFirst()), Reg.R0, 0, 0));
        }
        if (words.size() == 1) {
            Operand w = words.getFirst();
            return Statement.of(CallKind.HELPER.of(line.imm32(w.text(), w.index())));
        }
        count(line, "call " + words.getFirst().text(), words, 2);
        Operand target = words.get(1);
        return switch (words.getFirst().text()) {
            case "helper" -> isReg(target)
                    ? Statement.of(new Instruction(new Operation.CallRegister(), reg(line, target), Reg.R0, 0, 0))
                    : Statement.of(CallKind.HELPER.of(line.imm32(target.text(), target.index())));
            case "local" -> target(line, Instruction.callLocal(0), target, true);
            case "runtime", "kfunc" -> Statement.of(CallKind.KFUNC.of(line.imm32(target.text(), target.index())));
            default -> throw line.error(words.getFirst().index(), "invalid call mode '" + words.getFirst().text() + "'");
        };
    }

    /** {@code lock [fetch] OP[32] [%rD+off], %rS}. */
    private static Statement lock(SourceLine line, String s, int space) {
        List<Operand> words = words(s, space);
        int i = 0;
        boolean fetch = !words.isEmpty() && words.getFirst().text().equals("fetch");
        if (fetch) {
            i++;
        }
        if (words.size() < i + 1) {
            throw line.error(0, "invalid number of operands for lock");
        }
        Operand opWord = words.get(i);
        String name = opWord.text().toLowerCase();
        boolean narrow = name.endsWith("32");
        String base = narrow || name.endsWith("64") ? name.substring(0, name.length() - 2) : name;
        AtomicOp op = fetch ? FETCH.get(base) : ATOMIC.get(base);
        if (op == null) {
            throw line.error(opWord.index(), "unknown atomic operation '" + opWord.text() + "'");
        }
        List<Operand> ops = operands(s, opWord.index() + opWord.text().length());
        if (ops.size() != 2) {
            throw line.error(opWord.index(), "invalid number of operands for lock");
        }
        Object[] mem = mem(line, ops.get(0));
        return Statement.of(op.of(narrow ? Size.W : Size.DW, (Reg) mem[0], (int) mem[1], reg(line, ops.get(1))));
    }

    private static Statement target(SourceLine line, Instruction insn, Operand t, boolean inImm) {
        String text = t.text();
        if (TARGET_OFFSET.matcher(text).matches()) {
            if (inImm) {
                return Statement.of(insn.withImmLow(line.imm32(text, t.index())));
            }
            return Statement.of(insn.withOffset(line.offset(text, t.index())));
        }
        if (!IDENT.matcher(text).matches()) {
            throw line.error(t.index(), "invalid jump target '" + text + "'");
        }
        return Statement.jump(insn, text, inImm, line.base() + t.index() + 1);
    }

    private static boolean isReg(Operand o) {
        return o.text().startsWith("%") || REG.matcher(o.text()).matches();
    }

    private static Reg reg(SourceLine line, Operand o) {
        Matcher m = REG.matcher(o.text());
        if (!m.matches()) {
            throw line.error(o.index(), "expected a register, got '" + o.text() + "'");
        }
        return line.reg(m.group(1), o.index());
    }

    /** {@code [%rN]}, {@code [%rN+off]}, {@code [%rN-off]} as {register, offset}. */
    private static Object[] mem(SourceLine line, Operand o) {
        Matcher m = MEM.matcher(o.text());
        if (!m.matches()) {
            throw line.error(o.index(), "expected a memory operand [%rN+offset], got '" + o.text() + "'");
        }
        Reg r = line.reg(m.group(1), o.index() + m.start(1));
        int off = m.group(2) == null ? 0 : line.offset(m.group(2) + m.group(3), o.index() + m.start(3));
        return new Object[] {r, off};
    }

    private static Instruction checked(SourceLine line, int index, java.util.function.Supplier<Instruction> f) {
        try {
            return f.get();
        } catch (AsmSyntaxException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw line.error(index, e.getMessage());
        }
    }

    private static void count(SourceLine line, String mnemonic, List<Operand> ops, int n) {
        if (ops.size() != n) {
            throw line.error(0, "invalid number of operands for " + mnemonic + ": expected " + n + ", got " + ops.size());
        }
    }

    static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return s.length();
    }

    /** The comma-separated operands after {@code from}, trimmed, with their indices. */
    private static List<Operand> operands(String s, int from) {
        List<Operand> out = new ArrayList<>();
        if (s.substring(from).isBlank()) {
            return out;
        }
        int start = from;
        for (int i = from; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == ',') {
                String raw = s.substring(start, i);
                int lead = 0;
                while (lead < raw.length() && Character.isWhitespace(raw.charAt(lead))) {
                    lead++;
                }
                out.add(new Operand(raw.trim(), start + lead));
                start = i + 1;
            }
        }
        return out;
    }

    /** The whitespace-separated words after {@code from}, with their indices. */
    private static List<Operand> words(String s, int from) {
        List<Operand> out = new ArrayList<>();
        Matcher m = Pattern.compile("[^\\s,]+").matcher(s);
        m.region(from, s.length());
        while (m.find()) {
            out.add(new Operand(m.group(), m.start()));
        }
        return out;
    }
}
