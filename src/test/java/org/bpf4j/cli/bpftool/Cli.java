package org.bpf4j.cli.bpftool;

import org.bpf4j.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs bpf4j's command line in this JVM and keeps what it printed. */
record Cli(int status, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(status, out.toString(), err.toString());
    }

    /** The output of a run that must succeed. */
    static String ok(String... args) {
        Cli c = run(args);
        if (c.status != 0) throw new AssertionError("bpf4j " + String.join(" ", args) + " exited " + c.status + ": " + c.err);
        return c.out;
    }
}
