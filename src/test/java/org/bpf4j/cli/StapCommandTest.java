package org.bpf4j.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bpf4j stap}'s command line: stap's options that apply, SystemTap's BPF runtime named as stap names it. */
class StapCommandTest {
    record Result(int status, String out, String err) {}

    static Result stap(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = StapCommand.main(List.of(args), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void theBpfRuntimeIsAcceptedAndOthersAreRefused() {
        String script = "probe begin { println(\"hi\"); exit() }";
        assertEquals(new Result(0, "", ""), stap("--runtime=bpf", "-p", "2", "-e", script), "stap --runtime=bpf, as eBPF's introduction runs it");
        assertEquals(new Result(0, "", ""), stap("--bpf", "-p2", "-e", script));
        assertEquals(new Result(0, "", ""), stap("--runtime", "bpf", "-p2", "-e", script));
        Result kernel = stap("--runtime=kernel", "-e", script);
        assertEquals(1, kernel.status());
        assertEquals("stap: bpf4j stap has only the BPF runtime (--runtime=bpf), not 'kernel'\n", kernel.err());
    }

    @Test
    void badOptionsAreStapsMessages() {
        assertEquals(new Result(1, "", "stap: Invalid target process ID number.\n"), stap("-x", "0", "-e", "probe begin { exit() }"));
        assertEquals(new Result(1, "", "stap: Invalid pass number (should be 1-5).\n"), stap("-p", "9", "-e", "probe begin { exit() }"));
        Result bad = stap("--nosuch", "-e", "probe begin { exit() }");
        assertEquals(1, bad.status());
        assertTrue(bad.err().endsWith("Try '--help' for more information.\n"), bad.err());
    }
}
