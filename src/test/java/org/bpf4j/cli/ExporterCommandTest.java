package org.bpf4j.cli;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bpf4j exporter} as a user runs it: a separate JVM, SIGTERM, exit status, one-line errors. */
class ExporterCommandTest {
    private static final Pattern SERVING = Pattern.compile("serving http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @Test
    @Tag("kernel")
    void servesUntilSigtermThenDetachesAndExitsZero() throws Exception {
        Kernel.require();
        Path script = Files.createTempFile("bpf4j-exporter", ".bt");
        Files.writeString(script, "interval:ms:100 { @ticks = count(); }\n");
        Process p = KillsnoopCommandTest.bpf4j("exporter", "--listen", "127.0.0.1:0", "--script", script.toString());
        try {
            Matcher m = null;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end && (m == null || !m.find()); ) {
                Thread.sleep(100);
                m = SERVING.matcher(KillsnoopCommandTest.stderr(p));
                assertTrue(p.isAlive(), KillsnoopCommandTest.stderr(p));
            }
            assertTrue(m != null && m.find(0), KillsnoopCommandTest.stderr(p));
            String url = "http://127.0.0.1:" + m.group(1) + "/metrics";
            Thread.sleep(350);
            try (HttpClient http = HttpClient.newHttpClient()) {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher ticks = Pattern.compile("(?m)^bpf4j_exporter\\S*_ticks_total (\\S+)$").matcher(body);
                assertTrue(ticks.find() && Double.parseDouble(ticks.group(1)) >= 2, body);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the exporter did not exit on SIGTERM");
            assertEquals(0, p.exitValue(), KillsnoopCommandTest.stderr(p));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(script);
        }
        // LeakCheck (registered for every class) fails this class if the child left a program or map behind.
    }

    private static String run(int status, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(status, rc, out + "\n" + err);
        return err.toString();
    }

    @Test
    void ebpfExportersConfigFlagsAreCheckedInOneLine() {
        assertEquals("bpf4j: --config.dir /nonexistent/ebpf_exporter: no such directory",
                run(1, "exporter", "--config.dir", "/nonexistent/ebpf_exporter", "--config.names", "timers").strip());
        assertEquals("bpf4j: --config.dir needs --config.names: which of its configs to load",
                run(1, "exporter", "--config.dir", "/tmp").strip());
        assertEquals("bpf4j: --config.names 'a,,b': an empty name", run(1, "exporter", "--config.names", "a,,b").strip());
    }

    @Test
    void badOptionsAreOneLine() {
        assertEquals("bpf4j: --listen 'nope': expected ADDR:PORT, e.g. 127.0.0.1:9435", run(1, "exporter", "--listen", "nope").strip());
        assertEquals("bpf4j: --listen ':99999': the port must be a number in 0..65535", run(1, "exporter", "--listen", ":99999").strip());
        assertEquals("bpf4j: --script x.txt: expected a bpftrace script (FILE.bt)", run(1, "exporter", "--script", "x.txt").strip());
        assertEquals("bpf4j: --otlp 'ftp://x': expected an http:// or https:// URL", run(1, "exporter", "--otlp", "ftp://x").strip());
    }

    /** The tracing commands' start-up is measured: none of the exporter's libraries may load on their paths. */
    @Test
    void theTracingCommandsLoadNoneOfTheExportersClasses() throws Exception {
        for (List<String> args : List.of(List.of("trace", "-d", "codegen", "-e", "BEGIN { @x = count(); printf(\"hi\\n\"); }"),
                List.of("stap", "-h"), List.of("killsnoop", "-h"))) {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertTrue(out.contains("org.bpf4j.cli.Main "), "class loading was logged");
            for (String pkg : List.of("io.prometheus.", "io.opentelemetry.", "org.bpf4j.exporter.", "com.sun.net.httpserver."))
                assertFalse(out.contains(" " + pkg), args + " loaded " + pkg + "*");
        }
    }
}
