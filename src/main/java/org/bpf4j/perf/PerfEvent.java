package org.bpf4j.perf;

import org.bpf4j.BpfException;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** One perf event (perf_event_open(2)), owning its descriptor. */
public final class PerfEvent implements AutoCloseable {
    /** perf_event_attr.type values. */
    public static final int TYPE_HARDWARE = 0, TYPE_SOFTWARE = 1, TYPE_TRACEPOINT = 2;
    /** perf_sw_ids values. */
    public static final int SW_CPU_CLOCK = 0, SW_BPF_OUTPUT = 10;
    /** perf_event_sample_format bits. */
    public static final long SAMPLE_RAW = 1L << 10;
    // perf_event_attr (linux/perf_event.h), PERF_ATTR_SIZE_VER7.
    private static final int ATTR_SIZE = 128, TYPE = 0, SIZE = 4, CONFIG = 8, SAMPLE_PERIOD = 16, SAMPLE_TYPE = 24,
            FLAGS = 40, WAKEUP_EVENTS = 48;
    private static final long FLAG_DISABLED = 1L, PERF_FLAG_FD_CLOEXEC = 8;
    // ioctl requests: _IO('$', 0), _IO('$', 1), _IOW('$', 8, __u32).
    static final long IOC_ENABLE = 0x2400, IOC_DISABLE = 0x2401, IOC_SET_BPF = 0x40042408L;

    private final Fd fd;
    private final String what;

    private PerfEvent(Fd fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /**
     * Opens a disabled event of {@code type}/{@code config} that samples every event ({@code sample_period} 1)
     * into raw records and wakes readers on each; {@code what} names it in errors.
     */
    public static PerfEvent open(int type, long config, long sampleType, int pid, int cpu, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, TYPE, type);
            attr.set(JAVA_INT, SIZE, ATTR_SIZE);
            attr.set(JAVA_LONG, CONFIG, config);
            attr.set(JAVA_LONG, SAMPLE_PERIOD, 1);
            attr.set(JAVA_LONG, SAMPLE_TYPE, sampleType);
            attr.set(JAVA_LONG, FLAGS, FLAG_DISABLED);
            attr.set(JAVA_INT, WAKEUP_EVENTS, 1);
            return new PerfEvent(new Fd(Syscalls.perfEventOpen(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)), what);
        } catch (BpfException e) {
            throw new BpfException(what, e);
        }
    }

    /** The descriptor. */
    public Fd fd() { return fd; }

    /** PERF_EVENT_IOC_ENABLE. */
    public void enable() { Syscalls.ioctl(fd.value(), IOC_ENABLE, 0, what + ": PERF_EVENT_IOC_ENABLE"); }

    /** PERF_EVENT_IOC_DISABLE. */
    public void disable() { Syscalls.ioctl(fd.value(), IOC_DISABLE, 0, what + ": PERF_EVENT_IOC_DISABLE"); }

    /** PERF_EVENT_IOC_SET_BPF: runs the program with descriptor {@code progFd} on each event. */
    public void setBpf(int progFd) { Syscalls.ioctl(fd.value(), IOC_SET_BPF, progFd, what + ": PERF_EVENT_IOC_SET_BPF"); }

    @Override
    public void close() { fd.close(); }
}
