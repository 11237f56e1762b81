package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j tcpaccept}: BCC's tcpaccept with the exits of accept(2) and accept4(2) standing in for BCC's kretprobe
 * on inet_csk_accept: the new descriptor is followed to its socket through BTF, in the accepting task
 * ({@code curtask->files->fdt->fd[ret]->private_data}, a {@code struct socket}, and its {@code sk}), whose
 * {@code __sk_common} holds the addresses and ports.
 */
public final class Tcpaccept implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** One accepted connection: who, when (ns), the family, addresses (IPv4 as a network-order u32) and ports. */
    public record Accept(long ts, long pid, String comm, long family, long daddr, long saddr, byte[] daddr6, byte[] saddr6,
                         long dport, long lport) {}

    @Override public String name() { return "tcpaccept"; }

    @Override public String description() { return "Trace TCP accepts"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j tcpaccept           # trace all TCP accept()s
                    bpf4j tcpaccept -t        # include timestamps
                    bpf4j tcpaccept -P 80,81  # only trace port 80 and 81
                    bpf4j tcpaccept -p 181    # only trace PID 181
                    bpf4j tcpaccept -4        # trace IPv4 family
                    bpf4j tcpaccept -6        # trace IPv6 family
                """)
                .flag('T', "time", "include time column on output (HH:MM:SS)")
                .flag('t', "timestamp", "include timestamp on output")
                .integer('p', "pid", "PID", "trace this PID only")
                .string('P', "port", "PORT", "comma-separated list of local ports to trace")
                .flag('4', "ipv4", "trace IPv4 family only")
                .flag('6', "ipv6", "trace IPv6 family only");
    }

    /** The kernel side; {@code filter} an extra predicate ("" for none), {@code family} 0 for both. */
    static String script(String filter, long family) {
        String fam = family == 0 ? "($c.skc_family == 2 || $c.skc_family == 10)" : "$c.skc_family == " + family;
        return """
                tracepoint:syscalls:sys_exit_accept, tracepoint:syscalls:sys_exit_accept4 /args.ret >= 0%s/ {
                    $file = *(curtask->files->fdt->fd + args.ret);
                    $sk = ((struct socket *)$file->private_data)->sk;
                    $c = $sk->__sk_common;
                    if (%s && $sk->sk_protocol == 6) {
                        print((nsecs, pid, comm, (uint64)$c.skc_family, (uint64)$c.skc_daddr, (uint64)$c.skc_rcv_saddr,
                               $c.skc_v6_daddr.in6_u.u6_addr8, $c.skc_v6_rcv_saddr.in6_u.u6_addr8,
                               (uint64)bswap($c.skc_dport), (uint64)$c.skc_num));
                    }
                }
                """.formatted(filter.isEmpty() ? "" : " && " + filter, fam);
    }

    /** An IPv4 address kept as the kernel keeps it, a network-order u32 read on a little-endian machine. */
    static String ipv4(long a) {
        return (a & 0xff) + "." + (a >> 8 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 24 & 0xff);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean time = a.flag("time"), timestamp = a.flag("timestamp");
        Set<Long> ports = new HashSet<>();
        if (a.string("port") != null) {
            for (String p : a.string("port").split(",")) {
                try {
                    ports.add(Long.parseLong(p.strip()));
                } catch (NumberFormatException e) {
                    System.err.print(args().error("argument -P/--port: invalid port: '" + p + "'").err());
                    return 2;
                }
            }
        }
        long family = a.flag("ipv4") ? 2 : a.flag("ipv6") ? 10 : 0;
        String filter = a.has("pid") ? "pid == " + a.integer("pid", 0) : "";
        long[] first = {0};
        try (Tool t = Tool.load(name(), script(filter, family))) {
            t.on(Accept.class, e -> {
                if (!ports.isEmpty() && !ports.contains(e.lport())) return;
                if (first[0] == 0) first[0] = e.ts();
                if (time) out.printf("%-9s", LocalTime.now().format(TIME));
                if (timestamp) out.printf("%-9.3f", (e.ts() - first[0]) / 1000 / 1e6);
                boolean v6 = e.family() == 10;
                out.printf("%-7d %-12.12s %-2d %-16s %-5d %-16s %-5d%n", e.pid(), e.comm(), v6 ? 6 : 4,
                        v6 ? Tcpconnect.address(e.daddr6()) : ipv4(e.daddr()), e.dport(),
                        v6 ? Tcpconnect.address(e.saddr6()) : ipv4(e.saddr()), e.lport());
            });
            t.start();
            if (time) out.printf("%-9s", "TIME");
            if (timestamp) out.printf("%-9s", "TIME(s)");
            out.printf("%-7s %-12s %-2s %-16s %-5s %-16s %-5s%n", "PID", "COMM", "IP", "RADDR", "RPORT", "LADDR", "LPORT");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }
}
