package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;

import java.util.Map;
import java.util.Optional;

/**
 * An fentry or fexit program: a tracing program bound at load time to a kernel function (its BTF id in vmlinux,
 * from {@link Btf#vmlinux()}) and attached with BPF_LINK_CREATE through a BPF trampoline. Its context is the
 * function's arguments as u64s (and, for fexit, the return value after them). The link owns the program it loaded.
 */
public final class TracingLink implements Link {
    /** Which side of the function the program runs on. */
    public enum Kind {
        FENTRY(LinkCreate.BPF_TRACE_FENTRY), FEXIT(LinkCreate.BPF_TRACE_FEXIT);
        final int attachType;
        Kind(int attachType) { this.attachType = attachType; }
    }

    private final String name;
    private final KernelProgram program;
    private final Fd fd;

    private TracingLink(String name, KernelProgram program, Fd fd) {
        this.name = name;
        this.program = program;
        this.fd = fd;
    }

    /**
     * Loads {@code spec} (a tracing program) bound to kernel function {@code function} and attaches it. A kernel
     * that refuses tracing programs gives a {@link NotSupportedException} for "fentry/fexit" with the reason.
     */
    public static TracingLink attach(ProgramSpec spec, Map<String, ? extends KernelMap> maps, String function, Kind kind) {
        String what = kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + function;
        if (spec.type() != ProgramType.TRACING)
            throw new IllegalArgumentException("program " + spec.name() + " is a " + spec.type().bpftoolName()
                    + " program; " + what + " needs a tracing program");
        int id = functionId(function).orElseThrow(() ->
                new UserException(what + ": no kernel function " + function + " in /sys/kernel/btf/vmlinux"));
        ProgramSpec bound = new ProgramSpec(spec.name(), spec.type(), spec.program(), spec.license(), kind.attachType);
        KernelProgram program;
        try {
            program = KernelProgram.load(bound, maps, id);
        } catch (VerifierException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP)
                throw notSupported(e.errno(), e.reason(), e);
            throw e;
        } catch (BpfException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP)
                throw notSupported(e.errno(), null, e);
            throw e;
        }
        try {
            int r = LinkCreate.create(program.fd().value(), 0, kind.attachType, 0);
            if (r == -Errno.EINVAL) r = LinkCreate.rawTracepointOpen(null, program.fd().value()); // before 5.x LINK_CREATE
            if (r < 0) {
                if (-r == Errno.ENOTSUPP || -r == Errno.EOPNOTSUPP || -r == Errno.EPERM)
                    throw notSupported(-r, null, new BpfException("BPF_LINK_CREATE", -r, what));
                throw new BpfException("BPF_LINK_CREATE", -r, what);
            }
            return new TracingLink(what, program, new Fd(r));
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
    }

    /** The BTF id of kernel function {@code name} in vmlinux BTF (what a tracing program names at load time). */
    static Optional<Integer> functionId(String name) {
        Btf vmlinux;
        try {
            vmlinux = Btf.vmlinux();
        } catch (UserException e) {
            throw new NotSupportedException("fentry/fexit", "no kernel BTF (" + e.getMessage()
                    + "): the kernel must be built with CONFIG_DEBUG_INFO_BTF");
        }
        return vmlinux.find(BtfType.Func.class, name).map(BtfType.Func::id);
    }

    private static NotSupportedException notSupported(int errno, String reason, Exception cause) {
        NotSupportedException e = new NotSupportedException("fentry/fexit", AttachSupport.refusal(errno, reason));
        e.initCause(cause);
        return e;
    }

    /** The program this link loaded. */
    public KernelProgram program() { return program; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() {
        fd.close();
        program.close();
    }
}
