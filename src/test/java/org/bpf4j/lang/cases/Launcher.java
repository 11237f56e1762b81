package org.bpf4j.lang.cases;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A {@code bpftrace} command for this build, for tests that run bpf4j as bpftrace's drop-in: a jar of
 * target/classes beside picocli's, started with a class-data archive (as ./bpf4j does), the process named
 * "bpftrace" (its comm and its argv[0]).
 */
final class Launcher {
    private Launcher() {}

    /** Writes the jar and the launcher script into {@code dir}; returns the script. */
    static Path create(Path dir) throws IOException {
        String[] cp = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        Path classes = Stream.of(cp).map(Path::of).filter(p -> p.endsWith(Path.of("target", "classes"))).findFirst().orElseThrow();
        String picocli = Stream.of(cp).filter(p -> p.contains("picocli")).findFirst().orElseThrow();
        Path jar = dir.resolve("bpf4j.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                try (InputStream in = Files.newInputStream(f)) { in.transferTo(out); }
                out.closeEntry();
            }
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path script = dir.resolve("bpftrace");
        // argv[0] "bpftrace" as well as the comm, so that the cases' `pidof bpftrace` finds it (bash's exec -a)
        Files.writeString(script, "#!/bin/bash\nBPF4J_PROGNAME=bpftrace exec -a bpftrace '" + java + "' --enable-native-access=ALL-UNNAMED"
                + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile='" + dir.resolve("bpf4j.jsa")
                + "' -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off -cp '" + jar + ":" + picocli
                + "' org.bpf4j.cli.Main trace \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
