package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tcptop against the test's own loopback sessions: 3 MiB one way and 1 MiB back on an IPv4 socket and on an IPv6
 * one, each end a row with its ports and RX_KB/TX_KB. The interval is long, so the one summary printed at Ctrl-C
 * holds the whole transfer (each interval rounds down to kilobytes).
 */
@Tag("kernel")
class TcptopTest {
    private static final int UP = 3 << 20, DOWN = 1 << 20;

    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void sumsBothEndsOfAnIpv4AndAnIpv6Session() throws Exception {
        long me = ProcessHandle.current().pid();
        int[][] ports = new int[2][];
        String out = ToolRun.run(new Tcptop(), List.of("-C", "-p", String.valueOf(me), "60"), () -> {
            ports[0] = transfer(StandardProtocolFamily.INET, "127.0.0.1");
            ports[1] = transfer(StandardProtocolFamily.INET6, "::1");
        }, null);
        assertTrue(out.startsWith("Tracing... Output every 60 secs. Hit Ctrl-C to end\n\n"), out);
        assertTrue(out.matches("(?s).*\n\\d\\d:\\d\\d:\\d\\d loadavg: [\\d.]+ [\\d.]+ [\\d.]+ \\d+/\\d+ \\d+\n\n"
                + "PID     COMM         LADDR                 RADDR                  RX_KB  TX_KB\n.*"), out);
        assertTrue(out.contains("\n\nPID     COMM         LADDR6                           RADDR6                            RX_KB  TX_KB\n"), out);
        int server = ports[0][0], client = ports[0][1];
        row(out, "%-7d .{12} %-21s %-21s %6d %6d", me, "127.0.0.1:" + server, "127.0.0.1:" + client, UP >> 10, DOWN >> 10);
        row(out, "%-7d .{12} %-21s %-21s %6d %6d", me, "127.0.0.1:" + client, "127.0.0.1:" + server, DOWN >> 10, UP >> 10);
        server = ports[1][0];
        client = ports[1][1];
        row(out, "%-7d .{12} %-32s %-32s %6d %6d", me, "::1:" + server, "::1:" + client, UP >> 10, DOWN >> 10);
        row(out, "%-7d .{12} %-32s %-32s %6d %6d", me, "::1:" + client, "::1:" + server, DOWN >> 10, UP >> 10);
    }

    @Test
    void ipv4OnlyLeavesTheIpv6SessionOut() throws Exception {
        long me = ProcessHandle.current().pid();
        int[][] ports = new int[2][];
        String out = ToolRun.run(new Tcptop(), List.of("-C", "-S", "-4", "-p", String.valueOf(me), "60"), () -> {
            ports[0] = transfer(StandardProtocolFamily.INET, "127.0.0.1");
            ports[1] = transfer(StandardProtocolFamily.INET6, "::1");
        }, null);
        assertFalse(out.contains("loadavg"), "-S leaves the summary out:\n" + out);
        assertFalse(out.contains("LADDR6"), "-4 leaves IPv6 out:\n" + out);
        row(out, "%-7d .{12} %-21s %-21s %6d %6d", me, "127.0.0.1:" + ports[0][0], "127.0.0.1:" + ports[0][1], UP >> 10, DOWN >> 10);
    }

    @Test
    void refusesBothFamiliesAndANonPositiveInterval() throws Exception {
        Tcptop t = new Tcptop();
        assertEquals(2, t.run(t.args().parse(List.of("-4", "-6")), System.out, () -> true));
        assertEquals(2, t.run(t.args().parse(List.of("0")), System.out, () -> true));
    }

    /** A row formatted as BCC's, with the pid, ends and kilobytes given; fails showing the output when absent. */
    private static void row(String out, String format, long pid, String local, String remote, long rx, long tx) {
        String row = String.format(format, pid, local, remote, rx, tx);
        assertTrue(Pattern.compile("(?m)^" + row.replace(".", "\\.").replace("\\.{12}", ".{12}") + "$").matcher(out).find(),
                "no row " + row + " in:\n" + out);
    }

    /** A loopback session of {@code family}: UP bytes client to server, DOWN bytes back; returns {server, client} ports. */
    private static int[] transfer(ProtocolFamily family, String host) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(family)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (SocketChannel c = SocketChannel.open(family)) {
                c.connect(new InetSocketAddress(InetAddress.getByName(host), port));
                try (SocketChannel s = listener.accept()) {
                    // each end sends and receives on one thread: BCC's key holds the thread's name
                    Thread client = Thread.ofPlatform().name("tcptop-client").start(() -> {
                        try {
                            c.write(ByteBuffer.allocate(UP));
                            readFully(c, DOWN);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    readFully(s, UP);
                    s.write(ByteBuffer.allocate(DOWN));
                    client.join();
                    return new int[] {port, ((InetSocketAddress) c.getLocalAddress()).getPort()};
                }
            }
        }
    }

    private static void readFully(SocketChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(65536);
        for (int got = 0; got < n; ) {
            b.clear();
            int r = ch.read(b);
            if (r < 0) throw new AssertionError("the peer closed after " + got + " of " + n + " bytes");
            got += r;
        }
    }
}
