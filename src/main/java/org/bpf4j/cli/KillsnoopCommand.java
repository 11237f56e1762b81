package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.sys.Privileges;
import org.bpf4j.tools.Killsnoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** {@code bpf4j killsnoop}: BCC's killsnoop, with its options and columns. */
@Command(name = "killsnoop", mixinStandardHelpOptions = true,
        description = "Trace signals issued by the kill() syscall.",
        footer = {"", "examples:",
                "    bpf4j killsnoop           # trace all kill() signals",
                "    bpf4j killsnoop -x        # only show failed kills",
                "    bpf4j killsnoop -p 181    # only trace PID 181",
                "    bpf4j killsnoop -s 13     # only trace signal 13"})
final class KillsnoopCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = {"-x", "--failed"}, description = "only show failed kill syscalls")
    boolean failed;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "trace this PID only (the sender)")
    Integer pid;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "trace this signal only")
    Integer signal;

    @Override
    public Integer call() {
        if (pid != null && pid <= 0) throw new UserException("killsnoop: -p wants a positive PID, not " + pid);
        if (signal != null && (signal < 0 || signal > 64)) throw new UserException("killsnoop: -s wants a signal from 0 to 64, not " + signal);
        Privileges.requireTracing("killsnoop");
        PrintStream out = System.out;
        Shutdown.install();
        var options = new Killsnoop.Options(failed, pid == null ? 0 : pid, signal == null ? -1 : signal);
        try (Killsnoop k = Killsnoop.start(options, e -> {
            out.printf("%-9s %-6d %-16s %-4d %-6d %d%n", LocalTime.now().format(TIME), e.pid(), e.comm(), e.sig(), e.tpid(), e.ret());
            out.flush();
        }, lost -> System.err.println("Possibly lost " + lost + " samples"))) {
            out.printf("%-9s %-6s %-16s %-4s %-6s %s%n", "TIME", "PID", "COMM", "SIG", "TPID", "RESULT");
            out.flush();
            while (!Shutdown.requested()) k.poll(100);
        } finally {
            Shutdown.finished();
        }
        return 0;
    }
}
