package org.bpf4j.ringbuf;

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
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/** The ring buffer reader against records the kernel writes: from BPF_PROG_TEST_RUN and from a tracepoint. */
@Tag("kernel")
class RingBufferTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    /**
     * A ring buffer map "rb", a counter map "fails", a record source "src" (one 1024-byte value whose byte i is
     * i & 0x7f) and a program built by {@code body}, all closed together.
     */
    record Setup(KernelMap rb, KernelMap fails, KernelMap src, KernelProgram program) implements AutoCloseable {
        static Setup of(int ringSize, ProgramType type, Consumer<Program.Builder> body) {
            KernelMap rb = KernelMap.create(MapSpec.of("rb", MapType.RINGBUF, 0, 0, ringSize));
            KernelMap fails = KernelMap.create(MapSpec.of("fails", MapType.ARRAY, 4, 8, 1));
            KernelMap src = KernelMap.create(MapSpec.of("src", MapType.ARRAY, 4, 1024, 1));
            byte[] pattern = new byte[1024];
            for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) (i & 0x7f);
            src.put(new byte[4], pattern);
            Program.Builder b = Program.builder().mov64(R6, R1);
            body.accept(b);
            b.mov64(R0, 0).exit();
            try {
                return new Setup(rb, fails, src, KernelProgram.load(new ProgramSpec("t_rb", type, b.build(), "GPL"),
                        Map.of("rb", rb, "fails", fails, "src", src)));
            } catch (RuntimeException e) {
                rb.close();
                fails.close();
                src.close();
                throw e;
            }
        }

        long failures() {
            return java.nio.ByteBuffer.wrap(fails.lookup(new byte[4]).orElseThrow()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }

        void run(int times) {
            for (int i = 0; i < times; i++) program.testRun(new byte[64], null, 1, 0);
        }

        @Override
        public void close() {
            program.close();
            rb.close();
            fails.close();
            src.close();
        }
    }

    /**
     * Emits: the first {@code size} bytes of "src" with the time in the first u64, out through bpf_ringbuf_output;
     * a failed output counted in "fails".
     */
    static Consumer<Program.Builder> output(int size) {
        return b -> {
            b.st(Size.W, R10, -4, 0).loadMapFd(R1, "src").mov64(R2, R10).alu64(AluOp.ADD, R2, -4)
                    .call(Helper.MAP_LOOKUP_ELEM).jmp(JmpOp.JEQ, R0, 0, "ok").mov64(R7, R0)
                    .call(Helper.KTIME_GET_NS).stx(Size.DW, R7, 0, R0)
                    .loadMapFd(R1, "rb").mov64(R2, R7).mov64(R3, size).mov64(R4, 0)
                    .call(Helper.RINGBUF_OUTPUT)
                    .jmp(JmpOp.JEQ, R0, 0, "ok");
            countFailure(b);
            b.label("ok");
        };
    }

    static void countFailure(Program.Builder b) {
        b.st(Size.W, R10, -4, 0).loadMapFd(R1, "fails").mov64(R2, R10).alu64(AluOp.ADD, R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM).jmp(JmpOp.JEQ, R0, 0, "nofail")
                .mov64(R1, 1).atomic(AtomicOp.ADD, Size.DW, R0, 0, R1).label("nofail");
    }

    static final class Collect implements RecordHandler {
        final List<byte[]> records = new ArrayList<>();
        @Override public void onRecord(int cpu, MemorySegment data) {
            assertEquals(-1, cpu);
            records.add(data.toArray(JAVA_BYTE));
        }
        @Override public void onLost(int cpu, long count) { fail("a ring buffer reports no losses"); }
    }

    static void assertRecord(byte[] r, int size) {
        assertEquals(size, r.length);
        for (int i = 8; i < size; i++) assertEquals((byte) (i & 0x7f), r[i], "byte " + i);
    }

    @Test
    void everyTestRunOutputArrivesInOrder() {
        try (Setup s = Setup.of(1 << 16, ProgramType.SOCKET_FILTER, output(48))) {
            Collect c = new Collect();
            try (RingBuffer rb = RingBuffer.open(s.rb, c)) {
                s.run(500);
                assertEquals(500 * 56, rb.pending(), "500 records of 48 bytes and an 8-byte header");
                assertEquals(500, rb.poll(1000));
                assertEquals(0, rb.pending());
                assertEquals(0, rb.lost());
            }
            assertEquals(500, c.records.size());
            long last = 0;
            for (byte[] r : c.records) {
                assertRecord(r, 48);
                long t = MemorySegment.ofArray(r).get(JAVA_LONG_UNALIGNED, 0);
                assertTrue(t >= last, "records in production order");
                last = t;
            }
            assertEquals(0, s.failures());
        }
    }

    @Test
    void recordsThatWrapAroundTheEndReadWhole() {
        // 4096-byte ring, 1000-byte records (1008 with the header): the fifth starts at 4032 and wraps
        try (Setup s = Setup.of(4096, ProgramType.SOCKET_FILTER, output(1000))) {
            Collect c = new Collect();
            try (RingBuffer rb = RingBuffer.open(s.rb, c)) {
                for (int round = 0; round < 10; round++) {
                    s.run(3);
                    assertEquals(3, rb.drainAll());
                }
            }
            assertEquals(30, c.records.size());
            c.records.forEach(r -> assertRecord(r, 1000));
            assertEquals(0, s.failures());
        }
    }

    @Test
    void aFullRingFailsTheProducerAndKeepsWhatFit() {
        try (Setup s = Setup.of(4096, ProgramType.SOCKET_FILTER, output(1000))) {
            Collect c = new Collect();
            try (RingBuffer rb = RingBuffer.open(s.rb, c)) {
                s.run(10);
                assertEquals(4, rb.drainAll(), "four 1008-byte records fit in 4096 bytes");
            }
            assertEquals(6, s.failures(), "the other six bpf_ringbuf_output calls failed");
        }
    }

    @Test
    void reserveSubmitAndDiscard() {
        // reserve two 16-byte records; submit the first (value 7), discard the second (value 9)
        try (Setup s = Setup.of(4096, ProgramType.SOCKET_FILTER, b -> b
                .loadMapFd(R1, "rb").mov64(R2, 16).mov64(R3, 0).call(Helper.RINGBUF_RESERVE)
                .jmp(JmpOp.JEQ, R0, 0, "end").mov64(R7, R0)
                .st(Size.DW, R7, 0, 7).st(Size.DW, R7, 8, 7)
                .loadMapFd(R1, "rb").mov64(R2, 16).mov64(R3, 0).call(Helper.RINGBUF_RESERVE)
                .jmp(JmpOp.JNE, R0, 0, "second")
                .mov64(R1, R7).mov64(R2, 0).call(Helper.RINGBUF_SUBMIT).ja("end")
                .label("second").mov64(R8, R0)
                .st(Size.DW, R8, 0, 9).st(Size.DW, R8, 8, 9)
                .mov64(R1, R8).mov64(R2, 0).call(Helper.RINGBUF_DISCARD)
                .mov64(R1, R7).mov64(R2, 0).call(Helper.RINGBUF_SUBMIT)
                .label("end"))) {
            Collect c = new Collect();
            try (RingBuffer rb = RingBuffer.open(s.rb, c)) {
                s.run(3);
                assertEquals(3, rb.drainAll());
                assertEquals(0, rb.pending(), "discarded records are consumed too");
            }
            for (byte[] r : c.records) assertEquals(7, MemorySegment.ofArray(r).get(JAVA_LONG_UNALIGNED, 0));
        }
    }

    @Test
    void aTracepointProducerWakesTheReader() {
        int tid = Native.gettid();
        try (Setup s = Setup.of(1 << 16, ProgramType.TRACEPOINT, b -> {
                b.call(Helper.GET_CURRENT_PID_TGID).jmp32(JmpOp.JNE, R0, tid, "skip");
                output(16).accept(b);
                b.label("skip");
             })) {
            Collect c = new Collect();
            try (RingBuffer rb = RingBuffer.open(s.rb, c);
                 TracepointLink l = TracepointLink.attach(s.program, "syscalls", "sys_enter_getppid")) {
                for (int i = 0; i < 100; i++) Native.getppid();
                int got = 0;
                for (int i = 0; i < 20 && got < 100; i++) got += rb.poll(100);
                assertEquals(100, got);
            }
        }
    }

    @Test
    void onlyRingBufferMapsAreAccepted() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_arr", MapType.ARRAY, 4, 4, 1))) {
            assertThrows(IllegalArgumentException.class, () -> RingBuffer.open(m, new Collect()));
        }
    }
}
