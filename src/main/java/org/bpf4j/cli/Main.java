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
        subcommands = {KillsnoopCommand.class, TraceCommand.class, StapCommand.class, BpflistCommand.class, org.bpf4j.cli.bpftool.ProgCommand.class,
                org.bpf4j.cli.bpftool.MapCommand.class, org.bpf4j.cli.bpftool.LinkCommand.class,
                org.bpf4j.cli.bpftool.BtfCommand.class, org.bpf4j.cli.bpftool.FeatureCommand.class,
                VmCommand.class, CommandLine.HelpCommand.class})
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
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = commandLine(rest);
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, cmd.getErr(), debug));
        cl.setParameterExceptionHandler((e, a) -> {
            // one line, as a user error should be; the usage is a --help away
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage() + " (see '" + cmd.getCommandName() + " --help')");
            // bpftrace shows its usage after a bad option; trace is its drop-in
            if (cmd.getCommandSpec().userObject() instanceof TraceCommand) cmd.usage(cmd.getErr());
            cmd.getErr().flush();
            return 2;
        });
        return cl.execute(cl.getCommandSpec().userObject() instanceof Main ? args : java.util.Arrays.copyOfRange(rest, 1, rest.length));
    }

    /**
     * The command tree for {@code args}. Building picocli's model of every subcommand costs start-up time that
     * grows with the tree, so when the first argument names a subcommand only that subcommand is built (named
     * "bpf4j NAME" in its usage); help and errors get the whole tree.
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
                Command sub = c.getAnnotation(Command.class);
                if (sub == null || c == CommandLine.HelpCommand.class) continue;
                if (sub.name().equals(args[0]) || java.util.Arrays.asList(sub.aliases()).contains(args[0])) {
                    CommandLine cl = new CommandLine(c);
                    cl.setCommandName("bpf4j " + sub.name());
                    return cl;
                }
            }
        }
        return new CommandLine(new Main());
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
