package org.bpf4j.tools;

import org.bpf4j.tool.Args;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * A tool as {@code bpf4j NAME} runs it: BCC's name, one-line description and command line, and a run that prints
 * the header and rows to {@code out} until {@code stop} (Ctrl-C, SIGTERM) or its own end (-d, interval count).
 */
public interface CliTool {
    /** The command's name, BCC's ({@code opensnoop}). */
    String name();

    /** BCC's one-line description (its argparse description), as {@code bpf4j --help} lists it. */
    String description();

    /** The command line, with BCC's options, usage and examples. */
    Args args();

    /** Runs with the options read; returns the exit status. Library errors ({@code ToolException}) go up. */
    int run(Args.Parsed args, PrintStream out, BooleanSupplier stop);
}
