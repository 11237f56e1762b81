package org.bpf4j.vm;

import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.Program;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.vm.map.ProgramArrayMap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JUnit-facing API: a tracing-style program runs on synthetic events (a context per event, a synthetic
 * task), and the test asserts on its maps and its perf output, on both engines.
 */
class VmApiTest {
    /** Per event: count it per tgid in a hash map, and send {the event's first u64, pid_tgid} to a perf array. */
    static final String COUNTER = """
            r6 = r1
            call bpf_get_current_pid_tgid#14
            r7 = r0
            r0 >>= 32
            *(u32 *)(r10 -4) = r0
            r1 = map[counts]
            r2 = r10
            r2 += -4
            call bpf_map_lookup_elem#1
            if r0 == 0x0 goto new
            r1 = 1
            lock *(u64 *)(r0 +0) += r1
            goto out
            new:
            *(u64 *)(r10 -16) = 1
            r1 = map[counts]
            r2 = r10
            r2 += -4
            r3 = r10
            r3 += -16
            r4 = 0
            call bpf_map_update_elem#2
            out:
            *(u64 *)(r10 -24) = r7
            r1 = *(u64 *)(r6 +0)
            *(u64 *)(r10 -32) = r1
            r1 = r6
            r2 = map[events]
            r3 = 0xffffffff
            r4 = r10
            r4 += -32
            r5 = 16
            call bpf_perf_event_output#25
            r0 = 0
            exit
            """;

    private static Program counter() {
        try {
            return Assembler.parse(COUNTER);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Test
    void countsSyntheticEventsPerTaskAndEmitsRecords() {
        Program p = counter();
        assertNotNull(p, "the assembler reads map references");
        for (Engine engine : Engine.values()) {
            SyntheticEnvironment env = new SyntheticEnvironment();
            try (Vm vm = Vm.builder(p).engine(engine).programType(ProgramType.TRACEPOINT).environment(env).contextSize(16)
                    .map(MapSpec.of("counts", MapType.HASH, 4, 8, 64))
                    .map(MapSpec.of("events", MapType.PERF_EVENT_ARRAY, 4, 4, 1)).build()) {
                int[][] tasks = {{100, 10}, {101, 10}, {200, 20}, {100, 10}};
                for (int i = 0; i < tasks.length; i++) {
                    env.task(tasks[i][0], tasks[i][1], "t");
                    byte[] event = Bytes.buffer(16).putLong(0x1000 + i).putLong(0).array();
                    assertEquals(0, vm.run(event));
                }
                assertEquals(3, Bytes.u64(vm.map("counts").lookup(Bytes.u32(10)).orElseThrow(), 0), engine.toString());
                assertEquals(1, Bytes.u64(vm.map("counts").lookup(Bytes.u32(20)).orElseThrow(), 0));
                assertTrue(vm.map("counts").lookup(Bytes.u32(30)).isEmpty());
                List<byte[]> records = vm.records("events");
                assertEquals(4, records.size());
                assertEquals(200, Bytes.u32(records.get(2), 8));
                assertEquals(0x1003, Bytes.u64(records.get(3), 0));
                assertTrue(vm.records("events").isEmpty(), "records are handed over once");
                assertNotNull(vm.verification());
            }
        }
    }

    @Test
    void aProgramThatForgetsTheNullCheckIsRejectedBeforeItRuns() {
        String unchecked = COUNTER.replace("if r0 == 0x0 goto new\n", "");
        VerifierException e = assertThrows(VerifierException.class, () -> Vm.builder(Assembler.parse(unchecked))
                .programType(ProgramType.TRACEPOINT).contextSize(16)
                .map(MapSpec.of("counts", MapType.HASH, 4, 8, 64)).map(MapSpec.of("events", MapType.PERF_EVENT_ARRAY, 4, 4, 1)).build());
        assertEquals(10, e.instruction());
        assertEquals("R0 invalid mem access 'map_value_or_null'", e.reason());
    }

    @Test
    void aTracingProgramMayNotWriteItsEvent() {
        Program p = Assembler.parse("*(u64 *)(r1 +0) = 1\nr0 = 0\nexit\n");
        VerifierException e = assertThrows(VerifierException.class,
                () -> Vm.builder(p).programType(ProgramType.TRACEPOINT).contextSize(8).build());
        assertEquals("cannot write into ctx", e.reason());
        try (Vm vm = Vm.builder(p).contextSize(8).build()) { // a socket filter's memory is writable, as in the conformance suite
            byte[] ctx = new byte[8];
            vm.run(ctx);
            assertEquals(1, ctx[0]);
        }
    }

    @Test
    void percpuArraysKeepOneValuePerCpu() {
        Program p = Assembler.parse("""
                *(u32 *)(r10 -4) = 0
                r1 = map[hits]
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem#1
                if r0 == 0x0 goto out
                r1 = 1
                lock *(u64 *)(r0 +0) += r1
                out:
                r0 = 0
                exit
                """);
        SyntheticEnvironment env = new SyntheticEnvironment();
        try (Vm vm = Vm.builder(p).cpus(2).environment(env).map(MapSpec.of("hits", MapType.PERCPU_ARRAY, 4, 8, 1)).build()) {
            vm.run();
            env.cpu(1);
            vm.run();
            vm.run();
            byte[] all = vm.map("hits").lookup(Bytes.u32(0)).orElseThrow();
            assertEquals(16, all.length);
            assertEquals(1, Bytes.u64(all, 0));
            assertEquals(2, Bytes.u64(all, 8));
        }
    }

    @Test
    void tailCallsJumpToAnotherProgram() {
        Program target = Assembler.parse("r0 = 77\nexit\n");
        Program caller = Assembler.parse("""
                r2 = map[jumps]
                r3 = 1
                call bpf_tail_call#12
                r0 = 1
                exit
                """);
        try (Vm callee = Vm.builder(target).build();
             Vm vm = Vm.builder(caller).map(MapSpec.of("jumps", MapType.PROG_ARRAY, 4, 4, 4)).build()) {
            assertEquals(1, vm.run(), "an empty slot: the call falls through");
            ((ProgramArrayMap) vm.map("jumps")).set(1, callee);
            assertEquals(77, vm.run());
        }
    }
}
