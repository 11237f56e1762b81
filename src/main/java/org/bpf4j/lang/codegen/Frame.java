package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.SemanticError;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.Span;

/**
 * The BPF stack of one program (512 bytes below r10), handed out as 8-byte-aligned slots. Slots for scratch
 * variables live for the whole program; statement temporaries are released at the end of each statement.
 */
final class Frame {
    /** The kernel's limit for one program's stack. */
    static final int LIMIT = 512;
    private final Source source;
    private int top;
    private int max;

    Frame(Source source) { this.source = source; }

    /** A slot of {@code size} bytes; its offset from r10 (negative). {@code at} names the culprit if the stack overflows. */
    int alloc(int size, Span at) {
        top += (Math.max(size, 1) + 7) & ~7;
        if (top > LIMIT)
            throw new SemanticError(source, at, "this needs more than the " + LIMIT + " bytes of stack a BPF program has ("
                    + top + " bytes); use fewer or shorter strings at once");
        max = Math.max(max, top);
        return -top;
    }

    /** The current depth, to release back to. */
    int mark() { return top; }

    /** Releases every slot allocated since {@code mark}. */
    void release(int mark) { top = mark; }

    /** The most the program ever used. */
    int max() { return max; }
}
