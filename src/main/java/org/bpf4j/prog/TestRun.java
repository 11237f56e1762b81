package org.bpf4j.prog;

/**
 * The result of running a loaded program once or {@code repeat} times through BPF_PROG_TEST_RUN: its return
 * value (r0, truncated to 32 bits by the kernel), the kernel's mean time per run, and the data and context
 * after the last run.
 */
public record TestRun(int retval, long durationNs, byte[] dataOut, byte[] ctxOut) {}
