package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j tcpconnect}: BCC's tcpconnect on {@code sock:inet_sock_set_state}'s CLOSE to SYN_SENT transition,
 * which the kernel makes inside connect(2) (so pid and comm are the caller's), instead of kprobes on
 * tcp_v4_connect/tcp_v6_connect. Failed connects show too, as the SYN is sent before the answer.
 */
public final class Tcpconnect implements CliTool {
    /** One active open: who, the family, addresses (4 or 16 bytes) and the destination port. */
    public record Connect(long ts, long pid, long uid, String comm, long family, byte[] saddr, byte[] daddr,
                          byte[] saddr6, byte[] daddr6, long sport, long dport) {}

    @Override public String name() { return "tcpconnect"; }

    @Override public String description() { return "Trace TCP connects"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j tcpconnect           # trace all TCP connect()s
                    bpf4j tcpconnect -t        # include timestamps
                    bpf4j tcpconnect -p 181    # only trace PID 181
                    bpf4j tcpconnect -P 80     # only trace port 80
                    bpf4j tcpconnect -U        # include UID
                    bpf4j tcpconnect -u 1000   # only trace UID 1000
                """)
                .flag('t', "timestamp", "include timestamp on output")
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('P', "port", "PORT", "comma-separated list of destination ports to trace.")
                .flag('L', "lport", "include LPORT on output")
                .flag('U', "print-uid", "include UID on output")
                .integer('u', "uid", "UID", "trace this UID only");
    }

    /**
     * The kernel side: CLOSE to SYN_SENT (inside connect(2): the caller's pid and comm) remembers the caller by the
     * socket's address; the next state change (ESTABLISHED, or CLOSE on a refusal) sends it with the ports, which
     * are only all known by then.
     */
    static String script(String filter) {
        return """
                tracepoint:sock:inet_sock_set_state /args.protocol == 6 && args.oldstate == 7 && args.newstate == 2%s/ {
                    @who[args.skaddr] = (nsecs, pid, uid, comm);
                }
                tracepoint:sock:inet_sock_set_state /args.protocol == 6 && args.oldstate == 2 && @who[args.skaddr].0 != 0/ {
                    $w = @who[args.skaddr];
                    print(($w.0, (uint64)$w.1, (uint64)$w.2, $w.3, (uint64)args.family, args.saddr, args.daddr, args.saddr_v6,
                           args.daddr_v6, (uint64)args.sport, (uint64)args.dport));
                    delete(@who[args.skaddr]);
                }
                """.formatted(filter);
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        StringBuilder f = new StringBuilder();
        if (a.has("pid")) f.append(" && pid == ").append(a.integer("pid", 0));
        if (a.has("uid")) f.append(" && uid == ").append(a.integer("uid", 0));
        if (a.has("port")) f.append(" && args.dport == ").append(a.integer("port", 0));
        boolean ts = a.flag("timestamp"), printUid = a.flag("print_uid"), lport = a.flag("lport");
        long[] first = {0};
        try (Tool t = Tool.load(name(), script(f.toString()))) {
            t.on(Connect.class, e -> {
                if (first[0] == 0) first[0] = e.ts();
                boolean v6 = e.family() == 10;
                if (ts) out.printf("%-9.3f", (e.ts() - first[0]) / 1e9);
                if (printUid) out.printf("%-6d", e.uid());
                out.printf("%-6d %-12.12s %-2d %-16s ", e.pid(), e.comm(), v6 ? 6 : 4, address(v6 ? e.saddr6() : e.saddr()));
                if (lport) out.printf("%-6d ", e.sport());
                out.printf("%-16s %-4d%n", address(v6 ? e.daddr6() : e.daddr()), e.dport());
            });
            t.start();
            if (ts) out.printf("%-9s", "TIME(s)");
            if (printUid) out.printf("%-6s", "UID");
            out.printf("%-6s %-12s %-2s %-16s ", "PID", "COMM", "IP", "SADDR");
            if (lport) out.printf("%-6s ", "LPORT");
            out.printf("%-16s %-4s%n", "DADDR", "DPORT");
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }

    /** As inet_ntop prints it: an IPv4-mapped IPv6 address as ::ffff:a.b.c.d. */
    static String address(byte[] b) {
        try {
            boolean mapped = b.length == 16 && java.util.Arrays.equals(b, 0, 12, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1}, 0, 12);
            if (mapped) return "::ffff:" + InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)).getHostAddress();
            if (b.length == 16) return ipv6(b);
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    /** RFC 5952 text: groups in hex, the longest run of two or more zero groups as "::". */
    static String ipv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        int best = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { best = i; bestLen = j - i; }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) { sb.append("::"); i += bestLen - 1; continue; }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
