package org.bpf4j.tools;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;
import org.bpf4j.tool.ToolException;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j tcpretrans}: BCC's tcpretrans on {@code tcp:tcp_retransmit_skb}, the tracepoint BCC itself prefers;
 * the sequence number from the skb's control block ({@code struct tcp_skb_cb}, BTF). BCC's -l (tail loss probes)
 * is a kprobe on tcp_send_loss_probe, which runs only where the kernel has kprobes.
 */
public final class Tcpretrans implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final String[] STATES = {"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
            "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** One retransmit ({@code type} 1) or tail loss probe (2): the addresses as the tracepoint gives them. */
    public record Retrans(long type, long pid, long family, byte[] saddr, byte[] daddr, byte[] saddr6, byte[] daddr6,
                          long lport, long dport, long state, long seq) {}

    /** A flow of -c's count. */
    public record Flow(long family, byte[] saddr, byte[] daddr, byte[] saddr6, byte[] daddr6, long lport, long dport) {}

    @Override public String name() { return "tcpretrans"; }

    @Override public String description() { return "Trace TCP retransmits"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j tcpretrans             # trace TCP retransmits
                    bpf4j tcpretrans -l          # include TLP attempts
                    bpf4j tcpretrans -4          # trace IPv4 family only
                    bpf4j tcpretrans -6          # trace IPv6 family only
                """)
                .flag('s', "sequence", "display TCP sequence numbers")
                .flag('l', "lossprobe", "include tail loss probe attempts")
                .flag('c', "count", "count occurred retransmits per flow")
                .flag('4', "ipv4", "trace IPv4 family only")
                .flag('6', "ipv6", "trace IPv6 family only");
    }

    /** The kernel side: events, or with {@code count} a map of flows; {@code family} 0 for both. */
    static String script(boolean count, long family, boolean lossProbe, boolean sequence) {
        String only = family == 0 ? "" : " /args.family == " + family + "/";
        String tuple = "(uint64)args.family, args.saddr, args.daddr, args.saddr_v6, args.daddr_v6, (uint64)args.sport, (uint64)args.dport";
        StringBuilder s = new StringBuilder("tracepoint:tcp:tcp_retransmit_skb" + only + " {\n");
        if (count) s.append("    @count[").append(tuple).append("] = count();\n}\n");
        else s.append("""
                    $seq = %s;
                    print(((uint64)1, (uint64)pid, (uint64)args.family, args.saddr, args.daddr, args.saddr_v6, args.daddr_v6,
                           (uint64)args.sport, (uint64)args.dport, (uint64)args.state, (uint64)$seq));
                }
                """.formatted(sequence ? "args.skbaddr != 0 ? ((struct tcp_skb_cb *)((uint64)args.skbaddr + " + cbOffset() + "))->seq : 0" : "0"));
        if (lossProbe && !count) s.append("""
                kprobe:tcp_send_loss_probe {
                    $sk = (struct sock *)arg0;
                    $c = $sk->__sk_common;
                    print(((uint64)2, (uint64)pid, (uint64)$c.skc_family, $c.skc_rcv_saddr, $c.skc_daddr,
                           $c.skc_v6_rcv_saddr.in6_u.u6_addr8, $c.skc_v6_daddr.in6_u.u6_addr8,
                           (uint64)$c.skc_num, (uint64)bswap($c.skc_dport), (uint64)$c.skc_state, (uint64)0));
                }
                """);
        return s.toString();
    }

    /**
     * Where {@code struct sk_buff} keeps {@code cb}, the control block TCP lays its {@code struct tcp_skb_cb} over
     * (the language has no address-of operator to take {@code &skb->cb}).
     */
    private static long cbOffset() {
        return Btf.vmlinux().find(BtfType.Struct.class, "sk_buff").flatMap(s -> s.member("cb"))
                .orElseThrow(() -> new ToolException.NotSupported("tcpretrans -s: this kernel's BTF has no sk_buff.cb", null)).bitOffset() / 8;
    }

    static String state(long s) { return s > 0 && s < STATES.length ? STATES[(int) s] : String.valueOf(s); }

    private static String endpoint(boolean v6, byte[] a4, byte[] a6, long port) {
        return Tcpconnect.address(v6 ? a6 : a4) + ":" + port;
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        boolean seq = a.flag("sequence"), count = a.flag("count");
        long family = a.flag("ipv4") ? 2 : a.flag("ipv6") ? 10 : 0;
        try (Tool t = Tool.load(name(), script(count, family, a.flag("lossprobe"), seq))) {
            if (!count) t.on(Retrans.class, e -> {
                boolean v6 = e.family() == 10;
                out.printf("%-8s %-7d %-2d %-20s %1s> %-20s", LocalTime.now().format(TIME), e.pid(), v6 ? 6 : 4,
                        endpoint(v6, e.saddr(), e.saddr6(), e.lport()), e.type() == 2 ? "L" : "R",
                        endpoint(v6, e.daddr(), e.daddr6(), e.dport()));
                if (seq) out.printf(" %-12s %s%n", state(e.state()), Integer.toUnsignedString((int) e.seq()));
                else out.printf(" %s%n", state(e.state()));
            });
            t.start();
            out.println("Tracing retransmits ... Hit Ctrl-C to end");
            if (count) {
                out.flush();
                t.pollFor(Long.MAX_VALUE / 2_000_000, stop);
                out.printf("%n%-25s %-25s %-10s%n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
                List<Map.Entry<Flow, Long>> flows = new ArrayList<>(t.counts("@count", Flow.class).entrySet());
                // BCC prints its IPv4 table, then its IPv6 one, each by ascending count
                flows.sort(Comparator.comparing((Map.Entry<Flow, Long> e) -> e.getKey().family() == 10).thenComparing(Map.Entry::getValue));
                for (var e : flows) {
                    Flow f = e.getKey();
                    boolean v6 = f.family() == 10;
                    out.printf("%-20s <-> %-20s %10d%n", "[" + Tcpconnect.address(v6 ? f.saddr6() : f.saddr()) + "]#" + f.lport(),
                            "[" + Tcpconnect.address(v6 ? f.daddr6() : f.daddr()) + "]#" + f.dport(), e.getValue());
                }
            } else {
                out.printf("%-8s %-7s %-2s %-20s %1s> %-20s", "TIME", "PID", "IP", "LADDR:LPORT", "T", "RADDR:RPORT");
                out.println(seq ? String.format(" %-12s %-10s", "STATE", "SEQ") : String.format(" %-4s", "STATE"));
                Snoop.loop(t, out, stop, 0);
            }
        }
        return 0;
    }
}
