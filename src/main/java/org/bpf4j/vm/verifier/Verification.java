package org.bpf4j.vm.verifier;

/**
 * What verifying an accepted program cost and found.
 *
 * @param instructionsProcessed instructions the abstract interpreter stepped through (the kernel's "processed N insns")
 * @param statesStored          states kept for pruning, at the end
 * @param prunes                paths cut because a stored state covered them
 * @param loops                 loops proven to terminate
 * @param nanos                 wall-clock time
 * @param log                   a kernel-style summary
 */
public record Verification(long instructionsProcessed, long statesStored, long prunes, int loops, long nanos, String log) {}
