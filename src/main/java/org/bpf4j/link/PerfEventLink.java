package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.perf.HardwareEvent;
import org.bpf4j.perf.PerfEvent;
import org.bpf4j.perf.SoftwareEvent;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Errno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A perf-event program ({@code BPF_PROG_TYPE_PERF_EVENT}, context {@code struct bpf_perf_event_data}) run on
 * samples of a perf event: a profile timer at N Hz, every N software events (page faults, context switches...) or
 * hardware events. Machine-wide it is one event per CPU; for one thread or process, one event that follows it.
 */
public final class PerfEventLink implements Link {
    private final String name;
    private final List<PerfAttachment> attachments;

    private PerfEventLink(String name, List<PerfAttachment> attachments) {
        this.name = name;
        this.attachments = attachments;
    }

    /** Runs {@code program} {@code hz} times a second on every online CPU (cpu-clock), as bpftrace's {@code profile:hz:N}. */
    public static PerfEventLink profile(KernelProgram program, long hz) {
        return attach(program, PerfEvent.Attr.of(PerfEvent.TYPE_SOFTWARE, SoftwareEvent.CPU_CLOCK.config()).frequency(hz),
                -1, Cpus.online(), "profile:hz:" + hz);
    }

    /**
     * Runs {@code program} once every {@code period} occurrences of a software event, machine-wide
     * ({@code pid} -1, on every online CPU) or for one thread ({@code pid} is then a thread id).
     */
    public static PerfEventLink software(KernelProgram program, SoftwareEvent event, long period, int pid) {
        return attach(program, PerfEvent.Attr.of(PerfEvent.TYPE_SOFTWARE, event.config()).period(period), pid,
                Cpus.online(), "software:" + event.eventName() + ":" + period);
    }

    /** Runs {@code program} once every {@code period} occurrences of a hardware event (needs a CPU PMU). */
    public static PerfEventLink hardware(KernelProgram program, HardwareEvent event, long period, int pid) {
        if (!Files.isDirectory(Path.of("/sys/bus/event_source/devices/cpu")))
            throw new NotSupportedException("hardware perf events", "no CPU PMU (/sys/bus/event_source/devices/cpu "
                    + "is missing: a virtual machine without a virtual PMU?)");
        return attach(program, PerfEvent.Attr.of(PerfEvent.TYPE_HARDWARE, event.config()).period(period), pid,
                Cpus.online(), "hardware:" + event.eventName() + ":" + period);
    }

    /**
     * Attaches {@code program} to events described by {@code attr} (which must sample: a period or a frequency).
     * With {@code pid} -1 there is one event on each CPU in {@code cpus}; otherwise one event for thread {@code pid}
     * on whichever CPU it runs. {@code name} describes the link.
     */
    public static PerfEventLink attach(KernelProgram program, PerfEvent.Attr attr, int pid, BitSet cpus, String name) {
        if (program.type() != ProgramType.PERF_EVENT)
            throw new IllegalArgumentException("program " + program.name() + " is a " + program.type().bpftoolName()
                    + " program; " + name + " needs a perf_event program");
        List<PerfAttachment> out = new ArrayList<>();
        try {
            if (pid >= 0) {
                out.add(PerfAttachment.attach(program, open(attr, pid, -1, name)));
            } else {
                for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1))
                    out.add(PerfAttachment.attach(program, open(attr, -1, cpu, name + " on CPU " + cpu)));
            }
            return new PerfEventLink(name, out);
        } catch (RuntimeException e) {
            out.forEach(PerfAttachment::close);
            throw e;
        }
    }

    private static PerfEvent open(PerfEvent.Attr attr, int pid, int cpu, String what) {
        try {
            return PerfEvent.open(attr, pid, cpu, what);
        } catch (BpfException e) {
            if (e.errno() == Errno.ESRCH) throw new org.bpf4j.UserException(what + ": no thread or process " + pid, e);
            throw e;
        }
    }

    /** How many perf events (one per CPU, or one per followed thread) the program is attached to. */
    public int events() { return attachments.size(); }

    @Override
    public String describe() { return name; }

    @Override
    public void close() { attachments.forEach(PerfAttachment::close); }
}
