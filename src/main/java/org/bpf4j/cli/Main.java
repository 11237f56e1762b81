package org.bpf4j.cli;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.prog.VerifierException;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the {@code bpf4j} command line. The tools that stand in for bpftrace, stap and BCC's killsnoop
 * read their own options ({@link Getopt}) and start without picocli; every other verb is a picocli command
 * ({@link Commands}).
 */
public final class Main {
    private Main() {}

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        if (args.length > 0 && isTool(args[0])) Warmup.start();   // first: it is the longest path to attaching
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (tests call this in-process). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs the command line with its output and errors going to the given writers (null: the standard ones). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        List<String> rest = new ArrayList<>();
        for (String a : args) if (!a.equals("--debug")) rest.add(a);
        if (rest.size() == 2 && rest.get(0).equals("help") && isTool(rest.get(1))) rest = List.of(rest.get(1), "-h");
        if (!rest.isEmpty() && isTool(rest.getFirst())) {
            PrintWriter o = out != null ? out : console(System.out), e = err != null ? err : console(System.err);
            try {
                List<String> argv = rest.subList(1, rest.size());
                return switch (rest.getFirst()) {
                    case "trace" -> TraceCommand.main(argv, o, e);
                    case "stap" -> StapCommand.main(argv, o, e);
                    default -> ToolRunner.main(org.bpf4j.tools.Catalog.find(rest.getFirst()).orElseThrow(), argv, o, e);
                };
            } catch (RuntimeException x) {
                return report(x, e, debug);
            } finally {
                o.flush();
                e.flush();
            }
        }
        return Commands.run(out, err, debug, args, rest.toArray(String[]::new));
    }

    /** The tools that read their own command line (and are listed in the picocli tree's help by name). */
    static boolean isTool(String name) {
        return name.equals("trace") || name.equals("stap") || org.bpf4j.tools.Catalog.find(name).isPresent();
    }

    private static PrintWriter console(java.io.PrintStream stream) {
        return new PrintWriter(new java.io.OutputStreamWriter(stream, stream.charset() == null ? Charset.defaultCharset() : stream.charset()), true);
    }

    /** One line for a user's error (with the verifier log for a rejection); a stack trace only with --debug. */
    static int report(Exception e, PrintWriter err, boolean debug) {
        if (e instanceof VerifierException v) {
            err.println("bpf4j: " + v.getMessage());
            err.println(v.log().strip());
        } else if (e instanceof UserException || e instanceof BpfException || e instanceof NotSupportedException
                || e instanceof IllegalArgumentException || e instanceof org.bpf4j.tool.ToolException) {
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
