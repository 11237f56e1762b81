package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** tcpaccept against the test's own loopback accept: its PID, both ports, the addresses. */
@Tag("kernel")
class TcpacceptTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void seesTheTestsAcceptWithItsPorts() throws Exception {
        long me = ProcessHandle.current().pid();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            int[] client = {0};
            String out = ToolRun.run(new Tcpaccept(), List.of("-T", "-p", String.valueOf(me), "-P", port + ",1"), () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port); Socket in = server.accept()) {
                    client[0] = s.getLocalPort();
                }
            }, text -> text.contains(" " + port));
            assertTrue(out.startsWith("TIME     PID     COMM         IP RADDR            RPORT LADDR            LPORT\n"), out);
            String row = ToolRun.line(out, ".* " + port + " *");
            // a Java socket is dual-stack: IPv6 with the IPv4-mapped loopback, unless java.net.preferIPv4Stack
            boolean v6 = row.substring(30, 32).strip().equals("6");
            String lo = v6 ? "::ffff:127.0.0.1" : "127.0.0.1";
            assertTrue(row.matches("\\d\\d:\\d\\d:\\d\\d .*"), row);
            assertEquals(String.format("%-7d %-12.12s %-2d %-16s %-5d %-16s %-5d", me, row.substring(17, 29).strip(), v6 ? 6 : 4,
                    lo, client[0], lo, port), row.substring(9));
        }
    }

    @Test
    void otherPortsAreLeftOut() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            String out = ToolRun.run(new Tcpaccept(), List.of("-P", String.valueOf(port == 1 ? 2 : 1)), () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port); Socket in = server.accept()) {
                    assertTrue(in.isConnected());
                }
            }, null);
            assertEquals("PID     COMM         IP RADDR            RPORT LADDR            LPORT\n", out);
        }
    }
}
