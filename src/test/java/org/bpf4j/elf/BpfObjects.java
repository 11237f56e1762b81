package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.CDump;
import org.bpf4j.testing.Kernel;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the C fixtures under src/test/resources/elf with Debian's clang-19 ({@code clang-19 -g -O2 -target bpf
 * -c}), against libbpf-dev's headers and a vmlinux.h written by bpf4j's own BTF dumper from this kernel's BTF.
 * Objects go to target/elf-fixtures and are rebuilt when their source is newer. A machine without clang-19 skips
 * the tests (fails them under {@code BPF4J_REQUIRE_KERNEL=1}: ./test installs it).
 */
public final class BpfObjects {
    private BpfObjects() {}

    private static final Path SOURCES = Path.of("src/test/resources/elf");
    private static final Path OUT = Path.of("target/elf-fixtures");
    private static final String CLANG = "/usr/bin/clang-19";

    /** The object built from {@code name}.bpf.c, compiled now if needed. */
    public static synchronized Path object(String name) {
        if (!Files.isExecutable(Path.of(CLANG))) Kernel.unless("clang-19 is not installed (apt-get install clang-19)");
        if (!Files.exists(Path.of("/usr/include/bpf/bpf_helpers.h")))
            Kernel.unless("libbpf's headers are not installed (apt-get install libbpf-dev)");
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) Kernel.unless("no kernel BTF for vmlinux.h");
        try {
            Files.createDirectories(OUT);
            Path header = OUT.resolve("vmlinux.h");
            if (!Files.exists(header)) {
                Path tmp = Files.createTempFile(OUT, "vmlinux", ".h");
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    CDump.header(Btf.vmlinux(), w);
                }
                Files.move(tmp, header, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            Path src = SOURCES.resolve(name + ".bpf.c"), obj = OUT.resolve(name + ".bpf.o");
            if (!Files.exists(src)) throw new AssertionError("no fixture " + src);
            if (Files.exists(obj) && Files.getLastModifiedTime(obj).compareTo(Files.getLastModifiedTime(src)) > 0) return obj;
            Path err = Files.createTempFile(OUT, name, ".err");
            Process p = new ProcessBuilder(List.of(CLANG, "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_x86",
                    "-I", OUT.toString(), "-c", src.toString(), "-o", obj.toString()))
                    .redirectErrorStream(true).redirectOutput(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("clang-19 timed out on " + src);
            }
            String out = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) throw new AssertionError("clang-19 failed on " + src + ":\n" + out);
            return obj;
        } catch (IOException e) {
            throw new AssertionError("building " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The object's bytes. */
    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(object(name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
