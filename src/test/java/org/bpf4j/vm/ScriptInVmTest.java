package org.bpf4j.vm;

import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.codegen.CompiledScript;
import org.bpf4j.lang.codegen.MapPlan;
import org.bpf4j.lang.codegen.ProgramPlan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A bpftrace script, compiled by bpf4j's language front end, run in the VM against synthetic tracepoint events:
 * the tracing-script half of the JUnit-facing API, without a kernel.
 */
class ScriptInVmTest {
    /** A sys_enter_kill record (tracefs format: pid u64 at 16, sig u64 at 24). */
    private static byte[] kill(long pid, long sig) {
        return Bytes.buffer(32).putLong(16, pid).putLong(24, sig).array();
    }

    private static Vm vm(CompiledScript cs, Engine engine, SyntheticEnvironment env) {
        assertEquals(1, cs.programs().size());
        ProgramPlan p = cs.programs().getFirst();
        Vm.Builder b = Vm.builder(p.spec().program()).name(p.spec().name()).programType(p.spec().type())
                .engine(engine).contextSize(32).environment(env);
        for (MapPlan m : cs.maps()) b.map(m.spec());
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void countsSignalsPerNumber(Engine engine) {
        CompiledScript cs = LangTesting.compile("tracepoint:syscalls:sys_enter_kill { @kills[args.sig] = count(); }");
        try (Vm vm = vm(cs, engine, new SyntheticEnvironment())) {
            for (long sig : new long[] {9, 15, 9}) assertEquals(0, vm.run(kill(100, sig)));
            String map = cs.userMap("@kills").name();
            assertEquals(2, Bytes.u64(vm.map(map).lookup(Bytes.u64(9)).orElseThrow(), 0));
            assertEquals(1, Bytes.u64(vm.map(map).lookup(Bytes.u64(15)).orElseThrow(), 0));
            assertTrue(vm.map(map).lookup(Bytes.u64(2)).isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFilteredPrintfSendsOneRecordPerMatchingEvent(Engine engine) {
        CompiledScript cs = LangTesting.compile("tracepoint:syscalls:sys_enter_kill /args.sig == 9/ { printf(\"kill %d\\n\", args.pid); }");
        try (Vm vm = vm(cs, engine, new SyntheticEnvironment())) {
            vm.run(kill(4242, 9));
            vm.run(kill(7, 15));
            vm.run(kill(4343, 9));
            List<byte[]> records = vm.records(cs.internal("events").name());
            assertEquals(2, records.size());
            assertTrue(containsU64(records.get(0), 4242) && containsU64(records.get(1), 4343), "the pids are in the records");
        }
    }

    private static boolean containsU64(byte[] record, long v) {
        for (int i = 0; i + 8 <= record.length; i += 8) if (Bytes.u64(record, i) == v) return true;
        return false;
    }
}
