package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.sys.Errno;

import java.lang.foreign.Arena;

/**
 * A kprobe or kretprobe: a kprobe program run at a kernel function's entry (plus an offset) or return, through the
 * kprobe PMU ({@code perf_event_attr.config1} = the symbol name, {@code config2} = the offset). Kernels built without
 * CONFIG_KPROBES refuse with a {@link org.bpf4j.NotSupportedException} saying so ({@link AttachSupport#kprobes()}).
 */
public final class KprobeLink implements Link {
    private static final int EILSEQ = 84; // register_kprobe: the address is inside an instruction
    private final String name;
    private final PerfAttachment attachment;

    private KprobeLink(String name, PerfAttachment attachment) {
        this.name = name;
        this.attachment = attachment;
    }

    /** Attaches {@code program} to kernel function {@code symbol} at {@code offset}, or to its return with {@code ret}. */
    public static KprobeLink attach(KernelProgram program, String symbol, long offset, boolean ret) {
        String what = (ret ? "kretprobe:" : "kprobe:") + symbol + (offset != 0 ? "+" + offset : "");
        if (program.type() != ProgramType.KPROBE)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; " + what + " needs a kprobe program");
        if (ret && offset != 0) throw new UserException(what + ": a return probe takes no offset");
        AttachSupport.kprobes().require();
        ProbePmu pmu = ProbePmu.find("kprobe").orElseThrow();
        // the kernel answers whether it can probe the symbol; /proc/kallsyms is read only to say why it cannot
        PerfEvent event;
        try (Arena arena = Arena.ofConfined()) {
            long sym = arena.allocateFrom(symbol).address();
            event = PerfEvent.open(PerfEvent.Attr.of(pmu.type(), pmu.config(ret, 0)).extra(sym, offset), -1, 0, what);
        } catch (BpfException e) {
            if (e.errno() == EILSEQ)
                throw new UserException(what + ": offset " + offset + " is not at an instruction boundary of " + symbol, e);
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL) {
                if (Kallsyms.lookup(java.nio.file.Path.of("/proc/kallsyms"), symbol).isEmpty())
                    throw new UserException(what + ": no kernel function " + symbol + " in /proc/kallsyms", e);
                throw new UserException(what + ": the kernel cannot probe " + symbol + " (not a function, or blacklisted)", e);
            }
            throw e;
        }
        return new KprobeLink(what, PerfAttachment.attach(program, event));
    }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { attachment.close(); }
}
