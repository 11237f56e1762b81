package org.bpf4j.usdt;

import org.bpf4j.UserException;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.junit.jupiter.api.Test;

import static org.bpf4j.usdt.UsdtArgument.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

class UsdtArgumentTest {
    record Case(String spec, UsdtArgument.Kind kind, int size, boolean signed, String reg, long value, int ptRegs) {}

    @Test
    void parsesTheX86SpecsHotspotAndPythonUse() {
        Case[] cases = {
            new Case("-4@%esi", REGISTER, 4, true, "esi", 0, 104),
            new Case("8@%r13", REGISTER, 8, false, "r13", 0, 16),
            new Case("-4@%r14d", REGISTER, 4, true, "r14d", 0, 8),
            new Case("1@%al", REGISTER, 1, false, "al", 0, 80),
            new Case("1@%dil", REGISTER, 1, false, "dil", 0, 112),
            new Case("2@%r13w", REGISTER, 2, false, "r13w", 0, 16),
            new Case("8@16(%rbp)", MEMORY, 8, false, "rbp", 16, 32),
            new Case("-8@-64(%rbp)", MEMORY, 8, true, "rbp", -64, 32),
            new Case("8@(%rdi)", MEMORY, 8, false, "rdi", 0, 112),
            new Case("-4@112(%rsp)", MEMORY, 4, true, "rsp", 112, 152),
            new Case("1@$1", CONSTANT, 1, false, null, 1, -1),
            new Case("-4@$-9", CONSTANT, 4, true, null, -9, -1),
            new Case("8@$1572864", CONSTANT, 8, false, null, 1572864, -1),
            new Case("8@(%rdx,%rax,8)", MEMORY, 8, false, "rdx", 0, 96),
            new Case("-1@16(%rdx,%rax)", MEMORY, 1, true, "rdx", 16, 96),
        };
        for (Case c : cases) {
            UsdtArgument a = UsdtArgument.parse(c.spec);
            assertEquals(c, new Case(a.text(), a.kind(), a.size(), a.signed(), a.register(), a.value(),
                    a.kind() == CONSTANT ? -1 : a.ptRegsOffset()), c.spec);
        }
        UsdtArgument indexed = UsdtArgument.parse("4@(%rdx,%rax,4)");
        assertEquals("rax", indexed.index());
        assertEquals(4, indexed.scale());
        assertEquals(1, UsdtArgument.parse("-1@16(%rdx,%rax)").scale());
        assertEquals(3, UsdtArgument.parseAll("8@%rbp 8@%r12 -4@%eax").size());
        assertEquals(0, UsdtArgument.parseAll("").size());
    }

    @Test
    void constantsTakeTheirWidthAndSign() {
        assertEquals(4092785136L, UsdtArgument.parse("4@$-202182160").constant());
        assertEquals(-202182160L, UsdtArgument.parse("-4@$-202182160").constant());
        assertEquals(61936L, UsdtArgument.parse("2@$-3600").constant());
        assertEquals(240L, UsdtArgument.parse("1@$-16").constant());
        assertEquals(-16L, UsdtArgument.parse("-1@$-16").constant());
        assertEquals(-579005069656919568L, UsdtArgument.parse("8@$-579005069656919568").constant());
    }

    @Test
    void malformedSpecsAreNamed() {
        for (String bad : new String[] {"4%esi", "3@%eax", "4@%xmm0", "4@foo(%rbx)", "@%eax", "4@(%rdx,%rax,3)", "4@(%rdx,%xmm1,4)"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UsdtArgument.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void ripRelativeIsReadOncePlacedAtItsSite() {
        UsdtArgument a = UsdtArgument.parse("4@counter(%rip)");
        assertEquals(MEMORY, a.kind());
        UserException e = assertThrows(UserException.class, () -> a.emitLoad(Program.builder(), Reg.R7, Reg.R6, -8));
        assertEquals("USDT argument '4@counter(%rip)': %rip-relative memory without a symbol of the file is not supported", e.getMessage());
        // the symbol at 0x4010 and the site at 0x1150: the value is 0x2ec0 (+8) past the instruction pointer
        UsdtArgument placed = a.atSite(0x1150, n -> n.equals("counter") ? java.util.Optional.of(0x4010L) : java.util.Optional.empty());
        assertTrue(placed.fromSite());
        assertEquals(0x2ec0, placed.value());
        assertEquals(0x2ec8, UsdtArgument.parse("-8@counter+8(%rip)").atSite(0x1150, n -> java.util.Optional.of(0x4010L)).value());
        assertEquals("4@counter(%rip)=ip+11968", placed.key());
        assertFalse(a.atSite(0x1150, n -> java.util.Optional.empty()).fromSite(), "an unknown symbol stays unplaced");
        placed.emitLoad(Program.builder(), Reg.R7, Reg.R6, -8); // reads *(ip + 0x2ec0)
        assertEquals(java.util.List.of("s64", "counter"), UsdtArgument.ripSymbols("-8@s64(%rip) 4@%eax -4@counter+8(%rip) 8@-8(%rbp)"));
    }
}
