package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** runqslower and runqlen under a known CPU load: three named spinning threads of this JVM on two CPUs. */
@Tag("kernel")
class RunqToolsTest {
    private static final long ME = ProcessHandle.current().pid();

    @BeforeEach
    void kernel() { Kernel.require(); }

    /** Three threads named {@code name} spinning for {@code millis}; returns their thread ids (from /proc). */
    static Set<Long> spin(String name, long millis) throws Exception {
        Thread[] busy = new Thread[3];
        long end = System.nanoTime() + millis * 1_000_000L;
        for (int i = 0; i < busy.length; i++) {
            busy[i] = new Thread(() -> { long x = 0; while (System.nanoTime() < end) x++; }, name);
            busy[i].start();
        }
        Thread.sleep(50);
        Set<Long> tids = new HashSet<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList())
                if (Files.readString(t.resolve("comm")).strip().equals(name)) tids.add(Long.parseLong(t.getFileName().toString()));
        }
        for (Thread b : busy) b.join();
        assertEquals(3, tids.size(), "the spinning threads' ids");
        return tids;
    }

    @Test
    void runqslowerShowsTheSpinnersWaits() throws Exception {
        Set<Long> tids = new HashSet<>();
        String out = ToolRun.run(new Runqslower(), List.of("-p", String.valueOf(ME), "1000"), () -> tids.addAll(spin("rqslow", 600)),
                text -> text.contains(" rqslow "));
        assertTrue(out.startsWith("Tracing run queue latency higher than 1000 us\nTIME     COMM             TID           LAT(us)\n"), out);
        Matcher m = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d rqslow +(\\d+) +(\\d+)$").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(tids.contains(Long.parseLong(m.group(1))), "a spinner's TID " + tids + ":\n" + out);
        assertTrue(Long.parseLong(m.group(2)) > 1000, out);
        for (String l : out.lines().skip(2).toList())
            assertTrue(Long.parseLong(l.substring(33).strip()) > 1000, "every row is above min_us:\n" + out);
    }

    @Test
    void runqslowerPreviousNamesTheTaskItReplaced() throws Exception {
        String out = ToolRun.run(new Runqslower(), List.of("-P", "-p", String.valueOf(ME), "1000"), () -> spin("rqprev", 600),
                text -> text.contains(" rqprev "));
        assertTrue(out.contains("\nTIME     COMM             TID           LAT(us) PREV COMM        PREV TID\n"), out);
        ToolRun.line(out, "\\d\\d:\\d\\d:\\d\\d rqprev +\\d+ +\\d+ \\S.{15} \\d+ *");
    }

    @Test
    void runqlenSeesAQueueUnderTheSpinners() throws Exception {
        String out = ToolRun.run(new Runqlen(), List.of(), () -> spin("rqlen", 1000), null);
        assertTrue(out.startsWith("Sampling run queue length... Hit Ctrl-C to end.\n\n     runqlen       : count     distribution\n"), out);
        long waiting = 0, all = 0;
        for (String l : out.lines().toList()) {
            Matcher m = Pattern.compile(" {8}(\\d+) +: (\\d+) +\\|[* ]{40}\\|").matcher(l);
            if (!m.matches()) continue;
            all += Long.parseLong(m.group(2));
            if (Long.parseLong(m.group(1)) > 0) waiting += Long.parseLong(m.group(2));
        }
        // 99 Hz on two CPUs for a second is about 200 samples; three spinners on two CPUs keep one waiting
        assertTrue(all > 50, out);
        assertTrue(waiting > 10, out);
    }

    @Test
    void runqlenPerCpuOccupancy() throws Exception {
        String out = ToolRun.run(new Runqlen(), List.of("-C", "-O"), () -> spin("rqocc", 1000), null);
        Matcher m = Pattern.compile("(?m)^runqocc, CPU (\\d+) +(\\d+\\.\\d\\d)%$").matcher(out);
        double sum = 0;
        int cpus = 0;
        while (m.find()) {
            assertEquals(cpus++, Integer.parseInt(m.group(1)), out);
            sum += Double.parseDouble(m.group(2));
        }
        assertEquals(Runtime.getRuntime().availableProcessors(), cpus, out);
        assertTrue(sum > 10, "a spinner waits on some CPU:\n" + out);
    }
}
