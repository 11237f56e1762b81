package org.bpf4j.elf.gen;

import org.bpf4j.elf.BpfObjects;
import org.bpf4j.elf.CollectionSpec;
import org.bpf4j.elf.ObjectFile;
import org.bpf4j.map.KernelMap;
import org.bpf4j.perf.RecordHandler;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The generated class for each fixture compiles; the execsnoop one runs end to end against real execs. */
class JavaGeneratorTest {
    @TempDir
    Path dir;

    /** Generates, compiles and loads the class for {@code fixture} in package {@code gen.test}. */
    private Class<?> build(String fixture, URLClassLoader[] holder) throws Exception {
        Path obj = BpfObjects.object(fixture);
        CollectionSpec spec = ObjectFile.read(obj);
        String cls = JavaGenerator.className(spec);
        String source = JavaGenerator.generate(spec, "gen.test", cls, obj.getFileName().toString());
        Path pkg = Files.createDirectories(dir.resolve("gen/test"));
        Path java = pkg.resolve(cls + ".java");
        Files.writeString(java, source);
        Files.copy(obj, pkg.resolve(obj.getFileName()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-Xlint:all", "-Werror", "-d", dir.toString(),
                "-cp", Path.of("target/classes").toAbsolutePath().toString(), java.toString());
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8) + "\n" + source);
        URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        holder[0] = loader;
        return loader.loadClass("gen.test." + cls);
    }

    @Test
    void everyFixturesClassCompilesWithoutWarnings() throws Exception {
        for (String f : List.of("globals", "core", "maps", "execsnoop", "calls", "legacy")) {
            URLClassLoader[] l = new URLClassLoader[1];
            Class<?> c = build(f, l);
            l[0].close();
            assertTrue(AutoCloseable.class.isAssignableFrom(c), f);
        }
    }

    @Test
    void theExecsnoopClassHasTypedMembers() throws Exception {
        URLClassLoader[] l = new URLClassLoader[1];
        Class<?> c = build("execsnoop", l);
        try (URLClassLoader loader = l[0]) {
            Class<?> event = loader.loadClass("gen.test.Execsnoop$Event");
            assertTrue(event.isRecord());
            List<String> comps = new ArrayList<>();
            for (var rc : event.getRecordComponents()) comps.add(rc.getType().getSimpleName() + " " + rc.getName());
            assertEquals(List.of("int pid", "int ppid", "int uid", "int retval", "byte[] comm", "byte[] filename"), comps);
            var layout = (java.lang.foreign.StructLayout) event.getField("LAYOUT").get(null);
            assertEquals(ObjectFile.read(BpfObjects.object("execsnoop")).btf()
                    .find(org.bpf4j.btf.BtfType.Struct.class, "event").orElseThrow().size(), layout.byteSize());
            assertNotNull(c.getMethod("handleExecve"));
            assertEquals(KernelMap.class, c.getMethod("events").getReturnType());
            assertEquals(long.class, c.getMethod("seen").getReturnType());
            Class<?> spec = loader.loadClass("gen.test.Execsnoop$Spec");
            assertNotNull(spec.getMethod("targetPpid", int.class));
            // a round trip through the record's C bytes
            Object e = event.getConstructors()[0].newInstance(1, 2, 3, -4, new byte[16], new byte[64]);
            byte[] bytes = (byte[]) event.getMethod("toBytes").invoke(e);
            assertEquals(e, event.getMethod("read", MemorySegment.class).invoke(null, MemorySegment.ofArray(bytes)));
        }
    }

    @Test
    @Tag("kernel")
    void theGeneratedExecsnoopPrintsRealExecs() throws Exception {
        Kernel.require();
        URLClassLoader[] l = new URLClassLoader[1];
        Class<?> c = build("execsnoop", l);
        try (URLClassLoader loader = l[0]) {
            Class<?> event = loader.loadClass("gen.test.Execsnoop$Event");
            Method read = event.getMethod("read", MemorySegment.class);
            Method filename = event.getMethod("filename"), pid = event.getMethod("pid"), comm = event.getMethod("comm");
            int self = (int) ProcessHandle.current().pid();
            Object spec = c.getMethod("spec").invoke(null);
            spec = spec.getClass().getMethod("targetPpid", int.class).invoke(spec, self);
            List<String> lines = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            try (AutoCloseable skel = (AutoCloseable) spec.getClass().getMethod("load").invoke(spec)) {
                assertEquals(1, ((List<?>) c.getMethod("attachAll").invoke(skel)).size());
                KernelMap events = (KernelMap) c.getMethod("events").invoke(skel);
                RecordHandler h = new RecordHandler() {
                    @Override
                    public void onRecord(int cpu, MemorySegment data) {
                        try {
                            Object e = read.invoke(null, data);
                            String f = cString((byte[]) filename.invoke(e));
                            if (f.equals("/bin/true")) {
                                pids.add((long) (int) pid.invoke(e));
                                lines.add(pid.invoke(e) + " " + cString((byte[]) comm.invoke(e)) + " " + f);
                            }
                        } catch (ReflectiveOperationException ex) {
                            throw new AssertionError(ex);
                        }
                    }

                    @Override
                    public void onLost(int cpu, long count) { fail("lost " + count); }
                };
                List<Long> children = new ArrayList<>();
                try (RingBuffer ring = RingBuffer.open(events, h)) {
                    for (int i = 0; i < 2; i++) {
                        Process p = new ProcessBuilder("/bin/true").start();
                        children.add(p.pid());
                        assertEquals(0, p.waitFor());
                    }
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (System.nanoTime() < deadline && pids.size() < 2) ring.poll(100);
                }
                lines.forEach(System.out::println);
                assertEquals(children, pids);
                assertTrue((long) c.getMethod("seen").invoke(skel) >= 2);
            }
        }
    }

    @Test
    void docsShowTheGeneratorsCurrentOutput() throws Exception {
        Path obj = BpfObjects.object("execsnoop");
        String source = JavaGenerator.generate(ObjectFile.read(obj), "com.example.trace", "Execsnoop", "execsnoop.bpf.o");
        assertTrue(Files.readString(Path.of("docs/elf.md")).contains("```java\n" + source + "```"),
                "docs/elf.md shows the generated Execsnoop class as the generator writes it now");
    }

    @Test
    void genCommandWritesTheClassAndTheObjectBesideIt() throws Exception {
        Path obj = BpfObjects.object("execsnoop");
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int rc = org.bpf4j.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                "gen", obj.toString(), "-p", "com.example.trace", "-d", dir.toString());
        assertEquals(0, rc, err.toString());
        Path pkg = dir.resolve("com/example/trace");
        assertTrue(Files.readString(pkg.resolve("Execsnoop.java")).contains("package com.example.trace;"));
        assertArrayEquals(Files.readAllBytes(obj), Files.readAllBytes(pkg.resolve("execsnoop.bpf.o")));
        java.io.StringWriter err2 = new java.io.StringWriter();
        rc = org.bpf4j.cli.Main.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err2),
                "gen", obj.toString(), "-p", "com.3bad");
        assertNotEquals(0, rc);
        assertEquals(1, err2.toString().strip().lines().count(), err2.toString());
        assertTrue(err2.toString().contains("'com.3bad' is not a Java package name"), err2.toString());
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
