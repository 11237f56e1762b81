package org.bpf4j.usdt;

import org.bpf4j.UserException;
import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One argument of a USDT probe as the x86-64 assembler wrote it in {@code .note.stapsdt}: {@code SIZE@OPERAND},
 * where a negative size means signed and the operand is a constant ({@code -4@$-9}), a register
 * ({@code -4@%esi}, {@code 1@%al}) or memory at a register plus an offset ({@code 8@16(%rbp)}), perhaps plus
 * an index register times a scale ({@code 8@(%rdx,%rax,8)}), or a global relative to the instruction pointer
 * ({@code -8@s64(%rip)}, read once {@link #atSite} has placed the symbol relative to the probe site). A BPF
 * program on the probe reads it from the {@code struct pt_regs} context with {@link #emitLoad}.
 *
 * @param kind          what the operand is
 * @param size          the value's width in bytes: 1, 2, 4 or 8
 * @param signed        whether the value is sign-extended to 64 bits
 * @param register      the register name without {@code %} (null for a constant)
 * @param value         the constant, or the memory offset added to the register
 * @param index         a memory operand's index register without {@code %}, or null
 * @param scale         what the index register is multiplied by: 1, 2, 4 or 8
 * @param text          the spec as written
 * @param fromSite      for {@code %rip}: {@code value} is the address's distance from the probe site, which is
 *                      where the instruction pointer is when the probe fires
 */
public record UsdtArgument(Kind kind, int size, boolean signed, String register, long value, String index, int scale,
                           String text, boolean fromSite) {
    /** What an operand is. */
    public enum Kind { CONSTANT, REGISTER, MEMORY }

    /** Where a register is in {@code struct pt_regs} (x86-64) and how far its value is shifted there (8 for %ah). */
    private record RegSlot(int offset, int shift) {}

    private static final Map<String, RegSlot> REGISTERS = registers();
    private static final Pattern SPEC = Pattern.compile(
            "(-?)(\\d+)@(?:\\$(-?\\d+)|%(\\w+)|([^()\\s]*)\\(%(\\w+)(?:,%(\\w+)(?:,([1248]))?)?\\))");

    /** Checks the parts fit together. */
    public UsdtArgument {
        if (size != 1 && size != 2 && size != 4 && size != 8)
            throw new IllegalArgumentException("USDT argument '" + text + "': size " + size + " is not 1, 2, 4 or 8");
        if (kind != Kind.CONSTANT && !REGISTERS.containsKey(register))
            throw new IllegalArgumentException("USDT argument '" + text + "': unknown x86-64 register %" + register);
        if (index != null && !REGISTERS.containsKey(index))
            throw new IllegalArgumentException("USDT argument '" + text + "': unknown x86-64 register %" + index);
    }

    private static Map<String, RegSlot> registers() {
        Map<String, RegSlot> m = new java.util.HashMap<>();
        // struct pt_regs (arch/x86/include/asm/ptrace.h, x86-64): r15 @0, r14 @8, ..., rsp @152
        String[][] legacy = {{"ax", "80"}, {"bx", "40"}, {"cx", "88"}, {"dx", "96"}};
        for (String[] r : legacy) {
            int off = Integer.parseInt(r[1]);
            char c = r[0].charAt(0);
            for (String n : List.of("r" + r[0], "e" + r[0], r[0], c + "l")) m.put(n, new RegSlot(off, 0));
            m.put(c + "h", new RegSlot(off, 8));
        }
        String[][] indexed = {{"si", "104"}, {"di", "112"}, {"bp", "32"}, {"sp", "152"}};
        for (String[] r : indexed) {
            int off = Integer.parseInt(r[1]);
            for (String n : List.of("r" + r[0], "e" + r[0], r[0], r[0] + "l")) m.put(n, new RegSlot(off, 0));
        }
        int[] numbered = {72, 64, 56, 48, 24, 16, 8, 0}; // r8 .. r15
        for (int i = 8; i <= 15; i++)
            for (String suffix : List.of("", "d", "w", "b")) m.put("r" + i + suffix, new RegSlot(numbered[i - 8], 0));
        m.put("rip", new RegSlot(128, 0));
        return Map.copyOf(m);
    }

    /** Parses one argument spec such as {@code -4@%esi}; IllegalArgumentException naming it when it is malformed. */
    public static UsdtArgument parse(String spec) {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) throw new IllegalArgumentException("USDT argument '" + spec + "': not SIZE@OPERAND of x86-64");
        boolean signed = !m.group(1).isEmpty();
        int size = Integer.parseInt(m.group(2));
        if (m.group(3) != null) return new UsdtArgument(Kind.CONSTANT, size, signed, null, Long.parseLong(m.group(3)), null, 1, spec, false);
        if (m.group(4) != null) return new UsdtArgument(Kind.REGISTER, size, signed, m.group(4), 0, null, 1, spec, false);
        String off = m.group(5), index = m.group(7);
        int scale = m.group(8) == null ? 1 : Integer.parseInt(m.group(8));
        if (m.group(6).equals("rip")) // a symbol or offset relative to the next instruction: kept, refused when read
            return new UsdtArgument(Kind.MEMORY, size, signed, "rip", 0, null, 1, spec, false);
        if (!off.matches("-?\\d*")) throw new IllegalArgumentException("USDT argument '" + spec + "': offset '" + off + "' is not a number");
        return new UsdtArgument(Kind.MEMORY, size, signed, m.group(6), off.isEmpty() || off.equals("-") ? 0 : Long.parseLong(off),
                index, scale, spec, false);
    }

    /**
     * This argument at the probe site at link-time address {@code pc}: a {@code symbol+offset(%rip)} operand becomes
     * the symbol's distance from the site ({@code symbols} gives a symbol's link-time address), which holds wherever
     * the file is loaded. Other arguments, and a symbol {@code symbols} does not know, stay as they are.
     */
    public UsdtArgument atSite(long pc, Function<String, Optional<Long>> symbols) {
        if (kind != Kind.MEMORY || !register.equals("rip") || fromSite) return this;
        Matcher m = RIP_SYMBOL.matcher(text);
        if (!m.matches()) return this;
        Optional<Long> at = symbols.apply(m.group(1));
        if (at.isEmpty()) return this;
        long off = m.group(2) == null ? 0 : Long.parseLong(m.group(2).replace("+", ""));
        return new UsdtArgument(kind, size, signed, register, at.get() + off - pc, null, 1, text, true);
    }

    private static final Pattern RIP_SYMBOL = Pattern.compile("-?\\d+@([A-Za-z_.$][\\w.$]*)([+-]\\d+)?\\(%rip\\)");

    /** The symbols the {@code sym(%rip)} operands of a probe's argument specs name, in order (repeats kept). */
    public static List<String> ripSymbols(String specs) {
        List<String> out = new ArrayList<>();
        Matcher m = RIP_SYMBOL.matcher(specs);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** The key of an argument layout: each argument's {@link #key}, joined by one space. */
    public static String layoutKey(List<UsdtArgument> args) {
        return String.join(" ", args.stream().map(UsdtArgument::key).toList());
    }

    /** What tells argument layouts apart: the text, and for an operand placed at its site, its distance. */
    public String key() { return fromSite ? text + "=ip" + (value >= 0 ? "+" : "") + value : text; }

    /** Parses a probe's space-separated argument list (empty for a probe without arguments). */
    public static List<UsdtArgument> parseAll(String specs) {
        List<UsdtArgument> out = new ArrayList<>();
        for (String s : specs.trim().split("\\s+")) if (!s.isEmpty()) out.add(parse(s));
        return List.copyOf(out);
    }

    /** The offset of the argument's register in {@code struct pt_regs}. */
    public int ptRegsOffset() {
        if (kind == Kind.CONSTANT) throw new IllegalStateException("a constant has no register");
        return REGISTERS.get(register).offset;
    }

    /**
     * Emits code that leaves the argument's value, extended to 64 bits, in {@code dst}, reading registers from the
     * {@code struct pt_regs *} in {@code ctx}. A memory operand is read with {@code bpf_probe_read_user} into the
     * 8 bytes at {@code r10 + stackOffset}: that call clobbers r0-r5, so {@code ctx} must then be one of r6-r9.
     * A read that faults leaves 0.
     */
    public void emitLoad(Program.Builder b, Reg dst, Reg ctx, int stackOffset) {
        switch (kind) {
            case CONSTANT -> {
                long v = constant(); // the constant as its width and sign make it: 4@$-1 is 4294967295
                if (v == (int) v) b.mov64(dst, (int) v);
                else b.lddw(dst, v);
                return;
            }
            case REGISTER -> {
                if (register.equals("rip")) throw new UserException("USDT argument '" + text + "': %rip as a value is not supported");
                RegSlot slot = REGISTERS.get(register);
                b.ldx(Size.DW, dst, ctx, slot.offset);
                if (slot.shift != 0) b.alu64(AluOp.RSH, dst, slot.shift);
            }
            case MEMORY -> {
                if (register.equals("rip") && !fromSite)
                    throw new UserException("USDT argument '" + text + "': %rip-relative memory without a symbol of the file is not supported");
                if (ctx.index() < 6 || ctx.index() > 9)
                    throw new IllegalArgumentException("USDT argument '" + text + "': ctx must be in r6-r9 across the helper call");
                if (value != (int) value) throw new UserException("USDT argument '" + text + "': offset out of range");
                b.ldx(Size.DW, Reg.R3, ctx, ptRegsOffset());
                if (index != null) {
                    b.ldx(Size.DW, Reg.R2, ctx, REGISTERS.get(index).offset);
                    if (scale > 1) b.alu64(AluOp.LSH, Reg.R2, Integer.numberOfTrailingZeros(scale));
                    b.alu64(AluOp.ADD, Reg.R3, Reg.R2);
                }
                if (value != 0) b.alu64(AluOp.ADD, Reg.R3, (int) value);
                b.st(Size.DW, Reg.R10, stackOffset, 0)
                        .mov64(Reg.R1, Reg.R10).alu64(AluOp.ADD, Reg.R1, stackOffset)
                        .mov64(Reg.R2, size)
                        .call(Helper.PROBE_READ_USER)
                        .ldx(Size.DW, dst, Reg.R10, stackOffset);
            }
        }
        extend(b, dst);
    }

    /** A constant's value cut to the argument's width and extended back, signed or not. */
    public long constant() {
        if (kind != Kind.CONSTANT || size == 8) return value;
        int shift = 64 - 8 * size;
        return signed ? (value << shift) >> shift : (value << shift) >>> shift;
    }

    /** Truncates the 64 bits in {@code dst} to the argument's width and extends them back, signed or not. */
    private void extend(Program.Builder b, Reg dst) {
        if (size == 8) return;
        int shift = 64 - 8 * size;
        b.alu64(AluOp.LSH, dst, shift).alu64(signed ? AluOp.ARSH : AluOp.RSH, dst, shift);
    }
}
