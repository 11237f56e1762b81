package org.bpf4j.tools;

import org.bpf4j.asm.Helper;
import org.bpf4j.events.EventChannel;
import org.bpf4j.events.EventOutput;
import org.bpf4j.events.EventStream;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Size;
import org.bpf4j.link.Link;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.sys.Cpus;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.bpf4j.asm.Reg.*;

/**
 * killsnoop: traces every kill(2) on the machine, as BCC's tool. The entry probe
 * ({@code syscalls:sys_enter_kill}) stores {pid, comm, target pid, signal} in a hash map keyed by thread id;
 * the exit probe ({@code syscalls:sys_exit_kill}) looks it up, adds the return value, sends the event through
 * the ring buffer (counting it lost when the ring is full) and deletes the entry. Tracepoints stand in for BCC's kprobes, which this kernel may lack.
 */
public final class Killsnoop implements AutoCloseable {
    /** What to trace: {@code pid} 0 and {@code signal} -1 mean any; {@code failedOnly} keeps failed calls only. */
    public record Options(boolean failedOnly, int pid, int signal) {
        /** Every kill on the machine. */
        public static final Options ALL = new Options(false, 0, -1);
    }

    /** One traced kill(2): the sender, its command name, the signal, the target and the result (-errno on failure). */
    public record Event(int pid, String comm, int sig, int tpid, int ret) {}

    /** The record the probes share with this class: the hash map value and the perf event are this layout. */
    static final StructLayout EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"), JAVA_INT.withName("tpid"), JAVA_INT.withName("sig"), JAVA_INT.withName("ret"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("comm"));
    private static final int PID = off("pid"), TPID = off("tpid"), SIG = off("sig"), RET = off("ret"),
            COMM = off("comm"), EVENT_SIZE = (int) EVENT.byteSize();
    /** Where the probes keep the event on their stack (r10 - EVENT_SIZE - 8) and the u32 thread id key (r10 - 4). */
    private static final int EV = -(EVENT_SIZE + 8), KEY = -4;

    private static int off(String field) { return (int) EVENT.byteOffset(groupElement(field)); }

    /** The channel events go through: the ring buffer, which every kernel bpf4j's tracepoint tools run on has. */
    static final EventChannel CHANNEL = EventChannel.RING_BUFFER;
    private static final long RING_BYTES = 1 << 22, QUEUE_BYTES = 256L << 20;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private EventStream stream;
    private EventStream.EventHandler handler;
    private LongConsumer lostListener;
    private long lostReported;

    private Killsnoop() {}

    /** The entry probe: remembers the call's arguments under the thread id. */
    static ProgramSpec entryProgram(EventFormat enter, Options o) {
        int pidOff = enter.field("pid").orElseThrow().offset(), sigOff = enter.field("sig").orElseThrow().offset();
        Program.Builder b = Program.builder()
                .mov64(R6, R1)
                .call(Helper.GET_CURRENT_PID_TGID)
                .mov64(R7, R0)
                .mov64(R8, R0)
                .alu64(org.bpf4j.asm.AluOp.RSH, R8, 32);                       // r8 = tgid
        if (o.pid() > 0) b.jmp(JmpOp.JNE, R8, o.pid(), "out");
        b.ldx(Size.DW, R2, R6, sigOff);
        if (o.signal() >= 0) b.jmp32(JmpOp.JNE, R2, o.signal(), "out");
        b.ldx(Size.DW, R3, R6, pidOff)
                .stx(Size.W, R10, EV + PID, R8)
                .stx(Size.W, R10, EV + TPID, R3)
                .stx(Size.W, R10, EV + SIG, R2)
                .st(Size.W, R10, EV + RET, 0)
                .mov64(R1, R10).alu64(org.bpf4j.asm.AluOp.ADD, R1, EV + COMM)
                .mov64(R2, 16)
                .call(Helper.GET_CURRENT_COMM)
                .stx(Size.W, R10, KEY, R7)                                      // key: thread id (low 32 bits)
                .loadMapFd(R1, "start")
                .mov64(R2, R10).alu64(org.bpf4j.asm.AluOp.ADD, R2, KEY)
                .mov64(R3, R10).alu64(org.bpf4j.asm.AluOp.ADD, R3, EV)
                .mov64(R4, 0)
                .call(Helper.MAP_UPDATE_ELEM)
                .label("out")
                .mov64(R0, 0)
                .exit();
        return new ProgramSpec("killsnoop_enter", ProgramType.TRACEPOINT, b.build(), "GPL");
    }

    /** The exit probe: completes the event with the result, sends it and forgets the entry. */
    static ProgramSpec exitProgram(EventFormat exit, Options o) {
        int retOff = exit.field("ret").orElseThrow().offset();
        Program.Builder b = Program.builder()
                .mov64(R6, R1)
                .call(Helper.GET_CURRENT_PID_TGID)
                .stx(Size.W, R10, KEY, R0)
                .loadMapFd(R1, "start")
                .mov64(R2, R10).alu64(org.bpf4j.asm.AluOp.ADD, R2, KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jmp(JmpOp.JEQ, R0, 0, "out");
        for (int i = 0; i < EVENT_SIZE; i += 8) b.ldx(Size.DW, R1, R0, i).stx(Size.DW, R10, EV + i, R1);
        b.ldx(Size.DW, R1, R6, retOff)
                .stx(Size.W, R10, EV + RET, R1);
        if (o.failedOnly()) b.jmp(JmpOp.JSGE, R1, 0, "forget");
        EventOutput.emit(b, CHANNEL, R6, R10, EV, EVENT_SIZE, "events", "lost", "forget");
        b.loadMapFd(R1, "start")
                .mov64(R2, R10).alu64(org.bpf4j.asm.AluOp.ADD, R2, KEY)
                .call(Helper.MAP_DELETE_ELEM)
                .label("out")
                .mov64(R0, 0)
                .exit();
        return new ProgramSpec("killsnoop_exit", ProgramType.TRACEPOINT, b.build(), "GPL");
    }

    /** Loads the probes, attaches them and opens the perf buffer; events go to {@code sink} from {@link #poll}. */
    public static Killsnoop start(Options options, Consumer<Event> sink) {
        return start(options, sink, count -> { });
    }

    /**
     * As {@link #start(Options, Consumer)}, and {@code lost} hears how many events could not be sent (the buffers
     * were full) each time {@link #poll} finds more (they are counted in {@link #lost()} either way).
     */
    public static Killsnoop start(Options options, Consumer<Event> sink, LongConsumer lost) {
        Killsnoop k = new Killsnoop();
        try {
            Tracefs tracefs = Tracefs.get();
            EventFormat enter = tracefs.format("syscalls", "sys_enter_kill");
            EventFormat exit = tracefs.format("syscalls", "sys_exit_kill");
            KernelMap start = k.own(KernelMap.create(MapSpec.of("start", MapType.HASH, 4, EVENT_SIZE, 10240)));
            KernelMap events = k.own(KernelMap.create(EventOutput.eventsMap(CHANNEL, "events", RING_BYTES, Cpus.possibleCount())));
            KernelMap lostMap = k.own(KernelMap.create(EventOutput.lossMap("lost")));
            Map<String, KernelMap> maps = Map.of("start", start, "events", events, "lost", lostMap);
            KernelProgram entry = k.own(KernelProgram.load(entryProgram(enter, options), maps));
            KernelProgram exitProg = k.own(KernelProgram.load(exitProgram(exit, options), maps));
            k.stream = k.own(EventStream.start(h -> RingBuffer.open(events, h), EventStream.LossCounter.map(lostMap), QUEUE_BYTES));
            k.handler = (cpu, buf, off, len) -> sink.accept(decode(MemorySegment.ofArray(buf).asSlice(off, len)));
            k.lostListener = lost;
            k.own(TracepointLink.attach(exitProg, "syscalls", "sys_exit_kill"));
            k.own(TracepointLink.attach(entry, "syscalls", "sys_enter_kill"));
            return k;
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
    }

    /** Decodes one record (a ring buffer's, or a copy of one on the heap: any alignment) into an event. */
    static Event decode(MemorySegment data) {
        byte[] comm = data.asSlice(COMM, 16).toArray(JAVA_BYTE);
        int n = 0;
        while (n < comm.length && comm[n] != 0) n++;
        return new Event(data.get(JAVA_INT_UNALIGNED, PID), new String(comm, 0, n, StandardCharsets.UTF_8),
                data.get(JAVA_INT_UNALIGNED, SIG), data.get(JAVA_INT_UNALIGNED, TPID), data.get(JAVA_INT_UNALIGNED, RET));
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Waits up to {@code timeoutMillis} and delivers the events that arrived; returns how many. */
    public int poll(int timeoutMillis) {
        int n = stream.poll(handler, timeoutMillis);
        long lost = stream.lost();
        if (lost > lostReported) {
            lostListener.accept(lost - lostReported);
            lostReported = lost;
        }
        return n;
    }

    /** Events that could not be sent because the ring buffer was full (the reader was too slow), so far. */
    public long lost() { return stream.lost(); }

    /** Detaches the probes first, then closes the buffer, programs and maps; idempotent. */
    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // keep closing the rest: nothing may outlive its owner
            }
        }
        owned.clear();
    }
}
