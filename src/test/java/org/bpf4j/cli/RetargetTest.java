package org.bpf4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.*;

/** The launcher's build step (scripts/Retarget.java) on the real picocli jar: no old class files, all verify. */
class RetargetTest {
    @Test
    void picocliBecomesVersion52AndTheCommandLineRunsUnderFullVerification(@TempDir Path dir) throws Exception {
        String jvm = ProcessHandle.current().info().command().orElse("java");
        Path picocli = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(Path::of).filter(p -> p.getFileName().toString().startsWith("picocli")).findFirst().orElseThrow();
        Path out = dir.resolve("picocli.jar");
        Process p = new ProcessBuilder(jvm, Path.of("scripts/Retarget.java").toAbsolutePath().toString(),
                picocli.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.matches("retargeted [1-9]\\d* class files\\s*"), log);
        try (ZipFile z = new ZipFile(out.toFile())) {
            long old = z.stream().filter(e -> e.getName().endsWith(".class")).filter(e -> {
                try (var in = z.getInputStream(e)) {
                    byte[] h = in.readNBytes(8);
                    return ((h[6] & 0xff) << 8 | (h[7] & 0xff)) < 50;
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }).count();
            assertEquals(0, old);
        }
        // the rewritten picocli, fully verified, runs bpf4j's command line
        String classes = Path.of("target/classes").toAbsolutePath().toString();
        Process run = new ProcessBuilder(jvm, "-Xverify:all", "-cp", out + java.io.File.pathSeparator + classes,
                Main.class.getName(), "prog", "--help").redirectErrorStream(true).start();
        String help = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), help);
        assertTrue(help.startsWith("Usage: bpf4j prog"), help);
        assertFalse(help.contains("VerifyError"), help);
        assertTrue(List.of(help.split("\n")).size() > 5);
    }
}
