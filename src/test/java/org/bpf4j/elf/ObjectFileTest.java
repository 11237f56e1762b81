package org.bpf4j.elf;

import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Operation;
import org.bpf4j.btf.BtfType;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Objects built from the C fixtures by clang-19, read with no kernel involved. */
class ObjectFileTest {
    @Test
    void readsProgramsMapsAndGlobals() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("globals"));
        assertEquals("globals", s.name());
        assertEquals(List.of("on_getppid", "on_raw"), List.copyOf(s.programs().keySet()));
        ObjectProgram tp = s.program("on_getppid").orElseThrow();
        assertEquals(ProgramType.TRACEPOINT, tp.section().type());
        assertEquals("syscalls/sys_enter_getppid", tp.section().target());
        assertEquals("GPL", tp.license());
        assertEquals(ProgramType.RAW_TRACEPOINT, s.program("on_raw").orElseThrow().section().type());

        assertEquals(List.of("counts", "events", ".rodata", ".data", ".bss"), List.copyOf(s.maps().keySet()));
        ObjectMap counts = s.map("counts").orElseThrow();
        assertEquals(MapType.HASH, counts.spec().type());
        assertEquals(4, counts.spec().keySize());
        assertEquals(8, counts.spec().valueSize());
        assertEquals(128, counts.spec().maxEntries());
        assertEquals(MapType.RINGBUF, s.map("events").orElseThrow().spec().type());
        assertEquals(4096, s.map("events").orElseThrow().spec().maxEntries());

        ObjectMap rodata = s.map(".rodata").orElseThrow();
        assertEquals("globals.rodata", rodata.spec().name(), "libbpf's name for the kernel");
        assertEquals(ObjectMap.Kind.RODATA, rodata.kind());
        assertTrue(rodata.frozen());
        assertEquals(MapDefinitions.F_RDONLY_PROG | MapDefinitions.F_MMAPABLE, rodata.spec().flags());
        assertEquals(MapDefinitions.F_MMAPABLE, s.map(".bss").orElseThrow().spec().flags());
        assertInstanceOf(BtfType.Datasec.class, s.btf().type(rodata.btfValueTypeId()));

        // initial values: const volatile char tag[8] = "bpf4j"; int counter = 7;
        assertEquals("bpf4j", new String(s.variableValue("tag"), 0, 5));
        assertEquals(7, le32(s.variableValue("counter")));
        assertEquals(0, le32(s.variableValue("target_pid")));
        CollectionSpec changed = s.withVariable("target_pid", new byte[] {42, 0, 0, 0});
        assertEquals(42, le32(changed.variableValue("target_pid")));
        assertEquals(0, le32(s.variableValue("target_pid")), "the original spec is unchanged");
        assertThrows(IllegalArgumentException.class, () -> s.withVariable("target_pid", new byte[2]));
    }

    @Test
    void subprogramsAreAppendedToEachProgramThatCallsThem() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("globals"));
        for (ObjectProgram p : s.programs().values()) {
            List<Instruction> insns = p.instructions();
            // exactly one local call, to the start of the appended copy of bump(), which func_info names
            int slot = 0, calls = 0;
            for (Instruction i : insns) {
                if (i.op() instanceof Operation.Call c && c.kind() == org.bpf4j.asm.CallKind.LOCAL) {
                    calls++;
                    int target = slot + 1 + (int) i.imm();
                    assertEquals(2, p.funcInfo().size(), p.name());
                    assertEquals(target, p.funcInfo().get(1).slot(), p.name() + ": the call lands on bump's func_info");
                    assertEquals("bump", s.btf().type(p.funcInfo().get(1).typeId()).name());
                }
                slot += i.width();
            }
            assertEquals(1, calls, p.name());
            assertEquals(0, p.funcInfo().getFirst().slot());
            assertEquals(p.name(), s.btf().type(p.funcInfo().getFirst().typeId()).name());
            assertFalse(p.lineInfo().isEmpty());
            for (ObjectProgram.LineInfo l : p.lineInfo()) assertTrue(l.slot() < p.code().length / 8);
            // every map use is an lddw of a map fd or value, naming a map of the object
            for (ObjectProgram.MapUse u : p.mapUses()) assertTrue(s.maps().containsKey(u.map()), u.map());
        }
        // bump() reads 'counter' in .data: present in both programs' copies
        assertTrue(s.program("on_raw").orElseThrow().mapUses().stream().anyMatch(u -> u.map().equals(".data")));
    }

    @Test
    void readsCoreRelocationsOfEveryKind() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("core"));
        java.util.Set<CoreKind> kinds = java.util.EnumSet.noneOf(CoreKind.class);
        for (ObjectProgram.CoreSite c : s.program("core_values").orElseThrow().core()) kinds.add(c.kind());
        assertEquals(java.util.EnumSet.allOf(CoreKind.class), kinds);
    }

    @Test
    void readsMapsOfMapsAndProgramArraysWithTheirSlots() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("maps"));
        ObjectMap outer = s.map("outer").orElseThrow();
        assertEquals(MapType.ARRAY_OF_MAPS, outer.spec().type());
        assertEquals(MapType.ARRAY, outer.spec().innerMap().type());
        assertEquals(4, outer.spec().innerMap().maxEntries());
        assertEquals(java.util.Map.of(1, "inner1"), outer.slots());
        assertEquals(java.util.Map.of(0, "tail_target"), s.map("jumps").orElseThrow().slots());
        assertEquals(org.bpf4j.sys.Cpus.possibleCount(), s.map("perf").orElseThrow().spec().maxEntries(),
                "a perf event array without max_entries gets one slot per possible CPU");
        assertEquals(3, s.map("bloom").orElseThrow().spec().mapExtra());
        assertEquals(org.bpf4j.map.MapSpec.F_NO_PREALLOC, s.map("lpm").orElseThrow().spec().flags());
        assertEquals(0, s.map("queue").orElseThrow().spec().keySize());
    }

    @Test
    void readsTheLegacyMapsSection() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("legacy"));
        ObjectMap m = s.map("legacy_counts").orElseThrow();
        assertEquals(MapType.ARRAY, m.spec().type());
        assertEquals(8, m.spec().valueSize());
        assertEquals(4, m.spec().maxEntries());
    }

    @Test
    void namesTheSectionNoRowOfTheTableKnows() {
        Path obj = BpfObjects.object("badsection");
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> ObjectFile.read(obj));
        assertTrue(e.getMessage().contains("section 'bogus/thing'"), e.getMessage());
        assertTrue(e.getMessage().startsWith(obj.toString()), e.getMessage());
    }

    @Test
    void readsExternsIntoAKconfigMapAndKernelSymbolUses() {
        CollectionSpec s = ObjectFile.read(BpfObjects.object("externs"));
        ObjectMap kconfig = s.map(".kconfig").orElseThrow();
        assertEquals("externs.kconfig", kconfig.spec().name());
        assertTrue(kconfig.frozen());
        // libbpf's layout: by alignment (4-byte ints first), then size, then name
        assertEquals(java.util.List.of("CONFIG_HZ", "LINUX_KERNEL_VERSION", "CONFIG_BPF4J_NO_SUCH_OPTION", "CONFIG_BPF_SYSCALL"),
                s.externs().values().stream().filter(e -> e.kind() == Externs.Kind.KCONFIG)
                        .sorted(java.util.Comparator.comparingInt(Externs.Extern::offset)).map(Externs.Extern::name).toList());
        assertEquals(10, kconfig.spec().valueSize());
        List<String> uses = s.program("uses_externs").orElseThrow().externs().stream().map(ObjectProgram.ExternUse::name).toList();
        assertEquals(List.of("bpf_task_from_pid", "bpf_task_release"), uses.stream().sorted().toList());
        assertEquals(List.of("runqueues"), ObjectFile.read(BpfObjects.object("ksym")).program("reads_runqueues").orElseThrow()
                .externs().stream().map(ObjectProgram.ExternUse::name).toList());
    }

    @Test
    void refusesFilesThatAreNotBpfObjects() throws Exception {
        byte[] trueBinary = Files.readAllBytes(Path.of("/bin/true"));
        assertTrue(assertThrows(ObjectFormatException.class, () -> ObjectFile.parse(trueBinary, "true"))
                .getMessage().contains("not a BPF object"));
        assertThrows(org.bpf4j.UserException.class, () -> ObjectFile.parse(new byte[10], "tiny.o"));
        byte[] obj = BpfObjects.bytes("globals");
        // a section header table cut off: one message naming the file, nothing else
        byte[] cut = java.util.Arrays.copyOf(obj, obj.length - 100);
        org.bpf4j.UserException e = assertThrows(org.bpf4j.UserException.class, () -> ObjectFile.parse(cut, "cut.o"));
        assertTrue(e.getMessage().startsWith("cut.o: "), e.getMessage());
    }

    @Test
    void internalMapNamesAreLibbpfs() {
        assertEquals("execsnoo.rodata", MapDefinitions.internalName("execsnoop", ".rodata"));
        assertEquals("execsnoo.bss", MapDefinitions.internalName("execsnoop", ".bss"));
        assertEquals("globals.data", MapDefinitions.internalName("globals", ".data"));
        assertEquals(".rodata.str1.1", MapDefinitions.internalName("execsnoop", ".rodata.str1.1"));
        assertEquals("my_pro_.rodata", MapDefinitions.internalName("my-pro-", ".rodata"));
    }

    static int le32(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(); }
}
