package org.bpf4j.lang.codegen;

/** Where a value that is not in a register lives, so that a field or element of it can be read in place. */
sealed interface Place {
    /** The place {@code delta} bytes further on. */
    Place plus(int delta);

    /** On this program's stack at r10 + off. */
    record Stack(int off) implements Place {
        public Place plus(int d) { return new Stack(off + d); }
    }

    /** In the program's context (a tracepoint's record) at r6 + off: read with direct loads. */
    record Ctx(int off) implements Place {
        public Place plus(int d) { return new Ctx(off + d); }
    }

    /** In kernel or user memory at addr + off: read with bpf_probe_read_kernel or _user. */
    record Mem(Temp addr, int off, boolean user) implements Place {
        public Place plus(int d) { return new Mem(addr, off + d, user); }
    }
}
