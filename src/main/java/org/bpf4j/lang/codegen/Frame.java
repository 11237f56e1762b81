package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.SemanticError;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.Span;

/**
 * The BPF stack of one program (512 bytes below r10), handed out as 8-byte-aligned slots. Slots for scratch
 * variables live for the whole program; statement temporaries are released at the end of each statement.
 *
 * <p>A program whose values do not fit the stack (strings of a raised {@code max_strlen}, as bpftrace's) is
 * compiled again in scratch mode: objects bigger than {@link #ON_STACK} bytes then live in the program's scratch
 * memory, one per-CPU array entry that r9 points to (bpftrace's scratch buffers). Their offsets are given from
 * {@link #SCRATCH} up, so the code generator keeps writing {@code r10 + off} and {@link Asm} turns such accesses
 * into {@code r9 + (off - SCRATCH)}.
 */
final class Frame {
    /** The kernel's limit for one program's stack. */
    static final int LIMIT = 512;
    /** Offsets from here up are in scratch memory, not on the stack. */
    static final int SCRATCH = 1 << 20;
    /** The most scratch memory one program has: the kernel's limit for a per-CPU map value (PCPU_MIN_UNIT_SIZE). */
    static final int SCRATCH_LIMIT = 32768;
    /** In scratch mode, the largest object kept on the stack (scalars, pointers, small strings stay there). */
    static final int ON_STACK = 64;
    /** A mark packs both depths: the stack's below this, the scratch memory's times it (the stack's is at most 1023). */
    private static final int MARK = 1024;
    private final Source source;
    private final boolean scratch;
    private int top;
    private int max;
    private int scratchTop;
    private int scratchMax;
    private boolean overflowed;

    Frame(Source source) { this(source, false); }

    /** A frame that puts objects bigger than {@link #ON_STACK} in scratch memory when {@code scratch}. */
    Frame(Source source, boolean scratch) {
        this.source = source;
        this.scratch = scratch;
    }

    /** A slot of {@code size} bytes; its offset from r10 (negative), or from {@link #SCRATCH} up in scratch memory. */
    int alloc(int size, Span at) {
        int aligned = (Math.max(size, 1) + 7) & ~7;
        if (scratch && aligned > ON_STACK) {
            int off = SCRATCH + scratchTop;
            scratchTop += aligned;
            if (scratchTop > SCRATCH_LIMIT)
                throw new SemanticError(source, at, "this needs more than the " + SCRATCH_LIMIT + " bytes of scratch memory a program has ("
                        + scratchTop + " bytes); use fewer or shorter strings at once (max_strlen)");
            scratchMax = Math.max(scratchMax, scratchTop);
            return off;
        }
        top += aligned;
        if (top > LIMIT) {
            overflowed = true;
            throw new SemanticError(source, at, "this needs more than the " + LIMIT + " bytes of stack a BPF program has ("
                    + top + " bytes); use fewer or shorter strings at once");
        }
        max = Math.max(max, top);
        return -top;
    }

    /** The current depth, to release back to. */
    int mark() { return scratchTop * MARK + top; }

    /** Releases every slot allocated since {@code mark}. */
    void release(int mark) {
        top = mark % MARK;
        scratchTop = mark / MARK;
    }

    /** The most stack the program ever used. */
    int max() { return max; }

    /** The most scratch memory the program ever used (0 when it needs none). */
    int scratchMax() { return scratchMax; }

    /** True when this frame puts big objects in scratch memory. */
    boolean scratch() { return scratch; }

    /** True when an allocation did not fit the stack (the program may fit in scratch mode). */
    boolean overflowed() { return overflowed; }

    /** True when {@code off} (from r10) is in scratch memory. */
    static boolean inScratch(int off) { return off >= SCRATCH; }
}
