package org.bpf4j.tools;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** capable, tcpconnect and runqlat against workloads with a known answer. */
@Tag("kernel")
class MoreToolsTest {
    @BeforeEach
    void kernel() { Kernel.require(); }

    @Test
    void capableSeesChownsCapabilityCheck() throws Exception {
        Path f = Files.createTempFile("capable", "");
        long[] pid = {0};
        try {
            String out = ToolRun.run(new Capable(), List.of(), () -> {
                Process p = new ProcessBuilder("chown", "1:1", f.toString()).inheritIO().start();
                pid[0] = p.pid();
                assertEquals(0, p.waitFor());
            }, text -> text.contains(" CAP_CHOWN "));
            assertTrue(out.startsWith("TIME      UID    PID    TID    COMM             CAP  NAME                 AUDIT\n"), out);
            ToolRun.line(out, "\\d\\d:\\d\\d:\\d\\d  0      " + String.format("%-6d %-6d", pid[0], pid[0]) + " chown            0    CAP_CHOWN            0");
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void tcpconnectSeesALoopbackConnectWithItsPorts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            int[] local = {0};
            String out = ToolRun.run(new Tcpconnect(), List.of("-L", "-P", String.valueOf(port)), () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port); Socket in = server.accept()) {
                    local[0] = s.getLocalPort();
                }
            }, text -> text.contains(" " + port));
            assertTrue(out.startsWith("PID    COMM         IP SADDR            LPORT  DADDR            DPORT\n"), out);
            String row = ToolRun.line(out, ".* " + port + " *");
            // a Java socket is dual-stack: IPv6 with the IPv4-mapped loopback, unless java.net.preferIPv4Stack
            boolean v6 = row.substring(20, 22).strip().equals("6");
            String lo = v6 ? "::ffff:127.0.0.1" : "127.0.0.1";
            assertEquals(String.format("%-6d %-12.12s %-2d %-16s %-6d %-16s %-4d", ProcessHandle.current().pid(), row.substring(7, 19).strip(),
                    v6 ? 6 : 4, lo, local[0], lo, port), row);
        }
    }

    @Test
    void runqlatMeasuresAQueueUnderCpuLoad() throws Exception {
        String out = ToolRun.run(new Runqlat(), List.of(), () -> {
            // three busy threads on two CPUs wait for each other in the run queue
            ToolRun.busyThreads();
        }, null);
        assertTrue(out.startsWith("Tracing run queue latency... Hit Ctrl-C to end.\n\n     usecs               : count     distribution\n"), out);
        long total = ToolRun.histogramTotal(out);
        assertTrue(total > 10, "run queue waits under load: " + total + "\n" + out);
    }
}
