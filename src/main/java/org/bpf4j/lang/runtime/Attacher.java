package org.bpf4j.lang.runtime;

import org.bpf4j.NotSupportedException;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.link.Link;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.prog.KernelProgram;

/**
 * Attaches a loaded probe program to its hook through the kernel layer's links. BEGIN and END are not attached:
 * the session runs them once with BPF_PROG_TEST_RUN.
 */
final class Attacher {
    private Attacher() {}

    /** The link for {@code program} at {@code point}. */
    static Link attach(KernelProgram program, Attach point, int pid) {
        return switch (point) {
            case Attach.Tracepoint tp -> TracepointLink.attach(program, tp.category(), tp.event());
            case Attach.Kprobe k -> throw new NotSupportedException("kprobes", "kernel built without CONFIG_KPROBES ("
                    + point.text() + " cannot be attached on this machine)");
            default -> throw new NotSupportedException(kind(point), "attaching " + point.text()
                    + " needs the kernel layer's " + kind(point) + " links, which this build does not have yet");
        };
    }

    private static String kind(Attach a) {
        return switch (a) {
            case Attach.RawTracepoint r -> "raw tracepoints";
            case Attach.Uprobe u -> "uprobes";
            case Attach.Usdt u -> "USDT probes";
            case Attach.Profile p -> "perf event sampling";
            case Attach.Interval i -> "perf event sampling";
            case Attach.Software s -> "software perf events";
            case Attach.Hardware h -> "hardware perf events";
            case Attach.Fentry f -> "fentry/fexit";
            default -> a.text();
        };
    }
}
