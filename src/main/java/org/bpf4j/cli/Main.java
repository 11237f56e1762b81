package org.bpf4j.cli;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.prog.VerifierException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Entry point of the {@code bpf4j} command line: one picocli tree of tools and verbs. */
@Command(name = "bpf4j", mixinStandardHelpOptions = true, version = "bpf4j 0.1.0",
        description = "eBPF system tracing for Linux, in Java.",
        subcommands = {KillsnoopCommand.class, BpflistCommand.class, org.bpf4j.cli.bpftool.ProgCommand.class,
                org.bpf4j.cli.bpftool.MapCommand.class, org.bpf4j.cli.bpftool.LinkCommand.class,
                org.bpf4j.cli.bpftool.BtfCommand.class, org.bpf4j.cli.bpftool.FeatureCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (tests call this in-process). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs the command line with its output and errors going to the given writers (null: the standard ones). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, cmd.getErr(), debug(parsed)));
        return cl.execute(args);
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        return parsed.hasMatchedOption("--debug")
                || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
    }

    /** One line for a user's error (with the verifier log for a rejection); a stack trace only with --debug. */
    static int report(Exception e, PrintWriter err, boolean debug) {
        if (e instanceof VerifierException v) {
            err.println("bpf4j: " + v.getMessage());
            err.println(v.log().strip());
        } else if (e instanceof UserException || e instanceof BpfException || e instanceof NotSupportedException
                || e instanceof IllegalArgumentException) {
            err.println("bpf4j: " + e.getMessage());
        } else {
            err.println("bpf4j: internal error: " + e);
            debug = true;
        }
        if (debug) e.printStackTrace(err);
        err.flush();
        return 1;
    }
}
