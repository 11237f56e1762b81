package org.bpf4j.lang.codegen;

import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Reg;
import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.sema.SemanticError;
import org.bpf4j.map.MapType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code max_strlen} (config block or BPFTRACE_MAX_STRLEN) sizes the strings str() reads; a program whose values
 * then outgrow the 512-byte stack keeps them in a per-CPU scratch map, as bpftrace's scratch buffers, and every
 * other program is compiled as before, on the stack alone.
 */
class ScratchTest {
    private static final String BIG = "tracepoint:syscalls:sys_enter_execve { @[str(args.filename)] = count(); "
            + "printf(\"%s\\n\", str(args.filename)); print((1, (2, str(args.filename)))); }";

    private static MapPlan scratch(CompiledScript s) {
        return s.maps().stream().filter(m -> m.name().equals(Context.SCRATCH)).findFirst().orElse(null);
    }

    /** True when an access goes through r9 past where any stack slot could be: the scratch memory. */
    private static boolean usesR9AsBase(CompiledScript s) {
        List<Instruction> insns = s.programs().getFirst().spec().program().instructions();
        return insns.stream().anyMatch(i -> (i.src() == Reg.R9 || i.dst() == Reg.R9) && i.offset() >= Frame.LIMIT);
    }

    @Test
    void stringsOfTheDefaultSizeStayOnTheStack() {
        CompiledScript s = LangTesting.compile(BIG);
        assertNull(scratch(s), "no scratch map without a raised max_strlen");
        assertEquals(64, s.userMap("@").key().size(), "the key is a 64-byte string");
        assertTrue(s.programs().getFirst().stackBytes() <= Frame.LIMIT);
    }

    @Test
    void raisedMaxStrlenMovesBigValuesToAPerCpuScratchMap() {
        CompiledScript s = LangTesting.compile("config = { max_strlen = 9999 } " + BIG);
        MapPlan m = scratch(s);
        assertNotNull(m, "a 9999-byte key, event and tuple need scratch memory");
        assertEquals(MapType.PERCPU_ARRAY, m.spec().type());
        assertEquals(1, m.spec().maxEntries());
        assertTrue(m.spec().valueSize() >= 9999 && m.spec().valueSize() <= Frame.SCRATCH_LIMIT, "value size " + m.spec().valueSize());
        assertEquals(9999, s.userMap("@").key().size(), "the map's key is the whole string");
        assertTrue(s.programs().getFirst().stackBytes() <= Frame.LIMIT, "the stack stays within the kernel's limit");
        assertTrue(usesR9AsBase(s), "big values are addressed through r9");
    }

    @Test
    void maxStrlenIsCheckedAndBoundedByScratchMemory() {
        var e = assertThrows(SemanticError.class, () -> LangTesting.compile("config = { max_strlen = 0 } " + BIG));
        assertTrue(e.getMessage().contains("Invalid value for max_strlen"), e.getMessage());
        // two strings of 16384 bytes at once (key and event) do not fit one program's 32 KiB of scratch memory
        var big = assertThrows(SemanticError.class, () -> LangTesting.compile("config = { max_strlen = 16384 } "
                + "tracepoint:syscalls:sys_enter_execve { @[str(args.filename)] = str(args.filename); print((str(args.filename), str(args.filename))); }"));
        assertTrue(big.getMessage().contains("bytes of scratch memory"), big.getMessage());
    }
}
