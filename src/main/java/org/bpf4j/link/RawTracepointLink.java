package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;

/**
 * A raw tracepoint program attached with BPF_RAW_TRACEPOINT_OPEN, which makes a BPF link. The program's context
 * is the tracepoint's raw arguments ({@code struct bpf_raw_tracepoint_args}: {@code u64 args[]}), e.g. for
 * {@code sys_enter} the {@code struct pt_regs *} and the syscall number.
 */
public final class RawTracepointLink implements Link {
    private final String name;
    private final Fd fd;

    private RawTracepointLink(String name, Fd fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Attaches {@code program} (a raw tracepoint program) to the tracepoint {@code name}, e.g. {@code sched_switch};
     * a category prefix as in {@code sched:sched_switch} is allowed and ignored, as the kernel names raw
     * tracepoints without one.
     */
    public static RawTracepointLink attach(KernelProgram program, String name) {
        if (program.type() != ProgramType.RAW_TRACEPOINT && program.type() != ProgramType.RAW_TRACEPOINT_WRITABLE)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; a raw tracepoint needs a raw_tracepoint program");
        String tp = name.substring(name.lastIndexOf(':') + 1);
        String what = "rawtracepoint:" + tp;
        if (tp.isEmpty()) throw new UserException(what + ": no tracepoint name");
        int r = LinkCreate.rawTracepointOpen(tp, program.fd().value());
        if (r == -Errno.ENOENT) throw new UserException("raw tracepoint " + tp + " not found");
        if (r < 0) throw new BpfException("BPF_RAW_TRACEPOINT_OPEN", -r, what);
        return new RawTracepointLink(what, new Fd(r));
    }

    /**
     * Attaches a tracing program loaded for a BTF-typed raw tracepoint ({@code tp_btf}: its target, the
     * {@code btf_trace_NAME} type, was fixed at load time); {@code name} only describes the link.
     */
    public static RawTracepointLink attachBtf(KernelProgram program, String name) {
        if (program.type() != ProgramType.TRACING)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; tp_btf needs a tracing program");
        String what = "tp_btf:" + name;
        int r = LinkCreate.rawTracepointOpen(null, program.fd().value());
        if (r < 0) throw new BpfException("BPF_RAW_TRACEPOINT_OPEN", -r, what);
        return new RawTracepointLink(what, new Fd(r));
    }

    /** The BPF link's descriptor. */
    public Fd fd() { return fd; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { fd.close(); }
}
