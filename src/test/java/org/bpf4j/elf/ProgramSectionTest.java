package org.bpf4j.elf;

import org.bpf4j.prog.ProgramType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

/** Section names read as libbpf's section table reads them. */
class ProgramSectionTest {
    @ParameterizedTest
    @CsvSource({
            "tracepoint/syscalls/sys_enter_execve, TRACEPOINT, 0, TRACEPOINT, syscalls/sys_enter_execve, true",
            "tp/sched/sched_switch, TRACEPOINT, 0, TRACEPOINT, sched/sched_switch, true",
            "raw_tp/sys_enter, RAW_TRACEPOINT, 0, RAW_TRACEPOINT, sys_enter, true",
            "raw_tracepoint.w/sys_enter, RAW_TRACEPOINT_WRITABLE, 0, RAW_TRACEPOINT, sys_enter, true",
            "tp_btf/sched_switch, TRACING, 23, TP_BTF, sched_switch, true",
            "kprobe/do_nanosleep, KPROBE, 0, KPROBE, do_nanosleep, true",
            "kretprobe/do_nanosleep, KPROBE, 0, KRETPROBE, do_nanosleep, true",
            "uprobe//bin/bash:readline, KPROBE, 0, UPROBE, /bin/bash:readline, true",
            "uretprobe/libc:malloc, KPROBE, 0, URETPROBE, libc:malloc, true",
            "usdt/libc:libc:setjmp, KPROBE, 0, USDT, libc:libc:setjmp, true",
            "fentry/do_nanosleep, TRACING, 24, FENTRY, do_nanosleep, true",
            "fexit/do_nanosleep, TRACING, 25, FEXIT, do_nanosleep, true",
            "perf_event, PERF_EVENT, 0, MANUAL, '', true",
            "socket, SOCKET_FILTER, 0, MANUAL, '', true",
            "xdp, XDP, 37, MANUAL, '', true",
            "tc, SCHED_CLS, 0, MANUAL, '', true",
            "cgroup/connect4, CGROUP_SOCK_ADDR, 10, MANUAL, '', true",
            "cgroup_skb/egress, CGROUP_SKB, 1, MANUAL, '', true",
            "cgroup/dev, CGROUP_DEVICE, 6, MANUAL, '', true",
            "?tp/syscalls/sys_enter_kill, TRACEPOINT, 0, TRACEPOINT, syscalls/sys_enter_kill, false",
            "?kprobe, KPROBE, 0, KPROBE, '', false",
    })
    void readsLikeLibbpf(String name, ProgramType type, int attachType, ProgramSection.Attach attach, String target, boolean autoload) {
        ProgramSection s = ProgramSection.parse(name).orElseThrow();
        assertEquals(type, s.type());
        assertEquals(attachType, s.expectedAttachType());
        assertEquals(attach, s.attach());
        assertEquals(target, s.target());
        assertEquals(autoload, s.autoload());
        assertEquals(name.replaceFirst("^\\?", ""), s.section());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "tracepointx/a/b", "xdp/extra", "socket/foo", "tc/ingress", ".text", ""})
    void refusesWhatNoRowNames(String name) {
        assertTrue(ProgramSection.parse(name).isEmpty(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"uprobe.s/bin:f", "fentry.s/f", "fexit.s/f"})
    void sleepableVariants(String name) {
        assertTrue(ProgramSection.parse(name).orElseThrow().sleepable(), name);
    }
}
