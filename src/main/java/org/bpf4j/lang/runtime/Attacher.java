package org.bpf4j.lang.runtime;

import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.link.KprobeLink;
import org.bpf4j.link.Link;
import org.bpf4j.link.PerfEventLink;
import org.bpf4j.link.RawTracepointLink;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.link.UprobeLink;
import org.bpf4j.link.UprobeMultiLink;
import org.bpf4j.perf.HardwareEvent;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.perf.SoftwareEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Cpus;

import java.nio.file.Path;
import java.util.BitSet;

/**
 * Attaches a loaded probe program to its hook through the kernel layer's links. BEGIN and END are not attached
 * (the session runs them once with BPF_PROG_TEST_RUN); fentry/fexit and USDT programs are loaded and attached by
 * their links, see {@link Session}.
 */
final class Attacher {
    private Attacher() {}

    /** The link for {@code program} at {@code point}; {@code pid} -1 for every process. */
    static Link attach(KernelProgram program, Attach point, int pid) {
        return switch (point) {
            case Attach.Tracepoint tp -> TracepointLink.attach(program, tp.category(), tp.event());
            case Attach.RawTracepoint rt -> RawTracepointLink.attach(program, rt.event());
            case Attach.Interval i -> PerfEventLink.attach(program,
                    PerfEvent.Attr.of(PerfEvent.TYPE_SOFTWARE, SoftwareEvent.CPU_CLOCK.config()).period(nanos(i.unit(), i.value())),
                    -1, first(), point.text());
            case Attach.Profile p -> p.unit().equals("hz") ? PerfEventLink.profile(program, p.value())
                    : PerfEventLink.attach(program, PerfEvent.Attr.of(PerfEvent.TYPE_SOFTWARE, SoftwareEvent.CPU_CLOCK.config())
                            .period(nanos(p.unit(), p.value())), -1, Cpus.online(), point.text());
            case Attach.Software s -> PerfEventLink.software(program, SoftwareEvent.byName(s.event()).orElseThrow(() ->
                    new UserException("unknown software event '" + s.event() + "'")), s.count() > 0 ? s.count() : 1000, pid);
            case Attach.Hardware h -> PerfEventLink.hardware(program, HardwareEvent.byName(h.event()).orElseThrow(() ->
                    new UserException("unknown hardware event '" + h.event() + "'")), h.count() > 0 ? h.count() : 1_000_000, pid);
            case Attach.Uprobe u -> uprobe(program, u, pid);
            case Attach.Kprobe k -> KprobeLink.attach(program, k.function(), k.offset(), k.ret());
            default -> throw new NotSupportedException(point.text(), "this probe type is attached elsewhere");
        };
    }

    private static Link uprobe(KernelProgram program, Attach.Uprobe u, int pid) {
        Path file = UprobeLink.resolveBinary(u.binary(), pid);
        return UprobeLink.attach(program, file, fileOffset(u, file), u.ret(), pid);
    }

    /**
     * One uprobe_multi link of {@code program} (loaded with {@link UprobeMultiLink#ATTACH_TYPE}) on the places of
     * {@code points}, which are in one binary and all entries or all returns.
     */
    static Link uprobeMulti(KernelProgram program, java.util.List<Attach.Uprobe> points, int pid) {
        Attach.Uprobe first = points.getFirst();
        Path file = UprobeLink.resolveBinary(first.binary(), pid);
        long[] offsets = new long[points.size()];
        for (int i = 0; i < offsets.length; i++) offsets[i] = fileOffset(points.get(i), file);
        return UprobeMultiLink.attach(program, file, offsets, first.ret(), pid);
    }

    /** The file offset of the place {@code u} names in {@code file} (a symbol and offset, or an address). */
    private static long fileOffset(Attach.Uprobe u, Path file) {
        long offset;
        try (ElfFile elf = ElfFile.open(file)) {
            if (u.symbol().isEmpty()) {
                UserException unresolved = new UserException("Could not resolve address: " + u.binary() + ":0x" + Long.toHexString(u.offset()));
                if (elf.functionContaining(u.offset()).isEmpty()) throw unresolved;
                try {
                    offset = elf.fileOffset(u.offset());
                } catch (RuntimeException e) {
                    throw unresolved;
                }
            } else {
                ElfFile.Symbol s = elf.symbol(u.symbol()).orElseThrow(() ->
                        new UserException("uprobe: no symbol " + u.symbol() + " in " + file));
                offset = elf.fileOffset(s.value() + u.offset());
            }
        }
        return offset;
    }

    private static BitSet first() {
        BitSet b = new BitSet();
        b.set(Cpus.online().nextSetBit(0));
        return b;
    }

    /** The period of {@code value} in {@code unit} (s, ms, us, hz), in nanoseconds. */
    static long nanos(String unit, long value) {
        return switch (unit) {
            case "s" -> value * 1_000_000_000L;
            case "ms" -> value * 1_000_000L;
            case "us" -> value * 1_000L;
            case "ns" -> value;
            case "hz" -> 1_000_000_000L / value;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
