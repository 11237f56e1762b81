package org.bpf4j.link;

import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel reports about a BPF link ({@code struct bpf_link_info}): its type, id, program and the
 * type-specific part, of which bpf4j reads the ones tracing links have.
 */
public record LinkInfo(int id, LinkType type, int typeValue, int progId, Detail detail) {
    // struct bpf_link_info (linux/bpf.h): type @0, id @4, prog_id @8, union @16. Offsets checked against the header.
    private static final int SIZE = 64, TYPE = 0, ID = 4, PROG_ID = 8, U = 16;
    private static final int NAME_MAX = 512;

    /** The type-specific part of a link's info. */
    public sealed interface Detail {}

    /** A raw tracepoint link: the tracepoint's name. */
    public record RawTracepoint(String tpName) implements Detail {}

    /** A tracing (fentry/fexit/...) link: the attach type and the target object and BTF ids. */
    public record Tracing(int attachType, int targetObjId, int targetBtfId) implements Detail {}

    /** A cgroup link. */
    public record Cgroup(long cgroupId, int attachType) implements Detail {}

    /** A perf-event link: the perf event kind ({@code enum bpf_perf_event_type}) and what it names. */
    public record PerfEvent(int eventType, String name, long offsetOrConfig, long addrOrType, long cookie) implements Detail {
        /** {@code BPF_PERF_EVENT_*}: unspec, uprobe, uretprobe, kprobe, kretprobe, tracepoint, event. */
        public static final int UPROBE = 1, URETPROBE = 2, KPROBE = 3, KRETPROBE = 4, TRACEPOINT = 5, EVENT = 6;
    }

    /** Any other link type: nothing more is read. */
    public record Other() implements Detail {}

    /** Reads the info of the link behind {@code fd}, with the name strings its type has. */
    public static LinkInfo read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = ObjInfo.get(arena, fd, SIZE, "link");
            int type = first.get(JAVA_INT, TYPE);
            LinkType t = LinkType.of(type);
            Detail detail = new Other();
            if (t == LinkType.RAW_TRACEPOINT) {
                MemorySegment info = arena.allocate(SIZE, 8);
                MemorySegment name = arena.allocate(NAME_MAX);
                info.set(JAVA_LONG, U, name.address());
                info.set(JAVA_INT, U + 8, NAME_MAX);
                ObjInfo.get(arena, fd, info, "link");
                detail = new RawTracepoint(name.getString(0));
            } else if (t == LinkType.TRACING) {
                detail = new Tracing(first.get(JAVA_INT, U), first.get(JAVA_INT, U + 4), first.get(JAVA_INT, U + 8));
            } else if (t == LinkType.CGROUP) {
                detail = new Cgroup(first.get(JAVA_LONG, U), first.get(JAVA_INT, U + 8));
            } else if (t == LinkType.PERF_EVENT) {
                // perf_event: type @16, then a union at 24 whose first field is a name pointer (uprobe, kprobe,
                // tracepoint) with its length at 32, or the event's config (event).
                int eventType = first.get(JAVA_INT, U);
                if (eventType == PerfEvent.EVENT) {
                    detail = new PerfEvent(eventType, "", first.get(JAVA_LONG, U + 8), first.get(JAVA_INT, U + 16), first.get(JAVA_LONG, U + 24));
                } else {
                    MemorySegment info = arena.allocate(SIZE, 8);
                    MemorySegment name = arena.allocate(NAME_MAX);
                    info.set(JAVA_LONG, U + 8, name.address());
                    info.set(JAVA_INT, U + 16, NAME_MAX);
                    ObjInfo.get(arena, fd, info, "link");
                    long offset = Integer.toUnsignedLong(info.get(JAVA_INT, U + 20));
                    long addrOrCookie = info.get(JAVA_LONG, U + 24);
                    long cookie = eventType == PerfEvent.KPROBE || eventType == PerfEvent.KRETPROBE ? info.get(JAVA_LONG, U + 40) : addrOrCookie;
                    detail = new PerfEvent(eventType, name.getString(0), offset, addrOrCookie, cookie);
                }
            }
            return new LinkInfo(first.get(JAVA_INT, ID), t, type, first.get(JAVA_INT, PROG_ID), detail);
        }
    }
}
