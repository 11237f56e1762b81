// The bpf4j side of bench/event_rate_api.py, run as a single-file program against the jar:
//   java --enable-native-access=ALL-UNNAMED -cp target/bpf4j.jar bench/EventRate.java perf|ringbuf PID [N]
// N: for perf, wake the reader every N records per CPU (default 1); for ringbuf, the ring's size in bytes (default
// 64 pages per possible CPU, the perf buffer's memory). A probe on syscalls:sys_enter_getppid sends {u64 nsecs, u32 pid, u32 tid} for process PID through a perf buffer
// or a ring buffer; this consumer prints each as "NSECS PID TID", as bpftrace's printf("%llu %d %d\n", ...) does.
// "attached" goes to stderr once the probe is live; when stdin closes it drains, prints "records N lost M" to stderr
// and exits. Lost: the perf buffer's lost-record count, or the ring buffer's failed bpf_ringbuf_output calls.

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Size;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.perf.PerfBuffer;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Native;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.bpf4j.asm.Reg.*;

public final class EventRate {
    static final int PAGES_PER_CPU = 64; // bpftrace's default perf_rb_pages

    public static void main(String[] args) throws Exception {
        boolean ring = args[0].equals("ringbuf");
        int pid = Integer.parseInt(args[1]);
        int cpus = Cpus.possibleCount();
        long param = args.length > 2 ? Long.parseLong(args[2]) : ring ? PAGES_PER_CPU * cpus * Native.pageSize() : 1;
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        byte[] line = new byte[64];
        long[] records = {0};
        RecordHandler handler = new RecordHandler() {
            @Override public void onRecord(int cpu, MemorySegment data) {
                int n = 0;
                n = put(line, n, data.get(JAVA_LONG_UNALIGNED, 0));
                line[n++] = ' ';
                n = put(line, n, data.get(JAVA_INT_UNALIGNED, 8));
                line[n++] = ' ';
                n = put(line, n, data.get(JAVA_INT_UNALIGNED, 12));
                line[n++] = '\n';
                try {
                    out.write(line, 0, n);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                records[0]++;
            }
            @Override public void onLost(int cpu, long count) {}
        };
        try (KernelMap events = ring ? KernelMap.create(MapSpec.ringBuffer("events", (int) param))
                                     : KernelMap.create(MapSpec.perfEventArray("events"));
             KernelMap fails = KernelMap.create(MapSpec.of("fails", MapType.ARRAY, 4, 8, 1));
             KernelProgram prog = KernelProgram.load(program(pid, ring), Map.of("events", events, "fails", fails))) {
            PerfBuffer perf = ring ? null : PerfBuffer.open(events, PAGES_PER_CPU, handler, (int) param);
            RingBuffer rb = ring ? RingBuffer.open(events, handler) : null;
            try (TracepointLink link = TracepointLink.attach(prog, "syscalls", "sys_enter_getppid")) {
                System.err.println("attached");
                Thread stdin = new Thread(() -> {
                    try {
                        while (System.in.read() >= 0) { /* until EOF */ }
                    } catch (IOException ignored) {
                        // closed
                    }
                });
                stdin.setDaemon(true);
                stdin.start();
                while (stdin.isAlive()) {
                    if ((ring ? rb.poll(100) : perf.poll(100)) == 0) out.flush();
                }
            }
            while ((ring ? rb.drainAll() : perf.drainAll()) > 0) { /* the rest */ }
            out.flush();
            long lost = ring ? java.nio.ByteBuffer.wrap(fails.lookup(new byte[4]).orElseThrow())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong() : perf.lost();
            System.err.println("records " + records[0] + " lost " + lost);
            if (perf != null) perf.close();
            if (rb != null) rb.close();
        }
    }

    /** The probe: for process {@code pid} only, {nsecs, pid, tid} out through the perf buffer or the ring buffer. */
    static ProgramSpec program(int pid, boolean ring) {
        Program.Builder b = Program.builder().mov64(R6, R1)
                .call(Helper.GET_CURRENT_PID_TGID).mov64(R7, R0).alu64(AluOp.RSH, R0, 32)
                .jmp(JmpOp.JNE, R0, pid, "out")
                .stx(Size.W, R10, -8, R0).stx(Size.W, R10, -4, R7)
                .call(Helper.KTIME_GET_NS).stx(Size.DW, R10, -16, R0);
        if (ring) {
            b.loadMapFd(R1, "events").mov64(R2, R10).alu64(AluOp.ADD, R2, -16).mov64(R3, 16).mov64(R4, 0)
                    .call(Helper.RINGBUF_OUTPUT).jmp(JmpOp.JEQ, R0, 0, "out")
                    .st(Size.W, R10, -20, 0).loadMapFd(R1, "fails").mov64(R2, R10).alu64(AluOp.ADD, R2, -20)
                    .call(Helper.MAP_LOOKUP_ELEM).jmp(JmpOp.JEQ, R0, 0, "out")
                    .mov64(R1, 1).atomic(AtomicOp.ADD, Size.DW, R0, 0, R1);
        } else {
            b.mov64(R1, R6).loadMapFd(R2, "events").lddw(R3, 0xffffffffL)
                    .mov64(R4, R10).alu64(AluOp.ADD, R4, -16).mov64(R5, 16)
                    .call(Helper.PERF_EVENT_OUTPUT);
        }
        b.label("out").mov64(R0, 0).exit();
        return new ProgramSpec("bench_getppid", ProgramType.TRACEPOINT, b.build(), "GPL");
    }

    /** Writes the decimal digits of {@code v} (non-negative) at {@code at}; returns the next position. */
    static int put(byte[] buf, int at, long v) {
        if (v == 0) {
            buf[at] = '0';
            return at + 1;
        }
        int start = at;
        while (v > 0) {
            buf[at++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = at - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return at;
    }
}
