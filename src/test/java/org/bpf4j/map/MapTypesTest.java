package org.bpf4j.map;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Size;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.perf.PerfBuffer;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.UserSymbols;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bpf4j.asm.Reg.*;
import static org.bpf4j.map.Bpf.*;
import static org.junit.jupiter.api.Assertions.*;

/** Every map type the tracing tools use, created in the kernel and exercised from user space and from BPF. */
@Tag("kernel")
class MapTypesTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    static final int CPUS = Cpus.possibleCount();

    /** Emits: r0 = lookup(map, &u32 key), jumping to "out" when null. */
    static void lookup(org.bpf4j.asm.Program.Builder b, String map, int key) {
        b.st(Size.W, R10, -4, key).loadMapFd(R1, map).mov64(R2, R10).alu64(AluOp.ADD, R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM).jmp(JmpOp.JEQ, R0, 0, "out");
    }

    @Test
    void hashAndArrayThroughTypedViews() {
        try (KernelMap h = KernelMap.create(MapSpec.of("t_hash", MapType.HASH, 16, 8, 64));
             KernelMap a = KernelMap.create(MapSpec.of("t_array", MapType.ARRAY, 4, 8, 4))) {
            TypedMap<String, Long> counts = TypedMap.of(h, ByteCodec.string(16), ByteCodec.int64());
            counts.put("bash", 3L);
            counts.put("java", 5L);
            assertEquals(Map.of("bash", 3L, "java", 5L), counts.entries());
            assertEquals(5L, counts.get("java").orElseThrow());
            assertEquals(3L, counts.remove("bash").orElseThrow());
            assertEquals(List.of("java"), counts.keys());
            TypedMap<Integer, Long> arr = TypedMap.of(a, ByteCodec.int32(), ByteCodec.int64());
            arr.put(2, 99L);
            assertEquals(List.of(0, 1, 2, 3), arr.keys(), "an array has every index");
            assertEquals(99L, arr.get(2).orElseThrow());
            assertTrue(arr.get(4).isEmpty());
        }
    }

    @Test
    void percpuArrayKeepsOneCounterPerCpu() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_pcpu_arr", MapType.PERCPU_ARRAY, 4, 4, 1));
             KernelProgram p = socketFilter(Map.of("m", m), b -> {
                 lookup(b, "m", 0);
                 b.ldx(Size.W, R1, R0, 0).alu64(AluOp.ADD, R1, 1).stx(Size.W, R0, 0, R1).label("out");
             })) {
            assertEquals(8 * CPUS, m.valueBytes(), "a 4-byte value takes an 8-byte slot per possible CPU");
            run(p, 50);
            List<Integer> perCpu = TypedMap.of(m, ByteCodec.int32(), ByteCodec.int32()).getPerCpu(0).orElseThrow();
            assertEquals(CPUS, perCpu.size());
            assertEquals(50, perCpu.stream().mapToInt(Integer::intValue).sum(), perCpu.toString());
        }
    }

    @Test
    void percpuHashTakesAndGivesOneValuePerCpu() {
        try (KernelMap m = KernelMap.create(MapSpec.of("t_pcpu_hash", MapType.PERCPU_HASH, 4, 4, 8))) {
            TypedMap<Integer, Integer> t = TypedMap.of(m, ByteCodec.int32(), ByteCodec.int32());
            List<Integer> values = new ArrayList<>();
            for (int c = 0; c < CPUS; c++) values.add(10 * c + 1);
            t.putPerCpu(7, values);
            assertEquals(values, t.getPerCpu(7).orElseThrow());
            assertEquals(Map.of(7, values), t.entriesPerCpu());
            assertThrows(IllegalStateException.class, () -> t.get(7), "a single value of a per-CPU map is ambiguous");
        }
    }

    @Test
    void lruHashEvictsTheLeastRecentlyUsed() {
        for (MapType type : new MapType[] {MapType.LRU_HASH, MapType.LRU_PERCPU_HASH}) {
            try (KernelMap m = KernelMap.create(MapSpec.of("t_lru", type, 4, 8, 16))) {
                byte[] value = new byte[m.valueBytes()];
                for (int k = 0; k < 200; k++) m.put(u32(k), value);
                int n = 0;
                for (byte[] ignored : m.keys()) n++;
                assertTrue(n > 0 && n <= 16, type + ": " + n + " entries in a 16-entry LRU map");
                assertTrue(m.lookup(u32(199)).isPresent(), type + ": the last key is kept");
                assertTrue(m.lookup(u32(0)).isEmpty(), type + ": the first key was evicted");
            }
        }
    }

    @Test
    void perfEventArrayCarriesRecordsFromATracepoint() {
        int tid = Native.gettid();
        try (KernelMap events = KernelMap.create(MapSpec.perfEventArray("t_events"));
             KernelProgram p = Bpf.load(ProgramType.TRACEPOINT, Map.of("events", events), b -> b
                     .call(Helper.GET_CURRENT_PID_TGID).jmp32(JmpOp.JNE, R0, tid, "out")
                     .stx(Size.DW, R10, -8, R0)
                     .mov64(R1, R6).loadMapFd(R2, "events").lddw(R3, 0xffffffffL)
                     .mov64(R4, R10).alu64(AluOp.ADD, R4, -8).mov64(R5, 8)
                     .call(Helper.PERF_EVENT_OUTPUT).label("out"))) {
            assertEquals(CPUS, events.spec().maxEntries());
            List<Long> got = new ArrayList<>();
            try (PerfBuffer buf = PerfBuffer.open(events, 8, new RecordHandler() {
                    @Override public void onRecord(int cpu, MemorySegment data) { got.add(data.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0)); }
                    @Override public void onLost(int cpu, long count) { fail("lost " + count); }
                 });
                 TracepointLink l = TracepointLink.attach(p, "syscalls", "sys_enter_getppid")) {
                for (int i = 0; i < 10; i++) Native.getppid();
                for (int i = 0; i < 20 && got.size() < 10; i++) buf.poll(50);
            }
            assertEquals(10, got.size());
            for (long pidTgid : got) assertEquals(tid, (int) pidTgid, "the thread id in the low half");
        }
    }

    @Test
    void ringBufferSpecIsAPowerOfTwoOfPages() {
        try (KernelMap rb = KernelMap.create(MapSpec.ringBuffer("t_rb", 1 << 16))) {
            assertEquals(MapType.RINGBUF, rb.info().type());
            assertEquals(1 << 16, rb.info().maxEntries());
        }
        assertThrows(IllegalArgumentException.class, () -> MapSpec.ringBuffer("t_rb", 5000));
    }

    /**
     * Whether a syscall tracepoint's program has kernel registers: since 6.11 ("bpf: Use fake pt_regs when doing bpf
     * syscall tracepoint tracing") it has the tracepoint's own; before, the registers the system call was entered
     * with, which are user mode, so bpf_get_stackid finds no kernel frames and answers -EFAULT (6.1 in the matrix).
     */
    private static boolean syscallTracepointsHaveKernelRegisters() {
        String[] v = System.getProperty("os.version").split("[.\\-+]");
        int major = Integer.parseInt(v[0]), minor = Integer.parseInt(v[1]);
        return major > 6 || major == 6 && minor >= 11;
    }

    /** Kernel and user stacks of a syscall tracepoint, each as the running kernel gives them. */
    @Test
    void stackTraceMapHoldsKernelAndUserStacks() {
        int tid = Native.gettid();
        // One map per kind of stack: in a shared map of 64 buckets the two stacks' hashes would collide one run in
        // 64, and bpf_get_stackid answers -EEXIST for the second.
        try (KernelMap kstacks = KernelMap.create(MapSpec.stackTrace("t_kstacks", MapSpec.MAX_STACK_DEPTH, 64));
             KernelMap ustacks = KernelMap.create(MapSpec.stackTrace("t_ustacks", MapSpec.MAX_STACK_DEPTH, 64));
             KernelMap ids = KernelMap.create(MapSpec.of("t_ids", MapType.ARRAY, 4, 8, 2));
             KernelProgram p = Bpf.load(ProgramType.TRACEPOINT, Map.of("kstacks", kstacks, "ustacks", ustacks, "ids", ids), b -> {
                 b.call(Helper.GET_CURRENT_PID_TGID).jmp32(JmpOp.JNE, R0, tid, "out");
                 for (int slot = 0; slot < 2; slot++) {
                     b.mov64(R1, R6).loadMapFd(R2, slot == 0 ? "kstacks" : "ustacks").mov64(R3, slot == 0 ? 0 : 1 << 8) // BPF_F_USER_STACK
                             .call(Helper.GET_STACKID).mov64(R7, R0);
                     lookup(b, "ids", slot);
                     b.stx(Size.DW, R0, 0, R7);
                 }
                 b.label("out");
             });
             TracepointLink l = TracepointLink.attach(p, "syscalls", "sys_enter_getppid")) {
            Native.getppid();
            TypedMap<Integer, Long> idMap = TypedMap.of(ids, ByteCodec.int32(), ByteCodec.int64());
            TypedMap<Integer, long[]> ktraces = TypedMap.of(kstacks, ByteCodec.int32(), ByteCodec.int64Array(MapSpec.MAX_STACK_DEPTH));
            TypedMap<Integer, long[]> utraces = TypedMap.of(ustacks, ByteCodec.int32(), ByteCodec.int64Array(MapSpec.MAX_STACK_DEPTH));
            long kernelId = idMap.get(0).orElseThrow(), userId = idMap.get(1).orElseThrow();
            assertTrue(userId >= 0, "user stack id " + userId);
            if (syscallTracepointsHaveKernelRegisters()) {
                assertTrue(kernelId >= 0, "kernel stack id " + kernelId);
                List<String> kernelFrames = new ArrayList<>();
                for (long ip : ktraces.get((int) kernelId).orElseThrow())
                    if (ip != 0) kernelFrames.add(Kallsyms.get().containing(ip).orElse("?"));
                assertTrue(kernelFrames.stream().anyMatch(f -> f.contains("syscall")), kernelFrames.toString());
            } else {
                // the program has the caller's user registers: no kernel frames to walk, and an empty stack is -EFAULT
                assertEquals(-14, kernelId, "kernel stack id before 6.11");
                assertTrue(ktraces.keys().isEmpty(), "no kernel stack stored");
            }
            long top = utraces.get((int) userId).orElseThrow()[0];
            try (UserSymbols symbols = UserSymbols.of(Native.getpid())) {
                UserSymbols.Resolved frame = symbols.resolve(top).orElseThrow();
                assertEquals("getppid", frame.function(), "the user stack starts in libc's getppid: " + frame);
                assertTrue(frame.file().getFileName().toString().startsWith("libc"), frame.file().toString());
            }
        }
    }

    @Test
    void progArrayTailCalls() {
        try (KernelMap jumps = KernelMap.create(MapSpec.progArray("t_jumps", 4));
             KernelProgram target = KernelProgram.load(new org.bpf4j.prog.ProgramSpec("t_target", ProgramType.SOCKET_FILTER,
                     org.bpf4j.asm.Program.builder().mov64(R0, 42).exit().build(), "GPL"), Map.of());
             KernelProgram caller = KernelProgram.load(new org.bpf4j.prog.ProgramSpec("t_caller", ProgramType.SOCKET_FILTER,
                     org.bpf4j.asm.Program.builder().loadMapFd(R2, "jumps").mov64(R3, 1).call(Helper.TAIL_CALL)
                             .mov64(R0, 7).exit().build(), "GPL"), Map.of("jumps", jumps))) {
            assertEquals(7, run(caller, 1), "an empty slot falls through");
            jumps.putFd(u32(1), target.fd());
            assertEquals(42, run(caller, 1), "the tail call runs the target");
            assertEquals(target.info().id(), u32(jumps.lookup(u32(1)).orElseThrow()), "user space reads a program id");
            assertTrue(jumps.delete(u32(1)));
            assertEquals(7, run(caller, 1));
        }
    }

    @Test
    void arrayAndHashOfMaps() {
        MapSpec innerSpec = MapSpec.of("t_inner", MapType.ARRAY, 4, 8, 1);
        for (MapSpec outerSpec : new MapSpec[] {MapSpec.arrayOfMaps("t_outer", 4, innerSpec),
                MapSpec.hashOfMaps("t_outer", 4, 4, innerSpec)}) {
            try (KernelMap outer = KernelMap.create(outerSpec);
                 KernelMap inner = KernelMap.create(innerSpec);
                 KernelProgram p = socketFilter(Map.of("outer", outer), b -> {
                     lookup(b, "outer", 3);
                     b.mov64(R1, R0).st(Size.W, R10, -8, 0).mov64(R2, R10).alu64(AluOp.ADD, R2, -8)
                             .call(Helper.MAP_LOOKUP_ELEM).jmp(JmpOp.JEQ, R0, 0, "out")
                             .st(Size.DW, R0, 0, 42).label("out");
                 })) {
                outer.putFd(u32(3), inner.fd());
                assertEquals(inner.id(), u32(outer.lookup(u32(3)).orElseThrow()), outerSpec.type() + ": user space reads the map id");
                run(p, 1);
                assertEquals(42, u64(inner.lookup(u32(0)).orElseThrow()), outerSpec.type() + ": BPF wrote through the outer map");
            }
        }
    }

    @Test
    void queueIsFifoAndStackIsLifoFromUserSpaceAndBpf() {
        try (KernelMap q = KernelMap.create(MapSpec.queue("t_queue", 8, 8));
             KernelMap s = KernelMap.create(MapSpec.stack("t_stack", 8, 8));
             KernelProgram p = socketFilter(Map.of("q", q), b -> b
                     .st(Size.DW, R10, -8, 100).loadMapFd(R1, "q").mov64(R2, R10).alu64(AluOp.ADD, R2, -8).mov64(R3, 0)
                     .call(Helper.MAP_PUSH_ELEM))) {
            TypedMap<Void, Long> queue = TypedMap.values(q, ByteCodec.int64()), stack = TypedMap.values(s, ByteCodec.int64());
            for (long v = 1; v <= 3; v++) {
                queue.push(v);
                stack.push(v);
            }
            run(p, 1);
            assertEquals(1L, queue.peek().orElseThrow());
            List<Long> fromQueue = new ArrayList<>(), fromStack = new ArrayList<>();
            for (var v = queue.pop(); v.isPresent(); v = queue.pop()) fromQueue.add(v.get());
            for (var v = stack.pop(); v.isPresent(); v = stack.pop()) fromStack.add(v.get());
            assertEquals(List.of(1L, 2L, 3L, 100L), fromQueue, "queue: first in, first out; BPF pushed 100 last");
            assertEquals(List.of(3L, 2L, 1L), fromStack);
            assertTrue(queue.peek().isEmpty());
        }
    }

    @Test
    void bloomFilterHasNoFalseNegatives() {
        try (KernelMap m = KernelMap.create(MapSpec.bloomFilter("t_bloom", 8, 1000, 3));
             KernelMap again = KernelMap.openById(m.id())) {
            assertEquals(3, again.spec().mapExtra() & 0xf, "the hash count reads back");
            for (long v = 0; v < 50; v++) m.push(u64(v * 7919));
            for (long v = 0; v < 50; v++) assertTrue(m.mayContain(u64(v * 7919)), "added value " + v);
            int positives = 0;
            for (long v = 0; v < 200; v++) if (m.mayContain(u64(1_000_003 + v))) positives++;
            assertTrue(positives < 20, "false positives among 200 absent values: " + positives);
        }
    }

    @Test
    void lpmTrieFindsTheLongestPrefix() {
        try (KernelMap m = KernelMap.create(MapSpec.lpmTrie("t_lpm", 4, 4, 16))) {
            m.put(prefix(8, 10, 0, 0, 0), u32(1));
            m.put(prefix(16, 10, 1, 0, 0), u32(2));
            m.put(prefix(24, 10, 1, 2, 0), u32(3));
            assertEquals(3, u32(m.lookup(prefix(32, 10, 1, 2, 3)).orElseThrow()));
            assertEquals(2, u32(m.lookup(prefix(32, 10, 1, 9, 9)).orElseThrow()));
            assertEquals(1, u32(m.lookup(prefix(32, 10, 200, 0, 1)).orElseThrow()));
            assertTrue(m.lookup(prefix(32, 11, 0, 0, 1)).isEmpty());
            Set<Integer> lengths = new HashSet<>();
            for (byte[] k : m.keys()) lengths.add(u32(java.util.Arrays.copyOf(k, 4)));
            assertEquals(Set.of(8, 16, 24), lengths);
        }
    }

    static byte[] prefix(int bits, int a, int b, int c, int d) {
        byte[] k = new byte[8];
        System.arraycopy(u32(bits), 0, k, 0, 4);
        k[4] = (byte) a; k[5] = (byte) b; k[6] = (byte) c; k[7] = (byte) d;
        return k;
    }
}
