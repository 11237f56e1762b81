package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * biolatency, biosnoop and bitesize see O_DIRECT writes of a known size (dd, 64 KiB blocks, to a file on the root
 * disk under /var/tmp) reach the block layer.
 */
@Tag("kernel")
class BlockToolsTest {
    private Path file;

    @BeforeEach
    void kernel() throws Exception {
        Kernel.require();
        file = Path.of("/var/tmp/bpf4j-block-" + System.nanoTime());
    }

    @AfterEach
    void cleanUp() throws Exception { Files.deleteIfExists(file); }

    /** Writes {@code blocks} blocks of 64 KiB with O_DIRECT and fsync; returns dd's pid. */
    private long ddDirect(int blocks) throws Exception {
        Process p = new ProcessBuilder("dd", "if=/dev/zero", "of=" + file, "bs=64k", "count=" + blocks, "oflag=direct", "conv=fsync")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        return p.pid();
    }

    @Test
    void biosnoopShowsDdsWrites() throws Exception {
        long[] pid = {0};
        String out = ToolRun.run(new Biosnoop(), List.of(), () -> pid[0] = ddDirect(4),
                text -> text.lines().filter(l -> l.matches(".* dd .* W +\\d+ +65536 .*")).count() >= 4);
        assertTrue(out.startsWith("TIME(s)     COMM           PID     DISK      T SECTOR     BYTES  LAT(ms)\n"), out);
        List<String> dd = out.lines().filter(l -> l.matches("\\d+\\.\\d{6} +dd +" + pid[0] + " .*")).toList();
        for (String l : dd) assertTrue(l.matches("\\d+\\.\\d{6} +dd +" + pid[0] + " +vda +[RW] +\\d+ +\\d+ + *\\d+\\.\\d\\d"), l);
        // its program's pages are read in too, and the fsync flushes: the four 64 KiB direct writes are among them
        long writes = dd.stream().filter(l -> l.matches(".* W +\\d+ +65536 +\\d+\\.\\d\\d")).count();
        assertTrue(writes >= 4, "dd (" + pid[0] + ") wrote 4 x 64 KiB with O_DIRECT:\n"
                + String.join("\n", out.lines().filter(l -> l.contains(" W ") && l.contains("65536")).toList()));
    }

    @Test
    void biolatencyCountsTheWrites() throws Exception {
        String out = ToolRun.run(new Biolatency(), List.of(), () -> ddDirect(8), null);
        assertTrue(out.startsWith("Tracing block device I/O... Hit Ctrl-C to end.\n\n     usecs               : count     distribution\n"), out);
        long total = 0;
        for (String l : out.lines().toList()) {
            if (l.matches(" +\\d+ -> \\d+ +: \\d+ +\\|[* ]{40}\\|")) total += Long.parseLong(l.split(":")[1].trim().split(" ")[0]);
        }
        assertTrue(total >= 8, "8 direct writes, " + total + " I/Os counted:\n" + out);
    }

    @Test
    void bitesizePutsDdIn64KbytesBucket() throws Exception {
        String out = ToolRun.run(new Bitesize(), List.of(), () -> ddDirect(8), null);
        int at = out.indexOf("\nProcess Name = dd\n");
        assertTrue(at >= 0, out);
        String section = out.substring(at + 1).split("\n\n")[0];
        String row = ToolRun.line(section, " +64 -> 127 +: \\d+ +\\|.*");
        assertTrue(Long.parseLong(row.split(":")[1].trim().split(" ")[0]) >= 1, section);
    }
}
