package org.bpf4j.link;

import org.bpf4j.NotSupportedException;
import org.bpf4j.perf.HardwareEvent;
import org.bpf4j.perf.SoftwareEvent;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

@Tag("kernel")
class PerfEventLinkTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) x += x * 31 + 1;
        if (x == 42) System.out.print("");
    }

    @Test
    void profileSamplesThisBusyThreadAtAboutTheAskedRate() {
        int tid = Native.gettid();
        try (Counter c = Counter.load(ProgramType.PERF_EVENT, Counter.onlyThread(tid))) {
            try (PerfEventLink link = PerfEventLink.profile(c.program, 1000)) {
                assertEquals(Cpus.online().cardinality(), link.events(), "one event per online CPU");
                assertEquals("profile:hz:1000", link.describe());
                spin(500);
            }
            long samples = c.get();
            // 500 ms of this thread running at 1000 Hz: about 500 samples; the frequency is adjusted on the fly.
            assertTrue(samples >= 100 && samples <= 1000, "samples of the busy thread: " + samples);
        }
    }

    @Test
    void everyContextSwitchOfOneThread() throws InterruptedException {
        int tid = Native.gettid();
        try (Counter c = Counter.load(ProgramType.PERF_EVENT, b -> {})) {
            try (PerfEventLink link = PerfEventLink.software(c.program, SoftwareEvent.CONTEXT_SWITCHES, 1, tid)) {
                assertEquals(1, link.events(), "one event that follows the thread");
                for (int i = 0; i < 50; i++) Thread.sleep(1);
            }
            long switches = c.get();
            assertTrue(switches >= 50 && switches < 1000, "each sleep switches out at least once: " + switches);
        }
    }

    @Test
    void everyTenthContextSwitch() throws InterruptedException {
        int tid = Native.gettid();
        try (Counter c = Counter.load(ProgramType.PERF_EVENT, b -> {})) {
            try (PerfEventLink link = PerfEventLink.software(c.program, SoftwareEvent.byName("cs").orElseThrow(), 10, tid)) {
                for (int i = 0; i < 100; i++) Thread.sleep(1);
            }
            long samples = c.get();
            assertTrue(samples >= 10 && samples < 100, "one sample per ten switches: " + samples);
        }
    }

    @Test
    void hardwareEventsNeedACpuPmu() {
        try (Counter c = Counter.load(ProgramType.PERF_EVENT, b -> {})) {
            if (Files.isDirectory(Path.of("/sys/bus/event_source/devices/cpu"))) {
                try (PerfEventLink link = PerfEventLink.hardware(c.program, HardwareEvent.INSTRUCTIONS, 1_000_000, -1)) {
                    spin(100);
                }
                assertTrue(c.get() > 0);
            } else {
                NotSupportedException e = assertThrows(NotSupportedException.class,
                        () -> PerfEventLink.hardware(c.program, HardwareEvent.INSTRUCTIONS, 1_000_000, -1));
                assertTrue(e.getMessage().startsWith("hardware perf events: no CPU PMU"), e.getMessage());
            }
        }
    }

    @Test
    void aTracepointProgramIsRefused() {
        try (Counter c = Counter.load(ProgramType.TRACEPOINT, b -> {})) {
            assertThrows(IllegalArgumentException.class, () -> PerfEventLink.profile(c.program, 99));
        }
    }
}
