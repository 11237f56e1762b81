package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Errno;
import org.bpf4j.tracefs.Tracefs;

/**
 * A tracepoint program attached through perf_event_open(PERF_TYPE_TRACEPOINT) and a BPF link (or, on kernels
 * before 5.15, PERF_EVENT_IOC_SET_BPF). The program runs on every CPU: the kernel attaches it to the tracepoint
 * itself, so one event on CPU 0 suffices.
 */
public final class TracepointLink implements Link {
    private final String name;
    private final PerfAttachment attachment;

    private TracepointLink(String name, PerfAttachment attachment) {
        this.name = name;
        this.attachment = attachment;
    }

    /** Attaches {@code program} (a tracepoint program) to {@code category:event}. */
    public static TracepointLink attach(KernelProgram program, String category, String eventName) {
        if (program.type() != ProgramType.TRACEPOINT)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; a tracepoint needs a tracepoint program");
        String name = "tracepoint:" + category + ":" + eventName;
        int id = Tracefs.get().eventId(category, eventName);
        PerfEvent ev = PerfEvent.open(PerfEvent.TYPE_TRACEPOINT, id, PerfEvent.SAMPLE_RAW, -1, 0, name);
        try {
            return new TracepointLink(name, PerfAttachment.attach(program, ev));
        } catch (BpfException e) {
            if (e.errno() == Errno.EEXIST) throw new UserException(name + ": a program is already attached to this event", e);
            throw e;
        }
    }

    /** The attachment: the perf event and, where the kernel makes them, the BPF link. */
    PerfAttachment attachment() { return attachment; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { attachment.close(); }
}
