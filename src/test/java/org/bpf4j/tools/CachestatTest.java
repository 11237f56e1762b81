package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * cachestat against a file whose pages are known: 4 MiB (1024 pages) dropped from the cache, then read twice by this
 * JVM: the first read misses every page, the second hits every page. Counted for this process only, so that the
 * rest of the machine does not blur the figures.
 */
@Tag("kernel")
class CachestatTest {
    private static final int PAGES = 1024;

    @BeforeEach
    void kernel() { Kernel.require(); }

    private static void read(Path f) throws Exception {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(f)) {
            while (in.read(buf) > 0) { }
        }
    }

    @Test
    void aColdReadMissesAndAWarmReadHits() throws Exception {
        Path f = Files.createTempFile(Path.of(System.getProperty("user.dir"), "target"), "cachestat", ".bin");
        try {
            try (OutputStream o = Files.newOutputStream(f)) {
                o.write(new byte[PAGES * 4096]);
            }
            Process sync = new ProcessBuilder("dd", "if=" + f, "of=" + f, "conv=notrunc,fdatasync", "count=0").redirectErrorStream(true).start();
            sync.getInputStream().readAllBytes();
            assertEquals(0, sync.waitFor());
            // dd's nocache with count=0 drops the file's pages from the cache (posix_fadvise DONTNEED)
            Process drop = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0").redirectErrorStream(true).start();
            drop.getInputStream().readAllBytes();
            assertEquals(0, drop.waitFor());
            String out = ToolRun.run(new Cachestat("pid == " + ProcessHandle.current().pid()), List.of(), () -> {
                read(f);
                read(f);
            }, null);
            assertTrue(out.startsWith("    HITS   MISSES  DIRTIES HITRATIO   BUFFERS_MB  CACHED_MB\n"), out);
            assertTrue(out.endsWith("\nDetaching...\n"), out);
            long hits = 0, misses = 0;
            Matcher m = Pattern.compile("(?m)^ +(\\d+) +(\\d+) +(\\d+) +(\\d+\\.\\d\\d)% +(\\d+) +(\\d+)$").matcher(out);
            while (m.find()) {
                hits += Long.parseLong(m.group(1));
                misses += Long.parseLong(m.group(2));
            }
            // the JVM's own class loading may add a few pages; the file's are 1024 of each
            assertTrue(misses >= PAGES && misses < PAGES + 200, "misses " + misses + ":\n" + out);
            assertTrue(hits >= PAGES - 20 && hits < PAGES + 400, "hits " + hits + ":\n" + out);
        } finally {
            Files.delete(f);
        }
    }
}
