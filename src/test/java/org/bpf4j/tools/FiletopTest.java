package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** filetop against the test's own file: ten 4 KiB writes, then 8 KiB reads to the end, by this thread. */
@Tag("kernel")
class FiletopTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void countsTheTestsReadsAndWritesOfItsFile() throws Exception {
        String name = "filetop-" + ProcessHandle.current().pid() + ".dat";
        Path f = Path.of(System.getProperty("user.dir"), "target", name);
        long[] tid = {0};
        try {
            String out = ToolRun.run(new Filetop(), List.of("-C", "-p", String.valueOf(ProcessHandle.current().pid())), () -> {
                tid[0] = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
                try (FileOutputStream o = new FileOutputStream(f.toFile())) {
                    for (int i = 0; i < 10; i++) o.write(new byte[4096]);      // ten write(2)s of 4 KiB
                }
                byte[] buf = new byte[8192];
                try (FileInputStream in = new FileInputStream(f.toFile())) {
                    while (in.read(buf) > 0) { }                             // five reads of 8 KiB, and one at the end
                }
            }, text -> text.contains(" " + name + "\n"));
            assertTrue(out.startsWith("Tracing... Output every 1 secs. Hit Ctrl-C to end\n\n"), out);
            assertTrue(out.matches("(?s).*\n\\d\\d:\\d\\d:\\d\\d loadavg: [\\d.]+ [\\d.]+ [\\d.]+ \\d+/\\d+ \\d+\n\n"
                    + "TID     COMM             READS  WRITES R_Kb    W_Kb    T FILE\n.*"), out);
            // an interval may end in the middle: add the rows up
            long reads = 0, writes = 0, rkb = 0, wkb = 0;
            Matcher m = Pattern.compile("(?m)^" + tid[0] + " +\\S.{15} (\\d+) +(\\d+) +(\\d+) +(\\d+) +R " + Pattern.quote(name) + "$").matcher(out);
            while (m.find()) {
                reads += Long.parseLong(m.group(1));
                writes += Long.parseLong(m.group(2));
                rkb += Long.parseLong(m.group(3));
                wkb += Long.parseLong(m.group(4));
            }
            assertEquals(10, writes, out);
            assertEquals(40, wkb, out);
            assertEquals(6, reads, out);
            assertTrue(rkb >= 40 && rkb <= 48, "the sizes asked for, 6 x 8 KiB, per interval rounded down:\n" + out);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void directoryKeepsOnlyItsOwnFiles() throws Exception {
        long me = ProcessHandle.current().pid();
        Path dir = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "filetop-dir-" + me));
        Path inside = dir.resolve("inside.dat"), outside = dir.resolveSibling("filetop-outside-" + me + ".dat");
        try {
            String out = ToolRun.run(new Filetop(), List.of("-C", "-p", String.valueOf(me), "-d", dir.toString()), () -> {
                for (Path f : List.of(outside, inside)) {
                    try (FileOutputStream o = new FileOutputStream(f.toFile())) {
                        for (int i = 0; i < 3; i++) o.write(new byte[4096]);
                    }
                }
            }, text -> text.contains(" inside.dat\n"));
            long ino = (Long) Files.getAttribute(dir, "unix:ino");
            assertTrue(out.startsWith("Tracing directory: " + dir + " (Inode: " + ino + ")\nTracing... Output every 1 secs."), out);
            assertTrue(out.matches("(?s).*\n\\d+ +\\S.{15} 0 +3 +0 +12 +R inside\\.dat\n.*"), out);
            assertFalse(out.contains("filetop-outside-"), "a file of another directory is left out:\n" + out);
        } finally {
            Files.deleteIfExists(inside);
            Files.deleteIfExists(outside);
            Files.deleteIfExists(dir);
        }
        Filetop f = new Filetop();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        assertEquals(1, f.run(f.args().parse(List.of("-d", "/nonexistent-" + me)), new java.io.PrintStream(b, true), () -> true));
        assertEquals("Error accessing directory /nonexistent-" + me + ": [Errno 2] No such file or directory: '/nonexistent-" + me + "'\n", b.toString());
    }
}
