package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Fd;

import java.nio.file.Path;

/**
 * One program on several places of one file as a single uprobe_multi link (6.6), as bpftrace attaches a wildcard
 * uprobe where the kernel has them ({@link AttachSupport#uprobeMulti()}); where it does not, callers attach one
 * {@link UprobeLink} per place. The program must have been loaded with expected attach type
 * {@link #ATTACH_TYPE}; the link does not own it.
 */
public final class UprobeMultiLink implements Link {
    /** {@code BPF_TRACE_UPROBE_MULTI}: the expected attach type its program is loaded with. */
    public static final int ATTACH_TYPE = LinkCreate.BPF_TRACE_UPROBE_MULTI;

    private final String name;
    private final Fd fd;
    private final int places;

    private UprobeMultiLink(String name, Fd fd, int places) {
        this.name = name;
        this.fd = fd;
        this.places = places;
    }

    /**
     * Attaches {@code program} at the file offsets {@code offsets} of {@code binary} (at entry or, with
     * {@code ret}, at return), in process {@code pid} only when positive.
     */
    public static UprobeMultiLink attach(KernelProgram program, Path binary, long[] offsets, boolean ret, int pid) {
        if (offsets.length == 0) throw new IllegalArgumentException("uprobe_multi on no place of " + binary);
        String what = (ret ? "uretprobe:" : "uprobe:") + binary + " (uprobe_multi on " + offsets.length + " places)";
        int r = LinkCreate.uprobeMulti(program.fd().value(), binary.toString(), offsets, ret, pid);
        if (r < 0) throw new BpfException("BPF_LINK_CREATE", -r, what);
        return new UprobeMultiLink(what, new Fd(r), offsets.length);
    }

    /** How many places the program is attached to. */
    public int places() { return places; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { fd.close(); }
}
