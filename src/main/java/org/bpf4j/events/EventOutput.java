package org.bpf4j.events;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;

/**
 * The BPF side of {@link EventStream}: the instructions that send an event through an {@link EventChannel} and count
 * it lost when the channel refuses it (a full ring buffer or perf ring), as bpftrace counts failed outputs in its
 * program, so that no loss goes unreported: the perf buffer's own lost records arrive only once a later record fits,
 * and a ring buffer has none. Used by the tracing language's code generator and by the tools written in the DSL.
 */
public final class EventOutput {
    /** A ring buffer's default size: measured to absorb a tight loop's burst while the reader catches up (bench/event_rate.py). */
    public static final long DEFAULT_RING_BYTES = 16L << 20;
    /** Pages per CPU of a perf buffer by default, as bpftrace's perf_rb_pages. */
    public static final int DEFAULT_PERF_PAGES = 64;

    private EventOutput() {}

    /** The events map: a ring buffer of {@code ringBytes} (a power of two), or a perf event array of {@code cpus} slots. */
    public static MapSpec eventsMap(EventChannel channel, String name, long ringBytes, int cpus) {
        return switch (channel) {
            case RING_BUFFER -> MapSpec.of(name, MapType.RINGBUF, 0, 0, (int) ringBytes);
            case PERF_BUFFER -> MapSpec.of(name, MapType.PERF_EVENT_ARRAY, 4, 4, cpus);
        };
    }

    /** The loss counter: one u64 the programs add to, read by {@link EventStream.LossCounter#map}. */
    public static MapSpec lossMap(String name) {
        return MapSpec.of(name, MapType.ARRAY, 4, 8, 1);
    }

    /**
     * Sends {@code size} bytes at {@code base + off} through map {@code events}; when the kernel refuses them, adds 1
     * to map {@code lost}. {@code ctx} holds the program's context (the perf buffer needs it); {@code done} is a
     * label name not used elsewhere in the program. Clobbers r0-r5.
     */
    public static void emit(Program.Builder b, EventChannel channel, Reg ctx, Reg base, int off, int size,
                            String events, String lost, String done) {
        switch (channel) {
            case RING_BUFFER -> {
                if (base != Reg.R2) b.mov64(Reg.R2, base);
                if (off != 0) b.alu64(AluOp.ADD, Reg.R2, off);
                b.loadMapFd(Reg.R1, events);
                b.mov64(Reg.R3, size);
                b.mov64(Reg.R4, 0); // the kernel wakes the reader when it has caught up, not for every record
                b.call(Helper.RINGBUF_OUTPUT);
            }
            case PERF_BUFFER -> {
                if (base != Reg.R4) b.mov64(Reg.R4, base);
                if (off != 0) b.alu64(AluOp.ADD, Reg.R4, off);
                if (ctx != Reg.R1) b.mov64(Reg.R1, ctx);
                b.loadMapFd(Reg.R2, events);
                b.mov32(Reg.R3, -1); // BPF_F_CURRENT_CPU
                b.mov64(Reg.R5, size);
                b.call(Helper.PERF_EVENT_OUTPUT);
            }
        }
        b.jmp(JmpOp.JEQ, Reg.R0, 0, done);
        b.loadMapValue(Reg.R1, lost, 0);
        b.mov64(Reg.R2, 1);
        b.atomic(AtomicOp.ADD, Size.DW, Reg.R1, 0, Reg.R2);
        b.label(done);
    }
}
