package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The core fixture's relocations resolved against another kernel's BTF (otherkernel.bpf.c: task_struct laid out
 * differently, no in_execve, another enumerator value), as a CO-RE object meets a kernel it was not built on.
 * Expected values are read from that BTF through org.bpf4j.btf, not written down.
 */
class CoreRelocatorTest {
    private record Key(CoreKind kind, String type, String access) {}

    @Test
    void theSameObjectAdaptsToAnotherKernel() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("core"));
        Btf other = ObjectFile.read(BpfObjects.object("otherkernel")).btf();
        Btf local = spec.btf();
        ObjectProgram p = spec.program("core_values").orElseThrow();
        byte[] code = p.code();
        List<CoreRelocator.Decision> ds = new CoreRelocator(local, other).apply(code, p.core(), "core_values");
        assertEquals(p.core().size(), ds.size());
        Map<Key, CoreRelocator.Decision> by = new HashMap<>();
        for (CoreRelocator.Decision d : ds) by.putIfAbsent(new Key(d.kind(), d.type(), d.access()), d);

        BtfType.Struct lt = local.find(BtfType.Struct.class, "task_struct").orElseThrow();
        BtfType.Struct ot = other.find(BtfType.Struct.class, "task_struct").orElseThrow();
        String pid = "0:" + index(lt, "pid"), comm = "0:" + index(lt, "comm"), flags = "0:" + index(lt, "flags");
        String inExecve = "0:" + index(lt, "in_execve");

        assertEquals(ot.member("pid").orElseThrow().byteOffset(), value(by, CoreKind.FIELD_BYTE_OFFSET, "task_struct", pid));
        assertEquals(32, value(by, CoreKind.FIELD_BYTE_SIZE, "task_struct", comm));
        assertEquals(ot.member("comm").orElseThrow().byteOffset() + 3, value(by, CoreKind.FIELD_BYTE_OFFSET, "task_struct", comm + ":3"));
        BtfType.Member se = lt.member("se").orElseThrow();
        int vruntime = index((BtfType.Composite) local.resolve(se.type()), "vruntime");
        BtfType.Member ose = ot.member("se").orElseThrow();
        assertEquals(ose.byteOffset() + ((BtfType.Composite) other.resolve(ose.type())).member("vruntime").orElseThrow().byteOffset(),
                value(by, CoreKind.FIELD_BYTE_OFFSET, "task_struct", "0:" + index(lt, "se") + ":" + vruntime));
        assertEquals(1, value(by, CoreKind.FIELD_SIGNED, "task_struct", pid));
        assertEquals(0, value(by, CoreKind.FIELD_SIGNED, "task_struct", flags));
        for (CoreKind k : List.of(CoreKind.FIELD_BYTE_OFFSET, CoreKind.FIELD_BYTE_SIZE, CoreKind.FIELD_LSHIFT_U64,
                CoreKind.FIELD_RSHIFT_U64, CoreKind.FIELD_SIGNED))
            assertTrue(by.get(new Key(k, "task_struct", inExecve)).poisoned(), k + " of a field the other kernel lacks");
        assertEquals(1, value(by, CoreKind.FIELD_EXISTS, "task_struct___old", "0:0"));
        assertEquals(0, value(by, CoreKind.FIELD_EXISTS, "task_struct___old", "0:1"));
        assertEquals(ot.id(), value(by, CoreKind.TYPE_ID_TARGET, "task_struct", "0"));
        assertEquals(lt.id(), value(by, CoreKind.TYPE_ID_LOCAL, "task_struct", "0"));
        assertEquals(ot.size(), value(by, CoreKind.TYPE_SIZE, "task_struct", "0"));
        assertEquals(0, value(by, CoreKind.TYPE_EXISTS, "bpf4j_no_such_type", "0"));
        assertEquals(99, value(by, CoreKind.ENUMVAL_VALUE, "bpf_map_type___local", "0"));
        assertEquals(1, value(by, CoreKind.ENUMVAL_EXISTS, "bpf_map_type___local", "0"));
        assertEquals(0, value(by, CoreKind.ENUMVAL_EXISTS, "bpf_map_type___local", "1"));
        // the patched code still decodes, poisoned instructions as calls of 0xbad2310
        long poisoned = org.bpf4j.asm.Program.decode(code).instructions().stream()
                .filter(i -> i.op() instanceof org.bpf4j.asm.Operation.Call && i.imm() == 0xbad2310).count();
        assertTrue(poisoned >= 5, "poisoned " + poisoned);
    }

    @Test
    void flavoursAndEssentialNames() {
        assertEquals("task_struct", CoreSpec.essential("task_struct___old"));
        assertEquals("a____b", CoreSpec.essential("a____b"));
        assertEquals("task_struct", CoreSpec.essential("task_struct"));
    }

    private static long value(Map<Key, CoreRelocator.Decision> by, CoreKind kind, String type, String access) {
        CoreRelocator.Decision d = by.get(new Key(kind, type, access));
        assertNotNull(d, kind + " " + type + " " + access + " among " + by.keySet());
        assertFalse(d.poisoned(), d.toString());
        return d.targetValue();
    }

    private static int index(BtfType.Composite c, String member) {
        for (int i = 0; i < c.members().size(); i++) if (c.members().get(i).name().equals(member)) return i;
        throw new AssertionError("no member " + member + " in " + c.name());
    }
}
