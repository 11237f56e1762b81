package org.bpf4j.link;

import org.bpf4j.asm.AtomicOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.JmpOp;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Size;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;

import java.util.Map;
import java.util.function.Consumer;

import static org.bpf4j.asm.Reg.*;

/**
 * A test probe: an array map of u64 counters and a program that adds 1 to one of them per event. The
 * {@code body} runs with the context in r6; it leaves the slot to count in r7 (0 unless it sets it) or jumps to
 * {@code "out"} to count nothing.
 */
final class Counter implements AutoCloseable {
    final KernelMap map;
    final KernelProgram program;

    private Counter(KernelMap map, KernelProgram program) {
        this.map = map;
        this.program = program;
    }

    static Counter load(ProgramType type, Consumer<Program.Builder> body) {
        KernelMap m = newMap();
        try {
            return new Counter(m, KernelProgram.load(spec(type, body), Map.of("counts", m)));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Only the counters, for a link that loads {@link #spec} itself (fentry, wildcard kprobes) with {@link #maps}. */
    static Counter mapOnly() { return new Counter(newMap(), null); }

    /** The maps {@link #spec}'s program refers to. */
    Map<String, KernelMap> maps() { return Map.of("counts", map); }

    private static KernelMap newMap() { return KernelMap.create(MapSpec.of("counts", MapType.ARRAY, 4, 8, 4)); }

    /** The counting program, not loaded. */
    static ProgramSpec spec(ProgramType type, Consumer<Program.Builder> body) {
        Program.Builder b = Program.builder().mov64(R6, R1).mov64(R7, 0);
        body.accept(b);
        b.stx(Size.W, R10, -4, R7)
                .loadMapFd(R1, "counts")
                .mov64(R2, R10).alu64(org.bpf4j.asm.AluOp.ADD, R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jmp(JmpOp.JEQ, R0, 0, "out")
                .mov64(R1, 1)
                .atomic(AtomicOp.ADD, Size.DW, R0, 0, R1)
                .label("out")
                .mov64(R0, 0)
                .exit();
        return new ProgramSpec("t_count", type, b.build(), "GPL");
    }

    /** Jumps to "out" unless the current thread is {@code tid}. */
    static Consumer<Program.Builder> onlyThread(int tid) {
        return b -> b.call(Helper.GET_CURRENT_PID_TGID).jmp32(JmpOp.JNE, R0, tid, "out");
    }

    long get(int slot) {
        byte[] v = map.lookup(new byte[] {(byte) slot, 0, 0, 0}).orElseThrow();
        return java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    long get() { return get(0); }

    @Override
    public void close() {
        if (program != null) program.close();
        map.close();
    }
}
