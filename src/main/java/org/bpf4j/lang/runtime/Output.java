package org.bpf4j.lang.runtime;

import java.io.OutputStream;

/**
 * Where a script's output goes, as text (bpftrace's default) or as one JSON object per line ({@code -f json}).
 * Each kind of output is named as bpftrace's JSON names it. Output is gathered in an {@link OutputBuffer} and
 * written as {@link Buffering} says.
 */
public final class Output {
    /** When gathered output is written (bpftrace's -B). */
    public enum Buffering {
        /** After each event when the output is a terminal; otherwise once the waiting events are all printed. */
        LINE,
        /** When the buffer is full, and at exit. */
        FULL,
        /** After each event. */
        NONE
    }

    private final OutputBuffer buffer;
    private final boolean json;
    private final boolean quiet;
    private final boolean eachEvent;
    private final boolean onDrain;

    /** Output to {@code out}; {@code json} for -f json; {@code quiet} (-q) drops the "Attaching" line. */
    public Output(OutputStream out, boolean json, boolean quiet) {
        this(out, json, quiet, Buffering.NONE, false);
    }

    /** As {@link #Output(OutputStream, boolean, boolean)}, buffered as {@code buffering} says; {@code terminal} when out is a tty. */
    public Output(OutputStream out, boolean json, boolean quiet, Buffering buffering, boolean terminal) {
        this.buffer = new OutputBuffer(out);
        this.json = json;
        this.quiet = quiet;
        this.eachEvent = buffering == Buffering.NONE || (buffering == Buffering.LINE && terminal);
        this.onDrain = buffering != Buffering.FULL;
    }

    /** {@code s} as a JSON string literal, as -f json writes strings (the exporter's JSON uses it too). */
    public static String jsonString(String s) { return Values.quote(s); }

    /** True for -f json. */
    public boolean json() { return json; }

    /** The buffer printf writes its bytes to. */
    OutputBuffer buffer() { return buffer; }

    /** Text from printf(), time(), system(), cat(), join(): as it is, or as {"type": type, "data": text}. */
    public void message(String type, String text) {
        if (json) line("{\"type\": \"" + type + "\", \"data\": " + Values.quote(text) + "}");
        else buffer.write(text);
    }

    /** A print()ed value: its text on a line, or {"type": "value", "data": json}. */
    public void value(String text, String jsonValue) {
        if (json) line("{\"type\": \"value\", \"data\": " + jsonValue + "}");
        else line(text);
    }

    /** Text written as it is (map printing builds its own layout). */
    public void raw(String s) { buffer.write(s); }

    private void line(String s) {
        buffer.write(s);
        buffer.write('\n');
    }

    /** bpftrace's "Attached N probes" line (stderr in text mode) or its JSON record. */
    public void attaching(int probes) {
        if (quiet) return;
        if (json) line("{\"type\": \"attached_probes\", \"count\": " + probes + ", \"data\": {\"probes\": " + probes + "}}");
        else {
            // v0.26: "Attached N probes", on stderr with the other messages (script output stays on stdout)
            System.err.println("Attached " + probes + " probe" + (probes == 1 ? "" : "s"));
            System.err.flush();
        }
    }

    /** Events lost because the channel was full: bpftrace's "Lost N events" line, or its lost_events record. */
    public void lost(long count) {
        if (json) line("{\"type\": \"lost_events\", \"data\": {\"events\": " + count + "}}");
        else line("Lost " + count + " events");
    }

    /** One event has been printed: written out now when each event is (no buffering, or a terminal). */
    public void eventDone() {
        if (eachEvent) buffer.flush();
    }

    /** Every event that was waiting has been printed: written out now unless fully buffered. */
    public void drained() {
        if (onDrain) buffer.flush();
    }

    /** Pushes buffered output out. */
    public void flush() { buffer.flush(); }

    /** True once the reader of the output went away (a closed pipe). */
    public boolean broken() { return buffer.broken(); }
}
