package org.bpf4j.map;

import org.bpf4j.asm.Program;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;

import java.util.Map;
import java.util.function.Consumer;

import static org.bpf4j.asm.Reg.*;

/** Test programs over maps: a socket filter (run with BPF_PROG_TEST_RUN) whose body ends in r0 = 0; exit. */
final class Bpf {
    private Bpf() {}

    static KernelProgram socketFilter(Map<String, KernelMap> maps, Consumer<Program.Builder> body) {
        return load(ProgramType.SOCKET_FILTER, maps, body);
    }

    static KernelProgram load(ProgramType type, Map<String, KernelMap> maps, Consumer<Program.Builder> body) {
        Program.Builder b = Program.builder().mov64(R6, R1);
        body.accept(b);
        b.mov64(R0, 0).exit();
        return KernelProgram.load(new ProgramSpec("t_maps", type, b.build(), "GPL"), maps);
    }

    /** Runs a socket filter once on a 64-byte packet; returns r0. */
    static int run(KernelProgram p, int repeat) {
        return p.testRun(new byte[64], null, repeat, 0).retval();
    }

    static byte[] u32(int v) { return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)}; }

    static byte[] u64(long v) {
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long u64(byte[] b) {
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static int u32(byte[] b) {
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
