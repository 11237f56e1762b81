package org.bpf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/**
 * The picocli tree of {@code bpf4j}'s verbs. The tools that read their own command line ({@link Main#isTool})
 * appear in its help by name and description only.
 */
@Command(name = "bpf4j", mixinStandardHelpOptions = true, version = "bpf4j 0.1.0",
        description = "eBPF system tracing for Linux, in Java.")
final class Commands implements Runnable {
    /** The picocli verbs, in the order the help lists them (after the tools). */
    private static final List<Class<?>> VERBS = List.of(BpflistCommand.class, ExporterCommand.class, org.bpf4j.cli.bpftool.ProgCommand.class,
            org.bpf4j.cli.bpftool.MapCommand.class, org.bpf4j.cli.bpftool.LinkCommand.class,
            org.bpf4j.cli.bpftool.BtfCommand.class, org.bpf4j.cli.bpftool.FeatureCommand.class,
            GenCommand.class, VmCommand.class, CommandLine.HelpCommand.class);

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The tools {@link Main} runs itself, as the root's help lists them. */
    private static final String[][] TOOLS = {
        {"trace", "Run a bpftrace program, compiled to eBPF in Java."},
        {"stap", "Run a SystemTap script, compiled to eBPF in Java."}};

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /**
     * Runs the command line ({@code args} as given, {@code rest} without {@code --debug}) with its output and
     * errors going to the given writers (null: the standard ones).
     */
    static int run(PrintWriter out, PrintWriter err, boolean debug, String[] args, String[] rest) {
        CommandLine cl = commandLine(rest);
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> Main.report(e, cmd.getErr(), debug));
        cl.setParameterExceptionHandler((e, a) -> {
            // one line, as a user error should be; the usage is a --help away
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage() + " (see '" + cmd.getCommandName() + " --help')");
            cmd.getErr().flush();
            return 2;
        });
        return cl.execute(cl.getCommandSpec().userObject() instanceof Commands ? args : java.util.Arrays.copyOfRange(rest, 1, rest.length));
    }

    /**
     * The command tree for {@code args}. Building picocli's model of every subcommand costs start-up time that
     * grows with the tree, so when the first argument names a subcommand only that subcommand is built (named
     * "bpf4j NAME" in its usage); help and errors get the whole tree.
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            for (Class<?> c : VERBS) {
                Command sub = c.getAnnotation(Command.class);
                if (sub == null || c == CommandLine.HelpCommand.class) continue;
                if (sub.name().equals(args[0]) || java.util.Arrays.asList(sub.aliases()).contains(args[0])) {
                    CommandLine cl = new CommandLine(c);
                    cl.setCommandName("bpf4j " + sub.name());
                    return cl;
                }
            }
        }
        // the tools first: they are what bpf4j is for
        CommandLine root = new CommandLine(new Commands());
        for (String[] tool : TOOLS) {
            var spec = CommandLine.Model.CommandSpec.create().name(tool[0]);
            spec.usageMessage().description(tool[1]);
            root.addSubcommand(tool[0], new CommandLine(spec));
        }
        for (org.bpf4j.tools.CliTool tool : org.bpf4j.tools.Catalog.all()) { // BCC's tools, with BCC's descriptions
            var spec = CommandLine.Model.CommandSpec.create().name(tool.name());
            spec.usageMessage().description(tool.description());
            root.addSubcommand(tool.name(), new CommandLine(spec));
        }
        for (Class<?> c : VERBS) root.addSubcommand(new CommandLine(c));
        return root;
    }
}
