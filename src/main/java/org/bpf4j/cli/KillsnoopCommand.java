package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.sys.Privileges;
import org.bpf4j.tools.Killsnoop;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code bpf4j killsnoop}: BCC's killsnoop, with its options, columns, usage and argparse's error messages. The
 * command line is read by {@link Getopt}, which accepts what argparse accepts here.
 */
final class KillsnoopCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Getopt OPTIONS = Getopt.of("hxp:s:", "help=h", "failed=x", "pid=p", "signal=s");
    private static final String USAGE_LINE = "usage: killsnoop [-h] [-x] [-p PID] [-s SIGNAL]\n";
    private static final String HELP = USAGE_LINE + """

            Trace signals issued by the kill() syscall

            optional arguments:
              -h, --help            show this help message and exit
              -x, --failed          only show failed kill syscalls
              -p PID, --pid PID     trace this PID only which is the sender of signal
              -s SIGNAL, --signal SIGNAL
                                    trace this signal only

            examples:
                bpf4j killsnoop           # trace all kill() signals
                bpf4j killsnoop -x        # only show failed kills
                bpf4j killsnoop -p 181    # only trace PID 181
                bpf4j killsnoop -s 9      # only trace signal 9
            """;

    private KillsnoopCommand() {}

    /** Runs {@code bpf4j killsnoop ARGS}; returns the exit status (2 for a bad command line, as argparse). */
    static int main(List<String> argv, PrintWriter out, PrintWriter err) {
        boolean failed = false;
        Integer pid = null, signal = null;
        try {
            Getopt.Parsed parsed = OPTIONS.parse(argv);
            if (!parsed.operands().isEmpty()) return usageError(err, "unrecognized arguments: " + String.join(" ", parsed.operands()));
            for (Getopt.Opt o : parsed.options()) {
                if (o.name().equals("h")) {
                    out.print(HELP);
                    return 0;
                }
                if (o.name().equals("x")) {
                    failed = true;
                    continue;
                }
                Integer v = Getopt.integer(o.value());
                if (v == null) return usageError(err, "argument " + argparseName(o.name()) + ": invalid int value: '" + o.value() + "'");
                if (o.name().equals("p")) pid = v;
                else signal = v;
            }
        } catch (Getopt.Error e) {
            return usageError(err, switch (e.kind()) {
                case UNKNOWN, UNEXPECTED_ARGUMENT -> "unrecognized arguments: " + e.option();
                case MISSING_ARGUMENT -> "argument " + argparseName(e.option().replaceFirst("^-+", "").substring(0, 1)) + ": expected one argument";
                case AMBIGUOUS -> e.getMessage();
            });
        }
        if (pid != null && pid <= 0) throw new UserException("killsnoop: -p wants a positive PID, not " + pid);
        if (signal != null && (signal < 0 || signal > 64)) throw new UserException("killsnoop: -s wants a signal from 0 to 64, not " + signal);
        return run(failed, pid, signal);
    }

    private static int usageError(PrintWriter err, String message) {
        err.print(USAGE_LINE);
        err.println("killsnoop: error: " + message);
        return 2;
    }

    /** How argparse names an option taking a value in its messages. */
    private static String argparseName(String option) {
        return option.equals("p") ? "-p/--pid" : "-s/--signal";
    }

    private static int run(boolean failed, Integer pid, Integer signal) {
        Privileges.requireTracing("killsnoop");
        // written when the events that were waiting are all printed, not line by line: a storm of kills must not
        // wait for a write(2) each
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.UTF_8);
        Shutdown.install();
        var options = new Killsnoop.Options(failed, pid == null ? 0 : pid, signal == null ? -1 : signal);
        try (Killsnoop k = Killsnoop.start(options, e -> {
            out.printf("%-9s %-6d %-16s %-4d %-6d %d%n", LocalTime.now().format(TIME), e.pid(), e.comm(), e.sig(), e.tpid(), e.ret());
        }, lost -> {
            out.flush();
            System.err.println("Possibly lost " + lost + " samples");
        })) {
            out.printf("%-9s %-6s %-16s %-4s %-6s %s%n", "TIME", "PID", "COMM", "SIG", "TPID", "RESULT");
            out.flush();
            while (!Shutdown.requested() && !out.checkError()) {
                k.poll(100);
                out.flush();
            }
        } finally {
            out.flush();
            Shutdown.finished();
        }
        return 0;
    }
}
