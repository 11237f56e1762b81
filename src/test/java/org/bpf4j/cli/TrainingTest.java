package org.bpf4j.cli;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The training runs behind the tools' start-up caches: each runs through (every script it compiles and runs is
 * still valid bpf4j), the JVM writes a cache from it, and a tool started with that cache runs.
 */
class TrainingTest {
    @ParameterizedTest
    @ValueSource(strings = {"trace", "stap", "killsnoop"})
    void trainsACacheThatTheToolStartsFrom(String tool) throws Exception {
        Kernel.require();
        Path dir = Files.createTempDirectory("bpf4j-aot");
        Path cache = dir.resolve(tool + ".aot");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = jarredClassPath(dir);
            List<String> common = List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                    "-Xlog:aot=off", "-Xlog:cds=off");
            var train = new java.util.ArrayList<>(common);
            train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-cp", cp, Training.class.getName(), tool));
            Process p = new ProcessBuilder(train).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), log);
            assertTrue(Files.size(cache) > 1 << 20, "a cache of classes was written");
            var run = new java.util.ArrayList<>(common);
            run.addAll(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-cp", cp, Main.class.getName(), tool,
                    tool.equals("killsnoop") ? "-h" : "-V"));
            Process r = new ProcessBuilder(run).redirectErrorStream(true).start();
            String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(r.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, r.exitValue(), out);   // AOTMode=on: the JVM refuses to start when the cache is unusable
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    /** This JVM's class path with each directory packed into a jar in {@code dir}: a cache takes jars only. */
    private static String jarredClassPath(Path dir) throws java.io.IOException {
        List<String> out = new java.util.ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path e = Path.of(entry);
            if (!Files.isDirectory(e)) {
                out.add(entry);
                continue;
            }
            Path jar = dir.resolve("classes" + n++ + ".jar");
            try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar)); var walk = Files.walk(e)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    zip.putNextEntry(new java.util.zip.ZipEntry(e.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, zip);
                    zip.closeEntry();
                }
            }
            out.add(jar.toString());
        }
        return String.join(java.io.File.pathSeparator, out);
    }
}
