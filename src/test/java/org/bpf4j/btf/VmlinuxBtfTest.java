package org.bpf4j.btf;

import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The running kernel's BTF, checked against bpftool's dumps of the same file and against a C compiler. */
@Tag("kernel")
class VmlinuxBtfTest {
    static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    @BeforeEach
    void btf() {
        Kernel.unless(Files.isReadable(VMLINUX) ? null : "no " + VMLINUX + " (kernel built without CONFIG_DEBUG_INFO_BTF)");
    }

    @Test
    void wellKnownTypes() {
        Btf btf = Btf.vmlinux();
        assertSame(btf, Btf.vmlinux(), "cached");
        var task = btf.find(BtfType.Struct.class, "task_struct").orElseThrow();
        var pid = task.member("pid").orElseThrow();
        assertEquals(4, btf.sizeOf(pid.type()));
        assertEquals("pid_t", btf.type(pid.type()).name());
        assertTrue(btf.resolve(pid.type()) instanceof BtfType.Int i && i.signed() && i.size() == 4);
        assertEquals(8, btf.pointerSize());
        var proto = btf.type(btf.find(BtfType.Func.class, "do_sys_openat2").orElseThrow().type());
        assertEquals(List.of("dfd", "filename", "how"), ((BtfType.FuncProto) proto).params().stream().map(BtfType.Param::name).toList());
    }

    @Test
    void rawDumpMatchesBpftoolLineForLine() {
        String expected = Bpftool.run("btf", "dump", "file", VMLINUX.toString());
        StringBuilder ours = new StringBuilder(expected.length());
        RawDump.dump(Btf.vmlinux(), ours);
        assertLinesEqual(expected, ours.toString());
    }

    @Test
    void cDumpMatchesBpftoolSaveForOneByteEnums() {
        String expected = Bpftool.run("btf", "dump", "file", VMLINUX.toString(), "format", "c");
        StringBuilder ours = new StringBuilder(expected.length());
        CDump.header(Btf.vmlinux(), ours);
        // bpftool 7.1's libbpf does not mark 1-byte enums, so a struct embedding one gets the wrong layout; we add
        // mode(byte) as newer libbpf does. Everything else is the same text.
        assertLinesEqual(expected, ours.toString().replace("} __attribute__((mode(byte)));", "};"));
        assertTrue(ours.toString().contains("} __attribute__((mode(byte)));"));
    }

    /** Every struct and union compiles to the size and member offsets that BTF records. */
    @Test
    void headerCompilesWithTheKernelsLayouts(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Btf btf = Btf.vmlinux();
        Path header = dir.resolve("vmlinux.h");
        try (var w = Files.newBufferedWriter(header)) {
            CDump.header(btf, w);
        }
        StringBuilder c = new StringBuilder("#include \"vmlinux.h\"\n#define CHECK(c) _Static_assert(c, #c);\n");
        int checks = 0;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (!(btf.type(id) instanceof BtfType.Composite s) || s.name().isEmpty()) continue;
            // a tag used twice is renamed name___2 by the dump: check only unique ones
            if (btf.findAllByName(s.name()).stream().filter(t -> t instanceof BtfType.Composite || t instanceof BtfType.Enumeration).count() > 1)
                continue;
            String tag = (s instanceof BtfType.Struct ? "struct " : "union ") + s.name();
            c.append("CHECK(sizeof(").append(tag).append(") == ").append(s.size()).append(")\n");
            checks++;
            for (BtfType.Member m : s.members()) {
                if (m.bitfieldSize() != 0 || m.name().isEmpty()) continue;
                c.append("CHECK(__builtin_offsetof(").append(tag).append(", ").append(m.name()).append(") == ")
                        .append(m.bitOffset() / 8).append(")\n");
                checks++;
            }
        }
        assertTrue(checks > 10000, "checks: " + checks);
        Path source = dir.resolve("layout.c");
        Files.writeString(source, c);
        // clang is the oracle (vmlinux.h is for clang -target bpf); CI installs it, elsewhere gcc checks the layouts
        boolean clang = new File("/usr/bin/clang").canExecute();
        if (!clang && (Kernel.required() || !new File("/usr/bin/gcc").canExecute()))
            Kernel.unless("clang is not installed (apt-get install clang): it is the oracle that accepts vmlinux.h");
        // The header is for BPF programs: clang must accept it for the BPF target.
        if (clang) compile(List.of("/usr/bin/clang", "-target", "bpf", "-fsyntax-only", "-Wno-unknown-pragmas", "-x", "c", header.toString()));
        // The layouts are the kernel's (x86-64): check them on the host target, where va_list is x86-64's 24-byte
        // array as in the kernel (under -target bpf it is a pointer, so a struct holding one cannot match).
        compile(List.of(clang ? "/usr/bin/clang" : "/usr/bin/gcc", "-fsyntax-only", "-Wno-ignored-attributes",
                "-Wno-unknown-pragmas", source.toString()));
    }

    private static void compile(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out.lines().limit(20).reduce("", (a, b) -> a + b + "\n"));
    }

    /** Equal texts, or a message pointing at the first line that differs (the texts are too long to print). */
    static void assertLinesEqual(String expected, String actual) {
        if (expected.equals(actual)) return;
        String[] e = expected.split("\n", -1), a = actual.split("\n", -1);
        for (int i = 0; i < Math.min(e.length, a.length); i++)
            if (!e[i].equals(a[i])) fail("line " + (i + 1) + ": expected <" + e[i] + "> but was <" + a[i] + ">");
        fail("expected " + e.length + " lines but was " + a.length);
    }

    @Test
    void nameLookupsScannedInPlaceFindWhatTheIndexFinds() {
        Btf lazy = Btf.readKernel(VMLINUX, null); // a fresh copy: its first lookups scan the names, later ones use an index
        List<String> names = List.of("task_struct", "__traceiter_sched_switch", "fd", "__u32", "no_such_type_here",
                "list_head", "sk_buff", "file", "task_struct", "irqaction");
        List<List<Integer>> first = new ArrayList<>(), again = new ArrayList<>();
        for (String n : names) first.add(lazy.findAllByName(n).stream().map(BtfType::id).toList());
        for (String n : names) again.add(lazy.findAllByName(n).stream().map(BtfType::id).toList());
        assertEquals(again, first);
        assertTrue(first.get(4).isEmpty());
        assertEquals(Btf.vmlinux().find(BtfType.Struct.class, "task_struct").orElseThrow().id(), (int) first.get(0).getFirst());
        assertEquals("__traceiter_sched_switch", lazy.type(first.get(1).getFirst()).name());
    }

    @Test
    void oneDefinitionIsTheStructAlone() {
        Btf btf = Btf.vmlinux();
        int fd = btf.find(BtfType.Struct.class, "fd").orElseThrow().id();
        assertEquals("struct fd {\n\tlong unsigned int word;\n};", CDump.definition(btf, fd));
        // the same text as the whole dump's definition of it
        String task = CDump.definition(btf, btf.find(BtfType.Struct.class, "task_struct").orElseThrow().id());
        assertTrue(task.startsWith("struct task_struct {\n") && task.endsWith("\n};"), task);
        String all = CDump.definitions(btf, btf.find(BtfType.Struct.class, "task_struct").orElseThrow().id());
        assertTrue(all.contains(task), "the definition in the whole dump");
    }
}
