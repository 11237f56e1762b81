package org.bpf4j.lang.runtime;

import java.io.PrintStream;

/**
 * Where a script's output goes, as text (bpftrace's default) or as one JSON object per line ({@code -f json}).
 * Each kind of output is named as bpftrace's JSON names it.
 */
public final class Output {
    private final PrintStream out;
    private final boolean json;
    private final boolean quiet;

    /** Output to {@code out}; {@code json} for -f json; {@code quiet} (-q) drops the "Attaching" line. */
    public Output(PrintStream out, boolean json, boolean quiet) {
        this.out = out;
        this.json = json;
        this.quiet = quiet;
    }

    /** True for -f json. */
    public boolean json() { return json; }

    /** Text from printf(), time(), system(), cat(), join(): as it is, or as {"type": type, "data": text}. */
    public void message(String type, String text) {
        if (json) out.println("{\"type\": \"" + type + "\", \"data\": " + Values.quote(text) + "}");
        else out.print(text);
    }

    /** A print()ed value: its text on a line, or {"type": "value", "data": json}. */
    public void value(String text, String jsonValue) {
        if (json) out.println("{\"type\": \"value\", \"data\": " + jsonValue + "}");
        else out.println(text);
    }

    /** Text written as it is (map printing builds its own layout). */
    public void raw(String s) { out.print(s); }

    /** bpftrace's "Attaching N probes..." line. */
    public void attaching(int probes) {
        if (quiet) return;
        if (json) out.println("{\"type\": \"attached_probes\", \"data\": {\"probes\": " + probes + "}}");
        else out.println("Attaching " + probes + " probe" + (probes == 1 ? "" : "s") + "...");
    }

    /** Events the kernel dropped because we read too slowly. */
    public void lost(long count) {
        if (json) out.println("{\"type\": \"lost_events\", \"data\": {\"events\": " + count + "}}");
        else out.println("Lost " + count + " events");
    }

    /** Pushes buffered output out. */
    public void flush() { out.flush(); }
}
