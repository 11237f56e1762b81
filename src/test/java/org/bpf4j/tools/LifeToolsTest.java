package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** tcplife: a loopback session with known bytes each way; cpudist: on-CPU time of busy threads. */
@Tag("kernel")
class LifeToolsTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void tcplifeShowsBothEndsWithTheirBytes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            int[] client = {0};
            String out = ToolRun.run(new Tcplife(), List.of(), () -> {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port); Socket s = server.accept()) {
                    client[0] = c.getLocalPort();
                    c.getOutputStream().write(new byte[10 * 1024]);
                    s.getInputStream().readNBytes(10 * 1024);
                    s.getOutputStream().write(new byte[20 * 1024]);
                    c.getInputStream().readNBytes(20 * 1024);
                    c.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read());
                }
            }, text -> text.lines().filter(l -> l.contains(" " + port + " ")).count() >= 2);
            assertTrue(out.startsWith("PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS\n"), out);
            long me = ProcessHandle.current().pid();
            String lo = "(127\\.0\\.0\\.1|::ffff:127\\.0\\.0\\.1) *";
            ToolRun.line(out, me + " +\\S+ +" + lo + client[0] + " +" + lo + port + " +10 +20 \\d+\\.\\d\\d");
            ToolRun.line(out, me + " +\\S+ +" + lo + port + " +" + lo + client[0] + " +20 +10 \\d+\\.\\d\\d");
        }
    }

    @Test
    void cpudistMeasuresOnCpuTime() throws Exception {
        String out = ToolRun.run(new Cpudist(), List.of("-p", String.valueOf(ProcessHandle.current().pid())), () -> {
            ToolRun.busyThreads();
        }, null);
        assertTrue(out.startsWith("Tracing on-CPU time... Hit Ctrl-C to end.\n\n     usecs               : count     distribution\n"), out);
        long total = ToolRun.histogramTotal(out);
        assertTrue(total > 10, "three busy threads on two CPUs are switched: " + total + "\n" + out);
    }
}
