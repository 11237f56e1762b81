package org.bpf4j.fuzz;

import java.util.List;
import java.util.function.Predicate;

/**
 * One parser a user feeds: its seeds, the tokens of its language, what it does with an input (parse and the
 * passes after it), and which exceptions are its typed errors. Anything else it throws is a failure.
 *
 * @param name      the parser, in reports
 * @param seeds     inputs from the test corpora
 * @param tokens    pieces of the language the mutator inserts
 * @param maxLength the longest input tried
 * @param run       what the input goes through
 * @param typed     whether a throwable is one of the parser's own errors
 */
record FuzzTarget(String name, List<byte[]> seeds, List<String> tokens, int maxLength, Run run, Predicate<Throwable> typed) {
    /** The work done on one input. */
    @FunctionalInterface
    interface Run {
        void accept(byte[] input) throws Exception;
    }
}
