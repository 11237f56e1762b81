package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tcpretrans against SYN retransmits on loopback: a listener that never accepts, with a backlog of one, drops the
 * SYNs of the connections past its full accept queue, and their clients send them again after a second (the kernel
 * has no netem here, and dropping SYNs needs no firewall).
 */
@Tag("kernel")
class TcpretransTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    /** Connects four clients to a listener with backlog 1 that never accepts, and waits for them to give up. */
    private static void overflow(ServerSocket server) throws Exception {
        List<Thread> clients = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = new Socket();
            sockets.add(s);
            Thread c = new Thread(() -> {
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2500);
                } catch (IOException timedOut) {
                    // the dropped ones time out: that is the point
                }
            });
            c.start();
            clients.add(c);
        }
        for (Thread c : clients) c.join();
        for (Socket s : sockets) s.close();
    }

    @Test
    void seesTheSynRetransmitsOfAFullAcceptQueue() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            String out = ToolRun.run(new Tcpretrans(), List.of("-s"), () -> overflow(server), text -> text.contains(":" + port + " "));
            assertTrue(out.startsWith("Tracing retransmits ... Hit Ctrl-C to end\n"
                    + "TIME     PID     IP LADDR:LPORT          T> RADDR:RPORT          STATE        SEQ       \n"), out);
            // a Java socket is dual-stack: IPv6 with the IPv4-mapped loopback, unless java.net.preferIPv4Stack
            Matcher m = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d \\d+ +([46])  (\\S+):(\\d+) +R> (\\S+):" + port + " +SYN_SENT +(\\d+)$").matcher(out);
            assertTrue(m.find(), out);
            String lo = m.group(1).equals("6") ? "::ffff:127.0.0.1" : "127.0.0.1";
            assertEquals(lo, m.group(2), out);
            assertEquals(lo, m.group(4), out);
            assertNotEquals(port, Integer.parseInt(m.group(3)), out);
            // the SYN's initial sequence number, read from the skb's control block: random, so not 0 (but 1 in 2^32)
            assertNotEquals("0", m.group(5), out);
        }
    }

    @Test
    void countsRetransmitsPerFlow() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            String out = ToolRun.run(new Tcpretrans(), List.of("-c"), () -> overflow(server), null);
            assertTrue(out.startsWith("Tracing retransmits ... Hit Ctrl-C to end\n\nLADDR:LPORT               RADDR:RPORT               RETRANSMITS\n"), out);
            Matcher m = Pattern.compile("(?m)^\\[(\\S+)]#(\\d+) +<-> \\[\\S+]#" + port + " +(\\d+)$").matcher(out);
            assertTrue(m.find(), out);
            // 2.5 s of waiting: the SYN again at 1 s, and at 3 s if the host is slow to give up
            assertTrue(Long.parseLong(m.group(3)) >= 1, out);
        }
    }

    @Test
    void theLossProbeKprobeCompiles() throws Exception {
        // this kernel cannot attach it; where kprobes exist it must at least be a valid script
        var parsed = org.bpf4j.lang.syntax.Parser.parse(new org.bpf4j.lang.syntax.Source("tcpretrans", Tcpretrans.script(false, 0, true, true)));
        var analysis = org.bpf4j.lang.sema.Checker.check(parsed, new org.bpf4j.lang.sema.Params(List.of()),
                org.bpf4j.lang.sema.ProbeCatalog.system(), org.bpf4j.lang.sema.Checker.Options.DEFAULT);
        var compiled = org.bpf4j.lang.codegen.Compiler.compile(analysis, new org.bpf4j.lang.codegen.Compiler.Options(0, 0, 1, 0,
                org.bpf4j.events.EventChannel.RING_BUFFER, 1 << 16));
        assertEquals(2, compiled.programs().size());
    }
}
