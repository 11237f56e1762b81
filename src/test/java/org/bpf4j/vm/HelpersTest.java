package org.bpf4j.vm;

import org.bpf4j.asm.Assembler;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Each helper the VM implements, verified and run on both engines against a synthetic environment. */
class HelpersTest {
    private static Vm.Builder vm(String asm, SyntheticEnvironment env, Engine engine) {
        return Vm.builder(Assembler.parse(asm)).engine(engine).environment(env).programType(ProgramType.KPROBE);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void probeReadCopiesTracedMemoryOrZeroesAndFails(Engine engine) {
        String asm = """
                r6 = r1
                r1 = r10
                r1 += -16
                r2 = 16
                r3 = *(u64 *)(r6 +0)
                call bpf_probe_read_kernel#113
                r7 = r0
                r0 = *(u64 *)(r10 -8)
                r0 += r7
                exit
                """;
        SyntheticEnvironment env = new SyntheticEnvironment().memory(0xffff0000L, Bytes.buffer(16).putLong(5).putLong(40).array(), false);
        try (Vm vm = vm(asm, env, engine).contextSize(8).build()) {
            assertEquals(40, vm.run(Bytes.u64(0xffff0000L)));
            assertEquals(-14, vm.run(Bytes.u64(0xdead0000L)), "unreadable: -EFAULT, buffer zeroed");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void probeReadStrStopsAtTheNulAndReturnsTheLength(Engine engine) {
        String asm = """
                r6 = r1
                r1 = r10
                r1 += -16
                r2 = 16
                r3 = *(u64 *)(r6 +0)
                call bpf_probe_read_user_str#114
                r7 = r0
                r0 = *(u8 *)(r10 -14)
                r0 <<= 8
                r0 += r7
                exit
                """;
        SyntheticEnvironment env = new SyntheticEnvironment().memory(0x7000, "bash\0garbage".getBytes(StandardCharsets.US_ASCII), true);
        try (Vm vm = vm(asm, env, engine).contextSize(8).build()) {
            assertEquals(('s' << 8) + 5, vm.run(Bytes.u64(0x7000)), "'bash' and its NUL: 5 bytes");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void clockRandomCpuAndIdsComeFromTheEnvironment(Engine engine) {
        String asm = """
                call bpf_ktime_get_ns#5
                r6 = r0
                call bpf_ktime_get_ns#5
                r0 -= r6
                r6 = r0
                call bpf_get_smp_processor_id#8
                r0 <<= 16
                r6 += r0
                call bpf_get_current_uid_gid#15
                r0 <<= 24
                r6 += r0
                r0 = r6
                exit
                """;
        SyntheticEnvironment env = new SyntheticEnvironment().clock(1_000, 7).cpu(3).user(2, 0);
        try (Vm vm = vm(asm, env, engine).build()) {
            assertEquals(7 + (3L << 16) + (2L << 24), vm.run());
        }
        String random = "call bpf_get_prandom_u32#7\nexit\n";
        long a, b;
        try (Vm vm = vm(random, new SyntheticEnvironment().seed(9), engine).build()) {
            a = vm.run();
        }
        try (Vm vm = vm(random, new SyntheticEnvironment().seed(9), engine).build()) {
            b = vm.run();
        }
        assertEquals(a, b, "a seeded sequence repeats");
        assertTrue(a >= 0 && a <= 0xffffffffL);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void ringbufOutputReachesTheConsumer(Engine engine) {
        String asm = """
                *(u64 *)(r10 -8) = 42
                r1 = map[rb]
                r2 = r10
                r2 += -8
                r3 = 8
                r4 = 0
                call bpf_ringbuf_output#130
                exit
                """;
        try (Vm vm = vm(asm, new SyntheticEnvironment(), engine).map(MapSpec.of("rb", MapType.RINGBUF, 0, 0, 4096)).build()) {
            assertEquals(0, vm.run());
            assertEquals(0, vm.run());
            List<byte[]> records = vm.records("rb");
            assertEquals(2, records.size());
            assertEquals(42, Bytes.u64(records.get(1), 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void mapDeleteAndLruEviction(Engine engine) {
        // insert key r1 (from the context), then delete key 0; return the delete's result
        String asm = """
                r6 = *(u32 *)(r1 +0)
                *(u32 *)(r10 -4) = r6
                *(u64 *)(r10 -16) = 1
                r1 = map[lru]
                r2 = r10
                r2 += -4
                r3 = r10
                r3 += -16
                r4 = 0
                call bpf_map_update_elem#2
                *(u32 *)(r10 -4) = 0
                r1 = map[lru]
                r2 = r10
                r2 += -4
                call bpf_map_delete_elem#3
                exit
                """;
        try (Vm vm = vm(asm, new SyntheticEnvironment(), engine).contextSize(4).map(MapSpec.of("lru", MapType.LRU_HASH, 4, 8, 2)).build()) {
            assertEquals(-2, vm.run(Bytes.u32(1)), "no key 0 yet: -ENOENT");
            vm.run(Bytes.u32(2));
            vm.run(Bytes.u32(3)); // a third key: the least recently used (1) goes
            assertTrue(vm.map("lru").lookup(Bytes.u32(1)).isEmpty());
            assertTrue(vm.map("lru").lookup(Bytes.u32(3)).isPresent());
            vm.map("lru").put(Bytes.u32(0), Bytes.u64(5));
            assertEquals(0, vm.run(Bytes.u32(3)), "key 0 deleted");
        }
    }
}
