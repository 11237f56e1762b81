package org.bpf4j.elf;

import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapInfo;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.sys.FdInfo;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The fixtures loaded into this kernel: maps, global data, CO-RE values, tail calls, verifier logs, attach. */
@Tag("kernel")
class CollectionTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    private static final byte[] KEY0 = {0, 0, 0, 0};

    @Test
    void globalDataIsMappedFrozenAndReadable() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("globals"));
        try (Collection c = Collection.load(spec)) {
            KernelMap rodata = c.map(".rodata");
            MapInfo info = rodata.info();
            assertEquals("globals.rodata", info.name());
            assertEquals(23, info.valueSize());
            assertEquals("1", FdInfo.self(rodata.fd(), "frozen").orElseThrow(), ".rodata is frozen after its initial write");
            assertEquals("0", FdInfo.self(c.map(".data").fd(), "frozen").orElseThrow());
            assertEquals("bpf4j", new String(c.variable("tag"), 0, 5));
            assertEquals(7, le32(c.variable("counter")));
            c.setVariable("counter", new byte[] {9, 0, 0, 0});
            assertEquals(9, le32(c.variable("counter")));
            UserException e = assertThrows(UserException.class, () -> c.setVariable("target_pid", new byte[4]));
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
            assertTrue(c.data(".rodata").isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> c.data(".rodata").set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1));
            // the program and its subprogram were loaded with the object's BTF: two functions in func_info
            ProgramInfo p = c.program("on_getppid").info();
            assertEquals(2, p.funcTypeIds().length);
            assertTrue(p.btfId() > 0);
        }
    }

    @Test
    void constantsSetBeforeLoadSteerTheProgram() throws Exception {
        // target_pid = this JVM: only its own getppid() calls count; hits++ in .bss shows them
        int self = (int) ProcessHandle.current().pid();
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("globals"))
                .withVariable("target_pid", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(self).array())
                .withAutoload("on_raw", false);
        try (Collection c = Collection.load(spec)) {
            assertEquals(List.of("on_getppid"), List.copyOf(c.programs().keySet()));
            c.setVariable("counter", new byte[] {100, 0, 0, 0}); // through the mapping, seen by the program
            assertEquals(1, c.attachAll().size());
            for (int i = 0; i < 5; i++) org.bpf4j.sys.Native.getppid();
            assertEquals(105, le32(c.variable("counter")), "counter = bump() + 1 on each call, from 100");
            assertEquals(105, le32(java.util.Arrays.copyOf(c.map(".data").lookup(KEY0).orElseThrow(), 4)), "the map holds what the mapping shows");
            assertThrows(UserException.class, () -> c.data(".text"));
            long hits = ByteBuffer.wrap(c.variable("hits")).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertTrue(hits >= 5, "hits " + hits);
            // bump() counted them under this pid in the hash map
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(self).array();
            long counted = ByteBuffer.wrap(c.map("counts").lookup(key).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(hits, counted);
        }
    }

    @Test
    void coreRelocationsTakeThisKernelsValues() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("core"));
        Btf vmlinux = Btf.vmlinux();
        BtfType.Struct task = vmlinux.find(BtfType.Struct.class, "task_struct").orElseThrow();
        try (Collection c = Collection.load(spec)) {
            c.program("core_values").testRun(null, new byte[8], 0, 0);
            byte[] res = c.variable("res");
            Map<String, Long> r = new java.util.LinkedHashMap<>();
            String[] names = {"off_pid", "size_comm", "exists_pid", "exists_missing", "signed_pid", "signed_flags",
                    "bf_off", "bf_size", "bf_lshift", "bf_rshift", "bf_signed", "arr_off", "nested_off", "id_local",
                    "id_kernel", "type_exists", "type_missing", "type_size", "type_matches", "enum_exists",
                    "enum_missing", "enum_value", "guarded"};
            ByteBuffer b = ByteBuffer.wrap(res).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < names.length; i++) r.put(names[i], b.getLong(8 * i));

            BtfType.Member pid = task.member("pid").orElseThrow(), comm = task.member("comm").orElseThrow();
            BtfType.Member inExecve = task.member("in_execve").orElseThrow();
            BtfType.Member se = task.member("se").orElseThrow();
            BtfType.Composite seType = (BtfType.Composite) vmlinux.resolve(se.type());
            assertEquals(pid.byteOffset(), r.get("off_pid"));
            assertEquals(vmlinux.sizeOf(comm.type()), r.get("size_comm"));
            assertEquals(1, r.get("exists_pid"));
            assertEquals(0, r.get("exists_missing"));
            assertEquals(1, r.get("signed_pid"));
            assertEquals(0, r.get("signed_flags"));
            // the bit-field: libbpf's arithmetic, from the kernel's member record
            long bitOff = inExecve.bitOffset(), bits = inExecve.bitfieldSize(), size = 4;
            long byteOff = bitOff / 8 / size * size;
            assertEquals(byteOff, r.get("bf_off"));
            assertEquals(size, r.get("bf_size"));
            assertEquals(64 - (bitOff + bits - byteOff * 8), r.get("bf_lshift"));
            assertEquals(64 - bits, r.get("bf_rshift"));
            assertEquals(0, r.get("bf_signed"));
            assertEquals(comm.byteOffset() + 3, r.get("arr_off"));
            assertEquals(se.byteOffset() + seType.member("vruntime").orElseThrow().byteOffset(), r.get("nested_off"));
            assertEquals(spec.btf().find(BtfType.Struct.class, "task_struct").orElseThrow().id(), r.get("id_local"));
            assertEquals(task.id(), r.get("id_kernel"));
            assertEquals(1, r.get("type_exists"));
            assertEquals(0, r.get("type_missing"));
            assertEquals(task.size(), r.get("type_size"));
            assertEquals(0, r.get("type_matches"));
            assertEquals(1, r.get("enum_exists"));
            assertEquals(0, r.get("enum_missing"));
            assertEquals(27, r.get("enum_value"));
            assertEquals(-1, r.get("guarded"), "the poisoned read was dead code");
            assertTrue(c.coreDecisions("core_values").stream().anyMatch(CoreRelocator.Decision::poisoned));
        }
    }

    @Test
    void anUnguardedPoisonedReadIsRejectedAtItsInstruction() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("poison"));
        VerifierException e = assertThrows(VerifierException.class, () -> Collection.load(spec).close());
        assertTrue(e.log().contains("invalid func unknown#195896080"), e.log());
    }

    @Test
    void theVerifierLogQuotesTheSourceLine() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("verifier"));
        VerifierException e = assertThrows(VerifierException.class, () -> Collection.load(spec).close());
        assertTrue(e.log().contains("*value += 1; /* bpf4j: no NULL check here */"), e.log());
    }

    @Test
    void tailCallsAndMapsOfMapsGetTheirInitialSlots() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("maps"));
        try (Collection c = Collection.load(spec)) {
            byte[] one = {1, 0, 0, 0};
            int inner1 = c.map("inner1").id();
            assertEquals(inner1, le32(c.map("outer").lookup(one).orElseThrow()));
            assertTrue(c.map("outer").lookup(KEY0).isEmpty());
            assertEquals(c.program("tail_target").info().id(), le32(c.map("jumps").lookup(KEY0).orElseThrow()));
            c.program("use_maps").testRun(null, new byte[8], 0, 0);
            assertEquals(1, ByteBuffer.wrap(c.variable("tail_runs")).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                    "use_maps tail-called tail_target");
            assertEquals(1, ByteBuffer.wrap(c.map("inner1").lookup(KEY0).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                    "use_maps wrote through the map of maps into inner1");
        }
    }

    @Test
    void subprogramsGlobalFunctionsAndCallbacksRun() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("calls"));
        try (Collection c = Collection.load(spec)) {
            c.program("first").testRun(null, new byte[8], 0, 0);
            assertEquals(9 + 16 + 3, ByteBuffer.wrap(c.variable("total")).order(ByteOrder.LITTLE_ENDIAN).getLong());
            assertEquals(0 + 1 + 2 + 3, ByteBuffer.wrap(c.variable("loops")).order(ByteOrder.LITTLE_ENDIAN).getLong());
            c.program("second").testRun(null, new byte[8], 0, 0);
            assertEquals(25, ByteBuffer.wrap(c.variable("total")).order(ByteOrder.LITTLE_ENDIAN).getLong());
            // first: itself, sum_squares, square, global_add, loop_step; second: itself and square
            assertEquals(5, c.program("first").info().funcTypeIds().length);
            assertEquals(2, c.program("second").info().funcTypeIds().length);
        }
    }

    @Test
    void mapsPinnedByNameAreReusedByTheNextLoad() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of("/sys/fs/bpf/bpf4j_pins_" + ProcessHandle.current().pid());
        java.nio.file.Files.createDirectory(root);
        java.nio.file.Path pin = root.resolve("shared_counts");
        try {
            CollectionSpec spec = ObjectFile.read(BpfObjects.object("pinned"));
            Collection.Options options = new Collection.Options(null, root);
            int id;
            try (Collection a = Collection.load(spec, options)) {
                id = a.map("shared_counts").id();
                a.program("bump_shared").testRun(null, new byte[8], 0, 0);
            }
            assertTrue(java.nio.file.Files.exists(pin), "pinned on first load, and the pin outlives the collection");
            try (Collection b = Collection.load(spec, options)) {
                assertEquals(id, b.map("shared_counts").id(), "the second load reuses the pinned map");
                b.program("bump_shared").testRun(null, new byte[8], 0, 0);
                assertEquals(2, ByteBuffer.wrap(b.map("shared_counts").lookup(new byte[] {1, 0, 0, 0}).orElseThrow())
                        .order(ByteOrder.LITTLE_ENDIAN).getLong());
            }
            // something else pinned under that name: refused, with both shapes named
            org.bpf4j.sys.BpfFs.unpin(pin);
            try (KernelMap other = KernelMap.create(org.bpf4j.map.MapSpec.of("other", org.bpf4j.map.MapType.HASH, 4, 8, 4))) {
                other.pin(pin);
            }
            UserException e = assertThrows(UserException.class, () -> Collection.load(spec, options).close());
            assertTrue(e.getMessage().contains("pinned at " + pin + " is a hash"), e.getMessage());
        } finally {
            org.bpf4j.sys.BpfFs.unpin(pin);
            java.nio.file.Files.deleteIfExists(root);
        }
    }

    @Test
    void externsTakeTheRunningKernelsValues() throws Exception {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("externs"));
        try (Collection c = Collection.load(spec)) {
            assertTrue(c.program("uses_externs").info().btfId() > 0, "the object's BTF, externs rewritten, was accepted");
            c.attachAll();
            for (int i = 0; i < 3; i++) org.bpf4j.sys.Native.getppid();
            String[] release = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
            long expected = (Long.parseLong(release[0]) << 16) + (Long.parseLong(release[1]) << 8) + Math.min(255, Long.parseLong(release[2]));
            assertEquals(expected, le64(c.variable("version")));
            assertEquals(1, le64(c.variable("has_bpf")), "CONFIG_BPF_SYSCALL=y");
            assertEquals(0, le64(c.variable("no_such")), "a __weak option the kernel lacks is 0");
            assertTrue(le64(c.variable("hz")) >= 100, "CONFIG_HZ " + le64(c.variable("hz")));
            assertEquals(1, le64(c.variable("found_self")), "bpf_task_from_pid(current) through a kfunc found the task");
        }
    }

    @Test
    void aTypedKernelVariableIsNamedToTheVerifierByItsBtfId() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("ksym"));
        boolean listed = org.bpf4j.symbols.Kallsyms.get().address("runqueues").isPresent();
        if (listed) {
            try (Collection c = Collection.load(spec)) {
                c.attachAll();
                org.bpf4j.sys.Native.getppid();
                assertEquals(100, le64(c.variable("cpu0")), "runqueues of CPU 0 through a typed ksym");
            }
        } else {
            // the kernel looked the BTF id up and found no address: libbpf 1.1 fails with the same log line
            VerifierException e = assertThrows(VerifierException.class, () -> Collection.load(spec).close());
            assertTrue(e.log().contains("failed to find the address for kernel symbol 'runqueues'"), e.log());
            org.bpf4j.testing.Bpftool.Result libbpf = org.bpf4j.testing.Bpftool.exec("prog", "loadall",
                    BpfObjects.object("ksym").toString(), "/sys/fs/bpf/bpf4j_ksym_" + ProcessHandle.current().pid());
            assertNotEquals(0, libbpf.status());
            assertTrue(libbpf.err().contains("failed to find the address for kernel symbol 'runqueues'"), libbpf.err());
        }
    }

    static long le64(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(); }

    @Test
    void uprobeSectionsAttachToTheLibraryTheyName() {
        int self = (int) ProcessHandle.current().pid();
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("uprobe"))
                .withVariable("target_tgid", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(self).array());
        try (Collection c = Collection.load(spec)) {
            List<org.bpf4j.link.Link> links = c.attachAll();
            assertEquals(2, links.size());
            assertTrue(links.get(0).describe().startsWith("uprobe:") && links.get(0).describe().endsWith(":getppid"), links.get(0).describe());
            int ppid = 0;
            for (int i = 0; i < 4; i++) ppid = org.bpf4j.sys.Native.getppid();
            assertEquals(4, le64(c.variable("entries")));
            assertEquals(4, le64(c.variable("returns")));
            assertEquals(ppid, le64(c.variable("last_ret")), "the uretprobe saw getppid's return value");
        }
    }

    @Test
    void legacyMapsLoadAsCiliumLoadsThem() {
        // libbpf 1.0+ refuses the 'maps' section (bpftool 7.1: "legacy map definitions ... are not supported");
        // bpf4j reads it, as cilium/ebpf does
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("legacy"));
        try (Collection c = Collection.load(spec)) {
            c.program("count").testRun(null, new byte[8], 0, 0);
            assertEquals(1, ByteBuffer.wrap(c.map("legacy_counts").lookup(new byte[] {2, 0, 0, 0}).orElseThrow())
                    .order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    @Test
    void attachAllGivesTheKernelsRefusalForKprobesAndAttachesTpBtf() {
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("attach"));
        try (Collection c = Collection.load(spec)) {
            if (!org.bpf4j.link.AttachSupport.kprobes().supported()) {
                NotSupportedException e = assertThrows(NotSupportedException.class, c::attachAll);
                assertTrue(e.getMessage().startsWith("kprobes: "), e.getMessage());
                assertTrue(c.links().isEmpty(), "nothing left attached");
            }
            c.attach("on_sys_enter");
            for (int i = 0; i < 3; i++) org.bpf4j.sys.Native.getppid();
            assertTrue(ByteBuffer.wrap(c.variable("btf_hits")).order(ByteOrder.LITTLE_ENDIAN).getLong() >= 3);
        }
        if (!org.bpf4j.link.AttachSupport.fentry().supported()) {
            NotSupportedException e = assertThrows(NotSupportedException.class,
                    () -> Collection.load(spec.withAutoload("on_fentry", true)).close());
            assertTrue(e.getMessage().startsWith("fentry/fexit: "), e.getMessage());
        }
    }

    static int le32(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(); }
}
