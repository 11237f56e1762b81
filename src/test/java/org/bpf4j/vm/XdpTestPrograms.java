package org.bpf4j.vm;

/** XDP programs the tests share. */
public final class XdpTestPrograms {
    private XdpTestPrograms() {}

    /** XDP_DROP (1) for IPv4 frames, XDP_PASS (2) for anything else, including frames too short to tell. */
    public static final String DROP_IPV4 = """
            r2 = *(u32 *)(r1 +0)
            r3 = *(u32 *)(r1 +4)
            r4 = r2
            r4 += 14
            if r4 > r3 goto pass
            r5 = *(u16 *)(r2 +12)
            if r5 == 0x8 goto drop
            pass:
            r0 = 2
            exit
            drop:
            r0 = 1
            exit
            """;
}
