package org.bpf4j.lang.stap;

import org.bpf4j.lang.syntax.Token;

import java.util.List;
import java.util.Optional;

/**
 * SystemTap's probe points as bpftrace attach points: {@code begin}, {@code end}, {@code timer.s(N)},
 * {@code syscall.NAME[.return]}, {@code kernel.function("F")[.return]} (a syscall function is a kprobe on its syscall
 * wrapper where the kernel has kprobes, else its syscall tracepoint; other functions are kprobes),
 * {@code kernel.trace("T")}, {@code process("P").function("F")[.return]} and {@code process("P").mark("M")}; with what
 * each gives its {@code $target} variables.
 */
final class ProbePoints {
    private static final List<String> SYSCALL_PREFIXES = List.of("__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "ksys_", "sys_");

    /** One dotted part of a probe point: {@code kernel}, {@code function("F")}, {@code s(5)}. */
    record Component(String name, String arg, Token at) {}

    /** Where a probe point's {@code $target} variables come from. */
    enum TargetKind {
        /** A syscall's entry tracepoint: its fields. */
        SYSCALL,
        /** A syscall's exit tracepoint: {@code $return} is its {@code ret}. */
        RETURN,
        /** A uretprobe: {@code $return} is the return value. */
        URETPROBE,
        /** A kprobe on a system call's wrapper: its parameters, read from the caller's registers. */
        KPROBE_SYSCALL,
        /** A kretprobe on a system call's wrapper: {@code $return} only. */
        KRETPROBE,
        /** Any other probe point: no target variables. */
        OTHER
    }

    /**
     * A probe point translated: the attach point, and for those that have target variables their kind (null for
     * begin, end and timers, which take no part in the probe's kind), the syscall tracepoint whose fields are typed,
     * and the syscall function whose parameters are read.
     */
    record Translated(String attach, TargetKind kind, String syscallEvent, SyscallFunction function) {
        static Translated plain(String attach) { return new Translated(attach, null, null, null); }
    }

    private final StapParser.Tracepoints tracepoints;

    ProbePoints(StapParser.Tracepoints tracepoints) { this.tracepoints = tracepoints; }

    /** {@code c} as bpftrace's attach point, or empty when bpf4j has no equivalent. */
    Optional<Translated> translate(List<Component> c) {
        String first = c.getFirst().name();
        boolean ret = c.getLast().name().equals("return");
        switch (first) {
            case "begin": return Optional.of(Translated.plain("BEGIN"));
            case "end": return Optional.of(Translated.plain("END"));
            case "timer": {
                if (c.size() < 2) break;
                Component unit = c.get(1);
                if (unit.name().equals("profile")) return Optional.of(Translated.plain("profile:hz:100"));
                if (List.of("s", "sec", "ms", "msec", "us", "usec", "hz").contains(unit.name()) && unit.arg() != null) {
                    String u = switch (unit.name()) {
                        case "sec" -> "s";
                        case "msec" -> "ms";
                        case "usec" -> "us";
                        default -> unit.name();
                    };
                    return Optional.of(Translated.plain("interval:" + u + ":" + unit.arg()));
                }
                break;
            }
            case "syscall": {
                if (c.size() < 2) break;
                String name = c.get(1).name();
                return Optional.of(new Translated("tracepoint:syscalls:sys_" + (ret ? "exit_" : "enter_") + name,
                        ret ? TargetKind.RETURN : TargetKind.SYSCALL, "sys_enter_" + name, null));
            }
            case "kernel": {
                if (c.size() >= 2 && c.get(1).name().equals("function") && c.get(1).arg() != null) {
                    String fn = c.get(1).arg();
                    String sys = syscallName(fn);
                    Optional<SyscallFunction> function = sys == null ? Optional.empty() : tracepoints.syscallFunction(sys);
                    if (function.isPresent())
                        return Optional.of(new Translated((ret ? "kretprobe:" : "kprobe:") + function.get().function(),
                                ret ? TargetKind.KRETPROBE : TargetKind.KPROBE_SYSCALL, null, function.get()));
                    if (sys != null && tracepoints.exists("syscalls", "sys_enter_" + sys))
                        return Optional.of(new Translated("tracepoint:syscalls:sys_" + (ret ? "exit_" : "enter_") + sys,
                                ret ? TargetKind.RETURN : TargetKind.SYSCALL, "sys_enter_" + sys, null));
                    return Optional.of(new Translated((ret ? "kretprobe:" : "kprobe:") + fn, TargetKind.OTHER, null, null));
                }
                if (c.size() >= 2 && c.get(1).name().equals("trace") && c.get(1).arg() != null) {
                    String t = c.get(1).arg();
                    return Optional.of(new Translated(t.contains(":") ? "tracepoint:" + t : "tracepoint:*:" + t, TargetKind.SYSCALL, null, null));
                }
                break;
            }
            case "process": {
                if (c.getFirst().arg() == null || c.size() < 2 || c.get(1).arg() == null) break;
                String bin = c.getFirst().arg();
                if (c.get(1).name().equals("function"))
                    return Optional.of(new Translated((ret ? "uretprobe:" : "uprobe:") + bin + ":" + c.get(1).arg(),
                            ret ? TargetKind.URETPROBE : TargetKind.OTHER, null, null));
                if (c.get(1).name().equals("mark"))
                    return Optional.of(new Translated("usdt:" + bin + ":" + c.get(1).arg(), TargetKind.OTHER, null, null));
                break;
            }
            default:
                break;
        }
        return Optional.empty();
    }

    /** The probe point as written, for messages: {@code kernel.function("F").return}. */
    static String describe(List<Component> c) {
        StringBuilder sb = new StringBuilder();
        for (Component x : c) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(x.name());
            if (x.arg() != null) sb.append("(\"").append(x.arg()).append("\")");
        }
        return sb.toString();
    }

    /** The syscall a kernel function implements ({@code __x64_sys_kill} and {@code sys_kill} give {@code kill}), or null. */
    static String syscallName(String fn) {
        for (String p : SYSCALL_PREFIXES) if (fn.startsWith(p) && fn.length() > p.length()) return fn.substring(p.length());
        return null;
    }
}
