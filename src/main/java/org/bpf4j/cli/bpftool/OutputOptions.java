package org.bpf4j.cli.bpftool;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** bpftool's output options, {@code -j} and {@code -p}, shared by every inspection verb. */
public final class OutputOptions {
    @Option(names = {"-j", "--json"}, scope = picocli.CommandLine.ScopeType.INHERIT, description = "Print JSON, as bpftool -j.")
    boolean json;

    @Option(names = {"-p", "--pretty"}, scope = picocli.CommandLine.ScopeType.INHERIT, description = "Print pretty JSON, as bpftool -p (implies -j).")
    boolean pretty;

    /** Whether JSON was asked for. */
    public boolean json() { return json || pretty; }

    /** A JSON writer in the requested style. */
    public Json writer() { return new Json(pretty); }

    /**
     * Prints {@code items}: text blocks one after the other, or JSON, as one object when {@code single} and as an
     * array otherwise.
     */
    public <T> void print(PrintWriter out, List<T> items, boolean single, Function<T, String> text, BiConsumer<T, Json> json) {
        if (json()) {
            Json w = writer();
            if (!single) w.beginArray();
            for (T t : items) json.accept(t, w);
            if (!single) w.endArray();
            out.print(w.text());
        } else {
            for (T t : items) out.print(text.apply(t));
        }
        out.flush();
    }
}
