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
    // perf_event_attr (linux/perf_event.h), PERF_ATTR_SIZE_VER7: offsets checked against the UAPI header.
    private static final int ATTR_SIZE = 128, TYPE = 0, SIZE = 4, CONFIG = 8, SAMPLE_PERIOD = 16, SAMPLE_TYPE = 24,
            FLAGS = 40, WAKEUP_EVENTS = 48, CONFIG1 = 56, CONFIG2 = 64;
    // perf_event_attr bit fields in the u64 at FLAGS: disabled is bit 0, freq bit 10.
    private static final long FLAG_DISABLED = 1L, FLAG_FREQ = 1L << 10, PERF_FLAG_FD_CLOEXEC = 8;

    /**
     * The parts of {@code struct perf_event_attr} bpf4j sets. {@code sample} is the sample period, or the
     * frequency in Hz when {@code freq} is set; {@code config1}/{@code config2} carry a PMU's extra
     * configuration (the uprobe PMU takes a path pointer and an offset there).
     */
    public record Attr(int type, long config, long config1, long config2, long sample, boolean freq, long sampleType,
                       int wakeupEvents) {
        /** An event of {@code type}/{@code config} sampled on every occurrence, waking readers on each. */
        public static Attr of(int type, long config) { return new Attr(type, config, 0, 0, 1, false, 0, 1); }

        /** Samples every {@code period} events. */
        public Attr period(long period) {
            if (period <= 0) throw new IllegalArgumentException("sample period must be positive: " + period);
            return new Attr(type, config, config1, config2, period, false, sampleType, wakeupEvents);
        }

        /** Samples {@code hz} times a second (the kernel adjusts the period). */
        public Attr frequency(long hz) {
            if (hz <= 0) throw new IllegalArgumentException("sample frequency must be positive: " + hz);
            return new Attr(type, config, config1, config2, hz, true, sampleType, wakeupEvents);
        }

        /** With PMU-specific {@code config1} and {@code config2}. */
        public Attr extra(long c1, long c2) { return new Attr(type, config, c1, c2, sample, freq, sampleType, wakeupEvents); }

        /** Wakes readers of the event's ring once every {@code events} records instead of on each. */
        public Attr wakeupEvery(int events) {
            if (events <= 0) throw new IllegalArgumentException("wakeup events must be positive: " + events);
            return new Attr(type, config, config1, config2, sample, freq, sampleType, events);
        }

        /** With these {@code PERF_SAMPLE_*} bits. */
        public Attr sampleType(long bits) { return new Attr(type, config, config1, config2, sample, freq, bits, wakeupEvents); }
    }
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
        return open(Attr.of(type, config).sampleType(sampleType), pid, cpu, what);
    }

    /**
     * Opens a disabled event described by {@code a} for {@code pid} (-1: every process) on {@code cpu} (-1: every
     * CPU); {@code what} names it in errors.
     */
    public static PerfEvent open(Attr a, int pid, int cpu, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, TYPE, a.type());
            attr.set(JAVA_INT, SIZE, ATTR_SIZE);
            attr.set(JAVA_LONG, CONFIG, a.config());
            attr.set(JAVA_LONG, CONFIG1, a.config1());
            attr.set(JAVA_LONG, CONFIG2, a.config2());
            attr.set(JAVA_LONG, SAMPLE_PERIOD, a.sample());
            attr.set(JAVA_LONG, SAMPLE_TYPE, a.sampleType());
            attr.set(JAVA_LONG, FLAGS, FLAG_DISABLED | (a.freq() ? FLAG_FREQ : 0));
            attr.set(JAVA_INT, WAKEUP_EVENTS, a.wakeupEvents());
            return new PerfEvent(new Fd(Syscalls.perfEventOpen(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)), what);
        } catch (BpfException e) {
            throw new BpfException(what, e);
        }
    }

    /** The descriptor. */
    public Fd fd() { return fd; }

    /** What this event is, as given when it was opened (used in error messages). */
    public String what() { return what; }

    /** PERF_EVENT_IOC_ENABLE. */
    public void enable() { Syscalls.ioctl(fd.value(), IOC_ENABLE, 0, what + ": PERF_EVENT_IOC_ENABLE"); }

    /** PERF_EVENT_IOC_DISABLE. */
    public void disable() { Syscalls.ioctl(fd.value(), IOC_DISABLE, 0, what + ": PERF_EVENT_IOC_DISABLE"); }

    /** PERF_EVENT_IOC_SET_BPF: runs the program with descriptor {@code progFd} on each event. */
    public void setBpf(int progFd) { Syscalls.ioctl(fd.value(), IOC_SET_BPF, progFd, what + ": PERF_EVENT_IOC_SET_BPF"); }

    @Override
    public void close() { fd.close(); }
}
