package org.bpf4j.lang.runtime;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.lang.stap.StapParser;
import org.bpf4j.lang.stap.SyscallFunction;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code bpf4j stap} reads of the running kernel to place its probe points: which tracepoints exist and their
 * fields' C types (tracefs), and, where the kernel has kprobes, each system call's wrapper function and declared
 * parameters, so that {@code kernel.function("sys_kill")} is a real kprobe.
 */
public final class StapKernel implements StapParser.Tracepoints {
    /** The running kernel. */
    public static final StapKernel SYSTEM = new StapKernel();

    private static final java.nio.file.Path KPROBE_PMU = java.nio.file.Path.of("/sys/bus/event_source/devices/kprobe");

    private StapKernel() {}

    @Override
    public boolean exists(String category, String event) {
        return Files.isDirectory(Tracefs.get().root().resolve("events").resolve(category).resolve(event));
    }

    @Override
    public Optional<String> fieldType(String category, String event, String field) {
        try {
            return Tracefs.get().format(category, event).field(field).map(EventFormat.Field::type);
        } catch (RuntimeException e) {
            return Optional.empty(); // the checker names a missing tracepoint
        }
    }

    /**
     * {@code __x64_sys_NAME(const struct pt_regs *regs)} on x86-64 when the kernel has kprobes and BTF says the
     * function takes the caller's registers; its parameters from BTF ({@code __do_sys_NAME}, declared types) when
     * the kernel kept that function, else from the syscall tracepoint's format (the same names and types), else
     * from {@code __se_sys_NAME} (names; every argument a {@code long}).
     */
    @Override
    public Optional<SyscallFunction> syscallFunction(String name) {
        // no kprobe PMU: no kprobes (AttachSupport would read the kernel's config only to say why)
        if (!"amd64".equals(System.getProperty("os.arch")) || !Files.isDirectory(KPROBE_PMU) || !AttachSupport.kprobes().supported())
            return Optional.empty();
        Btf btf;
        try {
            btf = Btf.vmlinux();
        } catch (RuntimeException e) {
            return Optional.empty(); // no BTF: no struct pt_regs to read the registers with
        }
        String function = "__x64_sys_" + name;
        Optional<BtfType.Func> wrapper = btf.find(BtfType.Func.class, function);
        // a SYSCALL_DEFINE0 wrapper may be missing from BTF (__x64_sys_getppid): it has no parameters to read
        if (wrapper.isPresent() && !takesRegisters(btf, wrapper.get())) return Optional.empty();
        Optional<List<SyscallFunction.Param>> params = btfParams(btf, "__do_sys_" + name)
                .or(() -> tracepointParams(name))
                .or(() -> btfParams(btf, "__se_sys_" + name));
        if (params.isEmpty() && wrapper.isEmpty()) return Optional.empty();
        return Optional.of(new SyscallFunction(function, params.orElse(List.of())));
    }

    private static boolean takesRegisters(Btf btf, BtfType.Func f) {
        if (!(btf.type(f.type()) instanceof BtfType.FuncProto proto) || proto.params().size() != 1) return false;
        return btf.resolve(proto.params().getFirst().type()) instanceof BtfType.Ptr p
                && btf.resolve(p.type()) instanceof BtfType.Struct s && s.name().equals("pt_regs");
    }

    private static Optional<List<SyscallFunction.Param>> btfParams(Btf btf, String function) {
        return btf.find(BtfType.Func.class, function).flatMap(f -> {
            if (!(btf.type(f.type()) instanceof BtfType.FuncProto proto)) return Optional.empty();
            List<SyscallFunction.Param> out = new ArrayList<>();
            for (BtfType.Param p : proto.params()) {
                if (p.name().isEmpty()) return Optional.empty();
                out.add(new SyscallFunction.Param(p.name(), cType(btf, p.type())));
            }
            return Optional.of(out);
        });
    }

    /** The name a parameter's type has in C as far as its width and sign go: a typedef's name, an integer's, or null. */
    private static String cType(Btf btf, int id) {
        BtfType t = btf.type(id);
        while (t instanceof BtfType.Const c) t = btf.type(c.type());
        return switch (t) {
            case BtfType.Typedef td -> td.name();
            case BtfType.Int i -> i.name();
            default -> null;
        };
    }

    private Optional<List<SyscallFunction.Param>> tracepointParams(String name) {
        if (!exists("syscalls", "sys_enter_" + name)) return Optional.empty();
        try {
            List<SyscallFunction.Param> out = new ArrayList<>();
            for (EventFormat.Field f : Tracefs.get().format("syscalls", "sys_enter_" + name).ownFields())
                if (!f.name().equals("__syscall_nr")) out.add(new SyscallFunction.Param(f.name(), f.type()));
            return Optional.of(out);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
