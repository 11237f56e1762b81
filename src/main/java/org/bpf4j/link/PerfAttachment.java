package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;

/**
 * A program attached to one perf event (a tracepoint, uprobe, kprobe or sampling event): through a BPF link
 * (BPF_LINK_CREATE with BPF_PERF_EVENT, kernel 5.15 and later) where the kernel has them, else the older
 * PERF_EVENT_IOC_SET_BPF ioctl. Owns the event and the link; closing detaches.
 */
final class PerfAttachment implements AutoCloseable {
    /** Whether this kernel makes perf-event links: unknown until the first attach tells. */
    private static volatile Boolean perfLinks;

    private final PerfEvent event;
    private final Fd link;

    private PerfAttachment(PerfEvent event, Fd link) {
        this.event = event;
        this.link = link;
    }

    /**
     * Attaches {@code program} to {@code event} and enables the event. Takes ownership of the event: on failure
     * it is closed before the exception leaves.
     */
    static PerfAttachment attach(KernelProgram program, PerfEvent event) {
        try {
            Fd link = null;
            if (!Boolean.FALSE.equals(perfLinks)) {
                int r = LinkCreate.create(program.fd().value(), event.fd().value(), LinkCreate.BPF_PERF_EVENT, 0);
                if (r >= 0) {
                    link = new Fd(r);
                    perfLinks = true;
                } else if (perfLinks == null && -r == Errno.EINVAL && !kernelHasPerfLinks(program)) {
                    perfLinks = false; // an older kernel: the ioctl below is the way
                } else {
                    throw new BpfException("BPF_LINK_CREATE", -r, event.what());
                }
            }
            if (link == null) event.setBpf(program.fd().value());
            try {
                event.enable();
            } catch (BpfException e) {
                if (link != null) link.close();
                throw e;
            }
            return new PerfAttachment(event, link);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
    }

    /**
     * libbpf's probe: a kernel that knows BPF_PERF_EVENT links rejects a bad perf event descriptor with EBADF,
     * one that does not rejects the attach type with EINVAL first.
     */
    private static boolean kernelHasPerfLinks(KernelProgram program) {
        int r = LinkCreate.create(program.fd().value(), -1, LinkCreate.BPF_PERF_EVENT, 0);
        if (r >= 0) new Fd(r).close();
        boolean has = r >= 0 || -r == Errno.EBADF;
        perfLinks = has;
        return has;
    }

    /** Sets what the next attaches assume about perf-event links (null: probe again); for testing the ioctl path. */
    static void assumePerfLinks(Boolean value) { perfLinks = value; }

    /** True when the kernel made BPF links for perf events so far; null before the first attach. */
    static Boolean perfLinks() { return perfLinks; }

    /** The BPF link's descriptor, or null when attached through the ioctl. */
    Fd link() { return link; }

    /** The perf event. */
    PerfEvent event() { return event; }

    @Override
    public void close() {
        if (link != null) link.close();
        event.close();
    }
}
