package org.bpf4j.vm;

/** A program an engine made runnable: the interpreter's decoded form or the JIT's compiled class. */
public interface Executable {
    /** Runs on {@code m} with r1 and r2 as given and r10 at the stack top; returns r0. */
    long execute(Machine m, long r1, long r2);
}
