package org.bpf4j.cli;

import org.bpf4j.tools.Catalog;
import org.bpf4j.tools.CliTool;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.*;

/** Every BCC tool is listed by {@code bpf4j --help} with BCC's description, and answers -h and bad options as argparse. */
class ToolCommandsTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryTool() {
        Run r = run("--help");
        assertEquals(0, r.status(), r.err());
        for (CliTool t : Catalog.all())
            assertTrue(r.out().matches("(?s).*\\n  " + t.name() + " +" + String.join("\\s+", // a long description wraps
                            java.util.Arrays.stream(t.description().split(" ")).map(java.util.regex.Pattern::quote).toList()) + "\\n.*"),
                    t.name() + " missing from:\n" + r.out());
    }

    @Test
    void eachToolAnswersDashHAndBadOptions() {
        for (CliTool t : Catalog.all()) {
            Run help = run(t.name(), "-h");
            assertEquals(0, help.status(), t.name());
            assertTrue(help.out().startsWith("usage: " + t.name() + " [-h]"), help.out());
            assertTrue(help.out().matches("(?s)usage: .*\n\n" + java.util.regex.Pattern.quote(t.description())
                    + "\n\n.*optional arguments:\n  -h, --help +show this help message and exit\n.*"), help.out());
            // a required positional is given, so that the bad option is what argparse reports: funccount's pattern,
            // the Java tools' pid
            boolean pid = help.out().split("\n\n")[0].matches("(?s).* pid( .*)?");
            Run bad = t.name().equals("funccount") || t.name().equals("bcc-trace") ? run(t.name(), "--no-such-option", "t:sched:*")
                    : pid ? run(t.name(), "--no-such-option", "1") : run(t.name(), "--no-such-option");
            assertEquals(2, bad.status(), t.name());
            assertEquals(t.name() + ": error: unrecognized arguments: --no-such-option", bad.err().strip().lines().reduce((a, b) -> b).orElse(""));
            assertTrue(bad.err().startsWith("usage: " + t.name() + " [-h]"), bad.err());
        }
    }
}
