package org.bpf4j.cli.bpftool;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * An object's verb group ({@code prog}, {@code map}, {@code link}, {@code feature}): holds bpftool's
 * {@code -j}/{@code -p}, which its verbs read through {@code parent.output}, and asks for a verb when run alone.
 */
abstract class VerbGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code -j}/{@code -p}, accepted before or after the verb. */
    @Mixin
    OutputOptions output;

    /** The verbs, for the message when none is given, e.g. "show, list or dump". */
    abstract String verbs();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected " + verbs());
    }
}
