package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j tcplife}: BCC's tcplife on {@code sock:inet_sock_set_state}, the tracepoint BCC itself prefers:
 * a socket's life from its first state change out of CLOSE (or into SYN_RECV) to CLOSE, the bytes from its
 * {@code struct tcp_sock} (BTF), the process from connect(2) (SYN_SENT) or from the close that started the end
 * (FIN_WAIT1, LAST_ACK), both in the process's context.
 */
public final class Tcplife implements CliTool {
    /** One socket's life: who, addresses, ports, bytes acked and received, and its span (ns). */
    public record Life(long pid, String comm, long family, byte[] saddr, byte[] daddr, byte[] saddr6, byte[] daddr6,
                       long lport, long rport, long tx, long rx, long span) {}

    @Override public String name() { return "tcplife"; }

    @Override public String description() { return "Trace the lifespan of TCP sessions and summarize"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j tcplife           # trace all TCP connect()s
                    bpf4j tcplife -p 181    # only trace PID 181
                    bpf4j tcplife -L 80     # only trace local port 80
                    bpf4j tcplife -D 80     # only trace remote port 80
                """)
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('L', "localport", "LOCALPORT", "comma-separated list of local ports to trace.")
                .integer('D', "remoteport", "REMOTEPORT", "comma-separated list of remote ports to trace.");
    }

    static final String SCRIPT = """
            tracepoint:sock:inet_sock_set_state /args.protocol == 6 && ((args.oldstate == 7 && args.newstate == 2) || args.newstate == 3)/ {
                @birth[args.skaddr] = nsecs;
            }
            tracepoint:sock:inet_sock_set_state /args.protocol == 6/ {
                if (args.newstate == 2 || args.newstate == 4 || args.newstate == 9) { @who[args.skaddr] = (pid, comm); }
                if (args.newstate == 7 && @birth[args.skaddr] != 0) {
                    $w = @who[args.skaddr];
                    $tp = (struct tcp_sock *)args.skaddr;
                    print(((uint64)$w.0, $w.1, (uint64)args.family, args.saddr, args.daddr, args.saddr_v6, args.daddr_v6,
                           (uint64)args.sport, (uint64)args.dport, $tp->bytes_acked, $tp->bytes_received, nsecs - @birth[args.skaddr]));
                    delete(@birth[args.skaddr]);
                    delete(@who[args.skaddr]);
                }
            }
            """;

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        long pid = a.integer("pid", 0), lport = a.integer("localport", -1), rport = a.integer("remoteport", -1);
        try (Tool t = Tool.load(name(), SCRIPT)) {
            t.on(Life.class, e -> {
                if (pid > 0 && e.pid() != pid || lport >= 0 && e.lport() != lport || rport >= 0 && e.rport() != rport) return;
                boolean v6 = e.family() == 10;
                out.printf("%-5d %-10.10s %-15s %-5d %-15s %-5d %5d %5d %.2f%n", e.pid(), e.comm().isEmpty() ? "?" : e.comm(),
                        Tcpconnect.address(v6 ? e.saddr6() : e.saddr()), e.lport(), Tcpconnect.address(v6 ? e.daddr6() : e.daddr()),
                        e.rport(), e.tx() / 1024, e.rx() / 1024, e.span() / 1e6);
            });
            t.start();
            out.printf("%-5s %-10.10s %-15s %-5s %-15s %-5s %5s %5s %s%n", "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT",
                    "TX_KB", "RX_KB", "MS");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
