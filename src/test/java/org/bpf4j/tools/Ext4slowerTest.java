package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ext4slower with threshold 0 against the test's own file on ext4 (the build directory when it is ext4, else a
 * loop-mounted image made with mkfs.ext4): its open, write, fsync, read and pread with their sizes and offsets; and
 * the same writes to a file on tmpfs are not reported.
 */
@Tag("kernel")
class Ext4slowerTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path dir;

    @BeforeEach
    void kernel() { Kernel.require(); }

    /**
     * An ext4 directory: target/ when it is on ext4, else a fresh image mounted under the temporary directory (also
     * with {@code -Dbpf4j.test.ext4image=true}, to try that path on a machine whose build directory is on ext4).
     */
    private Ext4 ext4() throws Exception {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        if (Files.getFileStore(target).type().equals("ext4") && !Boolean.getBoolean("bpf4j.test.ext4image")) return new Ext4(target, null);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")) || Files.isExecutable(Path.of("/sbin/mkfs.ext4")),
                "no ext4 file system here and no mkfs.ext4 to make one (Debian's e2fsprogs)");
        Path image = dir.resolve("ext4.img"), mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        run("truncate", "-s", "16M", image.toString());
        run("mkfs.ext4", "-q", "-F", image.toString());
        run("mount", "-o", "loop", image.toString(), mnt.toString()); // the loop device goes with the umount
        return new Ext4(mnt, mnt);
    }

    /** A directory on ext4, unmounted at the end when the test mounted it. */
    private record Ext4(Path dir, Path mounted) implements AutoCloseable {
        @Override public void close() throws Exception {
            if (mounted != null) run("umount", mounted.toString());
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** Opens, writes 10,000 bytes, fsyncs, reads them back and preads 100 bytes at 8192. */
    private static void workload(Path f) throws IOException {
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(ByteBuffer.wrap(new byte[10_000]));
            c.force(true);
        }
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
            c.read(ByteBuffer.allocate(10_000));
            c.read(ByteBuffer.allocate(100), 8192);
        }
    }

    @Test
    void showsTheTestsOperationsOnItsExt4FileAndNotOnTmpfs() throws Exception {
        Path shm = Path.of("/dev/shm");
        boolean tmpfs = Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs");
        String name = "ext4slower-" + PID + "-" + System.nanoTime() + ".dat";
        try (Ext4 e = ext4()) {
            Path f = e.dir().resolve(name), other = shm.resolve("tmpfs-" + name);
            try {
                String out = ToolRun.run(new Ext4slower(), List.of("-p", PID, "0"), () -> {
                    if (tmpfs) workload(other);
                    workload(f);
                }, text -> text.contains(" R 100     8 ") && text.contains(name));
                assertTrue(out.startsWith("Tracing ext4 operations\n"
                        + "TIME     COMM           PID    T BYTES   OFF_KB   LAT(ms) FILENAME\n"), out);
                String row = "(?m)^\\d\\d:\\d\\d:\\d\\d \\S.{0,13} +" + PID + " +";
                String end = " +\\d+\\.\\d\\d " + Pattern.quote(name) + "$";
                for (String op : List.of("O 0       0       ", "W 10000   0       ", "S 0       0       ", "R 10000   0       ", "R 100     8       "))
                    assertTrue(Pattern.compile(row + Pattern.quote(op) + end).matcher(out).find(), op + " in:\n" + out);
                assertFalse(out.contains("tmpfs-" + name), "a file on tmpfs is reported:\n" + out);
            } finally {
                Files.deleteIfExists(f);
                Files.deleteIfExists(other);
            }
        }
    }

    @Test
    void csvRowsHaveTheBytesOffsetAndLatency() throws Exception {
        String name = "ext4slower-j-" + PID + "-" + System.nanoTime() + ".dat";
        try (Ext4 e = ext4()) {
            Path f = e.dir().resolve(name);
            try {
                String out = ToolRun.run(new Ext4slower(), List.of("-j", "-p", PID, "0"), () -> workload(f),
                        text -> text.contains(",R,100,8192,"));
                assertTrue(out.startsWith("ENDTIME_us,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE\n"), out);
                for (String op : List.of("W,10000,0", "S,0,0", "R,10000,0", "R,100,8192"))
                    assertTrue(Pattern.compile("(?m)^\\d+,[^,]+," + PID + "," + op + ",\\d+," + Pattern.quote(name) + "$").matcher(out).find(),
                            op + " in:\n" + out);
            } finally {
                Files.deleteIfExists(f);
            }
        }
    }
}
