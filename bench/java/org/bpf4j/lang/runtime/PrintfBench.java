package org.bpf4j.lang.runtime;

import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Type;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Nanoseconds per printf of an event, from its record's bytes to output bytes: the runtime's {@link PrintfWriter}
 * (what {@code bpf4j trace} runs) against formatting through Java values and a String, as the runtime did before
 * (the general path every conversion still has). Run by bench/printf.sh; the output goes to a buffer flushed to
 * nowhere, so that only formatting is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PrintfBench {
    /** The formats: bench/event_rate.py's, and a tool's columns (widths, a string, hex). */
    @Param({"%d %d %s\n", "%-6d %-16s %4d %8x %s\n"})
    public String format;

    private PrintfWriter writer;
    private OutputBuffer out;
    private Values values;
    private Format parsed;
    private Type.Tuple payload;
    private byte[] record;
    private int base;

    @Setup
    public void setup() {
        parsed = Format.parse(format);
        List<Type> el = new ArrayList<>(List.of(Type.UINT64));
        for (Format.Spec s : parsed.specs()) el.add(s.conversion().equals("s") ? new Type.Str(16) : new Type.Int(8, true));
        payload = new Type.Tuple(el);
        values = new Values(new Symbols(), List.of(), List.of(), (limit, id) -> new long[0]);
        writer = PrintfWriter.of(parsed, payload, values);
        out = new OutputBuffer(OutputStream.nullOutputStream());
        base = 24; // records sit inside a chunk
        record = new byte[base + payload.size() + 8];
        for (int i = 1; i < el.size(); i++) {
            int at = base + payload.offset(i);
            if (el.get(i) instanceof Type.Str) {
                byte[] comm = "gen-worker".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(comm, 0, record, at, comm.length);
            } else {
                long v = 123456 + i;
                for (int b = 0; b < 8; b++) record[at + b] = (byte) (v >>> (8 * b));
            }
        }
    }

    /** What bpf4j trace does per printf event. */
    @Benchmark
    public int printfWriter() {
        writer.write(out, record, base);
        return 0;
    }

    /** Java values, Format.format to a String, then UTF-8 bytes: the general path. */
    @Benchmark
    public int viaString() {
        List<Object> args = new ArrayList<>();
        for (int i = 1; i < payload.elements().size(); i++) args.add(values.printfArg(payload.elements().get(i), record, base + payload.offset(i)));
        out.write(parsed.format(args));
        return 0;
    }
}
