package org.bpf4j.lang.stap;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.TypeName;

import java.util.List;

/**
 * A system call's kernel function on a kernel with kprobes: the x86-64 syscall wrapper a kprobe attaches to
 * ({@code __x64_sys_kill(const struct pt_regs *regs)}) and the call's declared parameters, which the wrapper finds
 * in the caller's registers that {@code regs} points to. SystemTap's {@code kernel.function("sys_kill")} is then a
 * real kprobe whose {@code $pid} and {@code $sig} are read from {@code regs->di} and {@code regs->si}, typed as
 * declared ({@code pid_t}: signed).
 *
 * @param function the function the kprobe attaches to
 * @param params   the system call's parameters in order, with their C types
 */
public record SyscallFunction(String function, List<Param> params) {
    /** Copies the list. */
    public SyscallFunction { params = List.copyOf(params); }

    /** One declared parameter: its name and C type ({@code pid_t}, {@code const char *}). */
    public record Param(String name, String cType) {}

    /** The registers of the x86-64 system call convention, in argument order (r10, not rcx, is the fourth). */
    private static final List<String> REGISTERS = List.of("di", "si", "dx", "r10", "r8", "r9");

    /** The names of the parameters, for messages. */
    public List<String> names() { return params.stream().map(Param::name).toList(); }

    /**
     * The expression reading parameter {@code name} in the kprobe: {@code (TYPE)((struct pt_regs *)arg0)->REG}, the
     * cast only for integer types narrower than the register; null when the call has no such parameter.
     */
    Expr argument(String name, Span at) {
        for (int i = 0; i < params.size() && i < REGISTERS.size(); i++) {
            Param p = params.get(i);
            if (!p.name().equals(name)) continue;
            Expr regs = new Expr.Cast(new TypeName("struct pt_regs", 1, at), new Expr.Builtin("arg0", at), at);
            Expr reg = new Expr.Field(regs, REGISTERS.get(i), true, at);
            String cast = integerCast(p.cType());
            return cast == null ? reg : new Expr.Cast(new TypeName(cast, 0, at), reg, at);
        }
        return null;
    }

    /**
     * The cast that gives a register or an 8-byte tracepoint field holding a value of C type {@code cType} its
     * declared width and sign ({@code pid_t}: int32), or null for 64-bit and unknown types, which stay as they are.
     */
    static String integerCast(String cType) {
        if (cType == null) return null;
        String t = cType.replace("const ", "").replace("volatile ", "").strip();
        return switch (t) {
            case "int", "signed int", "pid_t", "clockid_t", "timer_t", "key_serial_t", "mqd_t", "rwf_t", "__s32", "s32" -> "int32";
            case "unsigned int", "unsigned", "uid_t", "gid_t", "qid_t", "__u32", "u32" -> "uint32";
            case "short", "short int", "__s16" -> "int16";
            case "unsigned short", "short unsigned int", "umode_t", "__u16" -> "uint16";
            case "long", "long int", "long long", "long long int", "ssize_t", "loff_t", "off_t", "__s64", "s64" -> "int64";
            default -> null;
        };
    }
}
