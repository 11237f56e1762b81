package org.bpf4j.btf;

import org.bpf4j.asm.AluOp;
import org.bpf4j.asm.Helper;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.asm.Size;
import org.bpf4j.map.BpfMap;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Fd;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The BTF describing a program's callbacks: what it holds, that the kernel takes it, and a callback run for real. */
class FuncBtfTest {
    /** Sums the values of map "m" in a callback of bpf_for_each_map_elem; returns the sum plus 1000 times the count. */
    private static Program summing() {
        return Program.builder()
                .st(Size.DW, Reg.R10, -8, 0)                 // the callback's context: the sum
                .loadMapFd(Reg.R1, "m").loadFunc(Reg.R2, "cb").mov64(Reg.R3, Reg.R10).alu64(AluOp.ADD, Reg.R3, -8)
                .mov64(Reg.R4, 0).call(Helper.FOR_EACH_MAP_ELEM)
                .alu64(AluOp.MUL, Reg.R0, 1000).ldx(Size.DW, Reg.R1, Reg.R10, -8).alu64(AluOp.ADD, Reg.R0, Reg.R1).exit()
                .label("cb")                                 // long cb(map, key, value, ctx): *ctx += *value
                .ldx(Size.DW, Reg.R1, Reg.R3, 0).ldx(Size.DW, Reg.R2, Reg.R4, 0).alu64(AluOp.ADD, Reg.R2, Reg.R1)
                .stx(Size.DW, Reg.R4, 0, Reg.R2).mov64(Reg.R0, 0).exit()
                .build();
    }

    @Test
    void describesTheMainProgramAndEachCallbackAtItsSlot() {
        Program p = summing();
        assertEquals(List.of(0, 13), FuncBtf.subprograms(p)); // the lddws count two slots each
        FuncBtf f = FuncBtf.of(p);
        ByteBuffer info = ByteBuffer.wrap(f.funcInfo()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(16, f.funcInfo().length);
        assertEquals(0, info.getInt(0));
        assertEquals(13, info.getInt(8));
        assertNotEquals(info.getInt(4), info.getInt(12), "the main program and the callback have types of their own");
        Btf btf = Btf.parse(f.btf(), null, "callbacks");
        assertEquals(List.of("ctx"), names(btf, info.getInt(4)));
        assertEquals(List.of("map", "key", "value", "ctx"), names(btf, info.getInt(12)));
        assertNull(FuncBtf.of(Program.builder().mov64(Reg.R0, 0).exit().build()), "no callback, no BTF");
    }

    private static List<String> names(Btf btf, int funcId) {
        BtfType.Func func = (BtfType.Func) btf.type(funcId);
        BtfType.FuncProto proto = (BtfType.FuncProto) btf.type(func.type());
        return proto.params().stream().map(BtfType.Param::name).toList();
    }

    @Test
    @Tag("kernel")
    void theKernelLoadsItAndRunsTheCallbackOverEveryEntry() {
        Kernel.require();
        try (Fd btf = BtfLoader.load(FuncBtf.of(List.of(0, 7, 9)).btf())) {
            assertTrue(btf.isOpen());
        }
        try (KernelMap m = KernelMap.create(MapSpec.of("m", MapType.HASH, 8, 8, 16))) {
            for (long k = 1; k <= 3; k++) m.update(le(k), le(k * 10), BpfMap.UpdateFlag.ANY);
            try (KernelProgram prog = KernelProgram.load(new ProgramSpec("t_each", ProgramType.RAW_TRACEPOINT, summing(), "GPL"), Map.of("m", m))) {
                assertEquals(3060, prog.testRun(null, new byte[8], 0, 0).retval(), "3 entries whose values add up to 60");
            }
        }
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
