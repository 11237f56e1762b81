package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j tcptop}: BCC's tcptop with the tracepoints {@code sock:sock_send_length} and
 * {@code sock:sock_recv_length} standing in for BCC's kfuncs on tcp_sendmsg and tcp_recvmsg: each fires when a
 * socket's sendmsg or recvmsg returns, with the socket and the bytes moved; kept for TCP, peeks (MSG_PEEK) left out,
 * the addresses and ports read from the socket's {@code __sk_common} through BTF, summed per process and session.
 */
public final class Tcptop implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** A map key: the process, the family, both addresses of each family (network order) and the ports. */
    public record Session(long pid, String comm, long family, long saddr, long daddr, byte[] saddr6, byte[] daddr6,
                          long lport, long dport) {}

    @Override public String name() { return "tcptop"; }

    @Override public String description() { return "Summarize TCP send/recv throughput by host"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j tcptop           # trace TCP send/recv by host
                    bpf4j tcptop -C        # don't clear the screen
                    bpf4j tcptop -p 181    # only trace PID 181
                    bpf4j tcptop -4        # trace IPv4 family only
                    bpf4j tcptop -6        # trace IPv6 family only
                """)
                .flag('C', "noclear", "don't clear the screen")
                .flag('S', "nosummary", "skip system summary line")
                .integer('p', "pid", "PID", "trace this PID only")
                .positional("interval", "output interval, in seconds (default 1)")
                .positional("count", "number of outputs")
                .flag('4', "ipv4", "trace IPv4 family only")
                .flag('6', "ipv6", "trace IPv6 family only");
    }

    /**
     * The kernel side: bytes sent ({@code @tx}) and received ({@code @rx}) per {@link Session}; {@code filter} an
     * extra predicate ("" for none), {@code family} 0 for both.
     */
    static String script(String filter, long family) {
        String fam = family == 0 ? "($c.skc_family == 2 || $c.skc_family == 10)" : "$c.skc_family == " + family;
        StringBuilder s = new StringBuilder();
        for (String dir : List.of("send", "recv")) {
            s.append("""
                    tracepoint:sock:sock_%s_length /args.protocol == 6 && args.ret > 0 && (args.flags & 2) == 0%s/ {
                        $c = ((struct sock *)args.sk)->__sk_common;
                        if (%s) {
                            %s[pid, comm, (uint64)$c.skc_family, (uint64)$c.skc_rcv_saddr, (uint64)$c.skc_daddr,
                                $c.skc_v6_rcv_saddr.in6_u.u6_addr8, $c.skc_v6_daddr.in6_u.u6_addr8,
                                (uint64)$c.skc_num, (uint64)bswap($c.skc_dport)] = sum(args.ret);
                        }
                    }
                    """.formatted(dir, filter.isEmpty() ? "" : " && " + filter, fam, dir.equals("send") ? "@tx" : "@rx"));
        }
        return s.toString();
    }

    /** A row: the process and the two ends as printed; bytes received and sent this interval. */
    private record Row(long pid, String comm, String local, String remote, long[] bytes) {}

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        if (a.flag("ipv4") && a.flag("ipv6")) {
            System.err.print(args().error("argument -6/--ipv6: not allowed with argument -4/--ipv4").err());
            return 2;
        }
        for (String p : List.of("interval", "count")) {
            if (a.has(p) && a.integer(p, 1) < 1) {
                System.err.print(args().error("argument " + p + ": value must be stricly positive, got " + a.integer(p, 1)).err());
                return 2;
            }
        }
        long interval = a.integer("interval", 1), count = a.integer("count", -1);
        long family = a.flag("ipv4") ? 2 : a.flag("ipv6") ? 10 : 0;
        String filter = a.has("pid") ? "pid == " + a.integer("pid", 0) : "";
        boolean clear = !a.flag("noclear"), summary = !a.flag("nosummary");
        try (Tool t = Tool.load(name(), script(filter, family))) {
            t.start();
            out.println("Tracing... Output every " + interval + " secs. Hit Ctrl-C to end");
            out.flush();
            for (long i = 0; i != count; i++) {
                boolean exiting = !t.pollFor(interval * 1000, stop);
                if (clear) out.print("\033[H\033[2J");
                else out.println();
                if (summary) out.printf("%-8s loadavg: %s%n", LocalTime.now().format(TIME), Filetop.loadavg());
                Map<String, Row> v4 = new LinkedHashMap<>(), v6 = new LinkedHashMap<>();
                collect(t, "@rx", 0, v4, v6);
                collect(t, "@tx", 1, v4, v6);
                if (!v4.isEmpty()) out.printf("%-7s %-12s %-21s %-21s %6s %6s%n", "PID", "COMM", "LADDR", "RADDR", "RX_KB", "TX_KB");
                print(out, v4, "%-7d %-12.12s %-21s %-21s %6d %6d%n");
                if (!v6.isEmpty()) out.printf("%n%-7s %-12s %-32s %-32s %6s %6s%n", "PID", "COMM", "LADDR6", "RADDR6", "RX_KB", "TX_KB");
                print(out, v6, "%-7d %-12.12s %-32s %-32s %6d %6d%n");
                out.flush();
                if (exiting) break;
            }
        }
        return 0;
    }

    /** Adds map {@code map}'s sums to column {@code col} of the rows of their family, and empties it. */
    private static void collect(Tool t, String map, int col, Map<String, Row> v4, Map<String, Row> v6) {
        t.counts(map, Session.class).forEach((k, bytes) -> {
            boolean six = k.family() == 10;
            String local = (six ? Tcpconnect.address(k.saddr6()) : Tcpaccept.ipv4(k.saddr())) + ":" + k.lport();
            String remote = (six ? Tcpconnect.address(k.daddr6()) : Tcpaccept.ipv4(k.daddr())) + ":" + k.dport();
            String id = k.pid() + "\0" + k.comm() + "\0" + local + "\0" + remote;
            (six ? v6 : v4).computeIfAbsent(id, x -> new Row(k.pid(), k.comm(), local, remote, new long[2])).bytes()[col] += bytes;
        });
        t.clear(map);
    }

    /** The rows by total bytes, largest first, in kilobytes rounded down (as BCC). */
    private static void print(PrintStream out, Map<String, Row> rows, String format) {
        List<Row> sorted = new ArrayList<>(rows.values());
        sorted.sort((x, y) -> Long.compare(y.bytes()[0] + y.bytes()[1], x.bytes()[0] + x.bytes()[1]));
        for (Row r : sorted) out.printf(format, r.pid(), r.comm(), r.local(), r.remote(), r.bytes()[0] / 1024, r.bytes()[1] / 1024);
    }
}
