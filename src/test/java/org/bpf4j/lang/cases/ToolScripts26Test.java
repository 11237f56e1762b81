package org.bpf4j.lang.cases;

import org.bpf4j.cli.Main;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpftrace v0.26's 39 tool scripts (shared/bpftrace-0.26/tools), unchanged: every one compiles (bpf4j's
 * {@code -d codegen}: checked against this kernel's BTF and probes, compiled, not loaded) except those listed in
 * {@link #NOT_COMPILING} with the reason; the ones on tracepoints, uprobes and perf events run under a load and
 * show its events ({@link ToolScriptsTest#runUnderLoad}). The kprobe/fentry tools compile; at attach they fail as
 * bpftrace does on a kernel without kprobes.
 */
@Tag("kernel")
class ToolScripts26Test {
    static final Path TOOLS = Bpftrace26CasesTest.SHARED.resolveSibling("tools");
    /** The tools that do not compile yet, with the missing piece. */
    static final Map<String, String> NOT_COMPILING = Map.of();
    static Path bpftrace;
    @org.junit.jupiter.api.io.TempDir
    static Path tmp;

    @BeforeAll
    static void launcher() throws Exception {
        Kernel.require();
        Kernel.unless(Files.isDirectory(TOOLS) ? null : "no bpftrace v0.26 tools at " + TOOLS);
        bpftrace = Launcher.create(tmp);
    }

    @Test
    void everyToolCompilesButTheListedOnes() throws Exception {
        List<String> wrong = new ArrayList<>();
        int compiled = 0;
        List<Path> tools;
        try (var s = Files.list(TOOLS)) {
            tools = s.filter(p -> p.toString().endsWith(".bt")).sorted().toList();
        }
        assertEquals(39, tools.size());
        for (Path t : tools) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int rc = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "trace", "-d", "codegen", t.toString());
            String name = t.getFileName().toString();
            if (rc == 0) compiled++;
            if ((rc == 0) == NOT_COMPILING.containsKey(name))
                wrong.add(name + ": exit " + rc + (rc == 0 ? " (listed as not compiling)" : ": " + err.toString().strip().lines().findFirst().orElse("")));
            else if (rc != 0) assertFalse(err.toString().contains("Exception"), name + ": " + err);
        }
        System.out.println("bpftrace 0.26 tool scripts compiling: " + compiled + " of " + tools.size());
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** A kprobe tool compiles, and attaching says why it cannot run here, without a stack trace. */
    @Test
    void aKprobeToolReportsTheMissingKprobesAtAttach() throws Exception {
        Process p = new ProcessBuilder(bpftrace.toString(), TOOLS.resolve("vfsstat.bt").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("kprobes: kernel built without CONFIG_KPROBES"), out);
        assertFalse(out.contains("Exception"), out);
    }

    /**
     * loads.bt's {@code kaddr("avenrun")} is a relocation the runtime fills from /proc/kallsyms at load: it compiles
     * anywhere, and where kallsyms lacks the data symbol (no CONFIG_KALLSYMS_ALL) it fails at load with one message
     * at the call; where kallsyms has it, the tool prints the load averages.
     */
    @Test
    void loadsResolvesAvenrunAtLoad() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "trace", "--dry-run", TOOLS.resolve("loads.bt").toString()), err.toString());
        if (org.bpf4j.symbols.Kallsyms.lookup(Path.of("/proc/kallsyms"), "avenrun").isPresent()) {
            ToolScriptsTest.runUnderLoad(bpftrace, TOOLS.resolve("loads.bt"), "sleep 1.5",
                    "(?m)^\\d\\d:\\d\\d:\\d\\d load averages: \\d+\\.\\d{3} \\d+\\.\\d{3} \\d+\\.\\d{3}$");
            return;
        }
        Process p = new ProcessBuilder(bpftrace.toString(), TOOLS.resolve("loads.bt").toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), text);
        assertTrue(text.startsWith(TOOLS.resolve("loads.bt") + ":44:14: ERROR: Failed to resolve kernel symbol: avenrun (kaddr(): no such symbol in /proc/kallsyms)\n"
                + "  $avenrun = kaddr(\"avenrun\");\n"), text);
        assertFalse(text.contains("Exception") || text.contains("Attached"), text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "killsnoop => kill -0 $$; echo $$ => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+(<PID>)\\s+\\S+\\s+N/A\\s+<PID>\\s+0$",
            "execsnoop => /bin/echo bpf4j-exec-marker => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+\\d+\\s+\\d+\\s+/bin/echo bpf4j-exec-marker$",
            "statsnoop => stat /etc/hostname > /dev/null => (?m)^\\d+\\s+stat\\s+0 /etc/hostname$",
            "syncsnoop => sync => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+sync\\s+tracepoint:syscalls:sys_enter_sync$",
            "setuids => python3 -c 'import os; os.setuid(0)' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+0\\s+setuid\\s+uid=0 \\(0\\)$",
            "pidpersec => true; true; sleep 1.2 => (?m)^\\d\\d:\\d\\d:\\d\\d PIDs/sec: @: \\d+$",
            "cpuwalk => sleep 0.5 => (?m)^@cpu:\\n\\[\\d+, \\d+\\)\\s+\\d+ \\|@*\\s*\\|$",
            "runqlat => sleep 0.3 => (?m)^@usecs:\\n(\\[\\d+(, \\d+[KM]?\\))?\\]?\\s+\\d+ \\|@*\\s*\\|\\n)+",
            "runqlen => sleep 0.5 => (?m)^@runqlen:\\n\\[\\d+, \\d+\\)\\s+\\d+ \\|@*\\s*\\|$",
            "gethostlatency => getent hosts localhost > /dev/null => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+\\s+getent\\s+\\d+ localhost$",
            "threadsnoop => python3 -c 'import threading; t = threading.Thread(target=lambda: None); t.start(); t.join()' => (?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+\\d+\\s+python3\\s+\\S+$",
            "writeback => dd if=/dev/zero of=wb.tmp bs=1M count=8 2>/dev/null; sync; rm -f wb.tmp => (?m)^\\d\\d:\\d\\d:\\d\\d\\s+\\d+:\\d+\\s+\\d+\\s+\\S+\\s+\\d+\\.\\d{3}$",
            "bitesize => dd if=/dev/zero of=bs.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bs.tmp => (?m)^@\\[.+\\]:\\n\\[\\d+[KM]?, \\d+[KM]?\\)\\s+\\d+ \\|@*\\s*\\|$",
            "biosnoop => dd if=/dev/zero of=bs.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bs.tmp => (?m)^\\d+\\s+\\d+\\s+\\d+\\s+\\S.*\\s+\\d+\\s+\\d+$",
            "tcpdrop => python3 -c 'import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); c = socket.create_connection(s.getsockname()); c.send(b\"x\" * 100); time.sleep(0.2); s.close()' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+python3\\s+127\\.0\\.0\\.1:\\d+\\s+127\\.0\\.0\\.1:\\d+\\s+[A-Z_0-9]+\\s*$",
            "bashreadline => true => (?m)^TIME\\s+PID\\s+COMMAND$",
            "syscount => sync => (?m)^@syscall\\[\\d+\\]: \\d+$",
            "opensnoop => cat bpf4j-opensnoop-missing 2>/dev/null; true => (?m)^\\d+\\s+cat\\s+-1\\s+2 /\\S*/bpf4j-opensnoop-missing$",
            // a 1.25 s nanosleep: tv_sec and tv_nsec read from the process's memory through the pointer kept in @rqtp
            "naptime => python3 -c 'import ctypes; t = (ctypes.c_long * 2)(1, 250000000); ctypes.CDLL(None).syscall(35, t, None)' => (?m)^\\d\\d:\\d\\d:\\d\\d \\d+\\s+\\S+\\s+\\d+\\s+python3\\s+1\\.250$",
            // direct writes to a file on the root file system's block device: each bio queued and completed
            "biolatency => dd if=/dev/zero of=bl.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bl.tmp => (?m)^@usecs:\\n(\\[\\d+[KM]?, \\d+[KM]?\\)\\s+\\d+ \\|@*\\s*\\|\\n)+",
            // dd's direct writes start their requests in write(2): that stack, and how long until each was issued
            "biostacks => dd if=/dev/zero of=bk.tmp bs=1M count=4 oflag=direct 2>/dev/null; rm -f bk.tmp => (?m)^@usecs\\[\\n(\\s+\\S+\\+\\d+\\n)*\\s+vfs_write\\+\\d+\\n(\\s+\\S+\\+\\d+\\n)*\\]:\\n\\[\\d+[KM]?, \\d+[KM]?\\)\\s+\\d+ \\|@*\\s*\\|$",
    })
    void toolRunsUnchangedAndShowsTheEvent(String tool, String load, String expect) throws Exception {
        ToolScriptsTest.runUnderLoad(bpftrace, TOOLS.resolve(tool + ".bt"), "cd " + tmp + " && " + load, expect);
    }

    /**
     * A local TLS exchange for the libssl/libcrypto tools: python3's ssl module (libssl) handshakes with itself over
     * loopback, in a child that stays until the file named by its argument goes, so that the tool can still name
     * the functions in its libssl when it prints (at Ctrl-C for ssllatency); the parent returns once it is done.
     */
    static final String TLS_LOAD = """
            import os, socket, ssl, sys, threading, time
            r, w = os.pipe()
            if os.fork():
                os.close(w)
                sys.exit(0 if os.read(r, 1) == b"x" else 1)
            os.close(r)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            srv.load_cert_chain("c.pem", "k.pem")
            cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            cli.load_verify_locations("c.pem")
            ls = socket.create_server(("127.0.0.1", 0))
            def serve():
                c, _ = ls.accept()
                with srv.wrap_socket(c, server_side=True) as s:
                    s.sendall(s.recv(100))
            t = threading.Thread(target=serve)
            t.start()
            with cli.wrap_socket(socket.create_connection(ls.getsockname()), server_hostname="localhost") as s:
                s.sendall(b"bpf4j")
                s.recv(100)
            t.join()
            os.write(w, b"x")
            deadline = time.time() + 60
            while os.path.exists(sys.argv[1]) and time.time() < deadline:
                time.sleep(0.05)
            """;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
            "sslsnoop => (?m)^\\d+\\s+\\d+\\s+python3\\s+\\d+\\s+1 SSL_do_handshake$",
            "ssllatency => (?s)@hist\\[SSL_do_handshake\\]:\\n\\[\\d+, (\\d+|\\.\\.\\.)\\)\\s+[1-9]\\d* \\|@+\\s*\\|.*@stat\\[SSL_do_handshake\\]: \\{ \\.count = [1-9]\\d*, \\.average = \\d+, \\.total = \\d+ \\}",
    })
    void sslToolsSeeALocalTlsHandshake(String tool, String expect) throws Exception {
        Kernel.unless(Files.isExecutable(Path.of("/usr/bin/openssl")) ? null : "no openssl (Debian's openssl) to make a certificate");
        Path dir = Files.createDirectories(tmp.resolve(tool));
        Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-subj", "/CN=localhost", "-keyout", "k.pem", "-out", "c.pem", "-days", "1")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String genOut = new String(gen.getInputStream().readAllBytes());
        assertEquals(0, gen.waitFor(), genOut);
        Files.writeString(dir.resolve("tls.py"), TLS_LOAD);
        Path hold = Files.createFile(dir.resolve("hold"));
        try {
            ToolScriptsTest.runUnderLoad(bpftrace, TOOLS.resolve(tool + ".bt"), "cd " + dir + " && python3 tls.py hold", expect);
        } finally {
            Files.deleteIfExists(hold);
        }
    }
}
