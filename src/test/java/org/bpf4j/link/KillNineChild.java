package org.bpf4j.link;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.perf.SoftwareEvent;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.ringbuf.RingBuffer;
import org.bpf4j.perf.RecordHandler;

import java.lang.foreign.MemorySegment;

/**
 * A tool-like child for the SIGKILL test: attaches a tracepoint, a raw tracepoint, a perf event, a uprobe and a
 * USDT probe, opens a ring buffer, prints the ids of its programs and maps and "ready", then sleeps until killed.
 */
public final class KillNineChild {
    private KillNineChild() {}

    public static void main(String[] args) throws Exception {
        Counter tp = Counter.load(ProgramType.TRACEPOINT, b -> {});
        Counter raw = Counter.load(ProgramType.RAW_TRACEPOINT, b -> {});
        Counter perf = Counter.load(ProgramType.PERF_EVENT, b -> {});
        Counter probe = Counter.load(ProgramType.KPROBE, b -> {});
        KernelMap rb = KernelMap.create(MapSpec.ringBuffer("t_kill_rb", 1 << 16));
        TracepointLink.attach(tp.program, "syscalls", "sys_enter_getppid");
        RawTracepointLink.attach(raw.program, "sys_enter");
        PerfEventLink.software(perf.program, SoftwareEvent.CPU_CLOCK, 1_000_000, -1);
        UprobeLink.attach(probe.program, "libc", "getppid", false, -1);
        UsdtLink.attach(probe.program, System.getProperty("java.home") + "/lib/server/libjvm.so", "hotspot", "thread__start", -1);
        RingBuffer.open(rb, new RecordHandler() {
            @Override public void onRecord(int cpu, MemorySegment data) {}
            @Override public void onLost(int cpu, long count) {}
        });
        for (Counter c : new Counter[] {tp, raw, perf, probe}) {
            System.out.println("prog " + c.program.info().id());
            System.out.println("map " + c.map.id());
        }
        System.out.println("map " + rb.id());
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
