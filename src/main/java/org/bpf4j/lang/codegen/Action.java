package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.Format;
import org.bpf4j.lang.sema.Type;

/**
 * What a probe asks the runtime to do by sending an event: each event starts with a u64 action number, an index
 * into the script's action table, followed by {@link #payload() the action's values} laid out as a tuple.
 */
public sealed interface Action {
    /** The values that follow the action number in the event, as a tuple (the number included as element 0). */
    Type.Tuple payload();

    /** printf(), system() (runs the formatted command), cat() (prints the formatted file) or debugf(). */
    record Printf(Kind kind, Format format, Type.Tuple payload) implements Action {
        /** The functions that format. */
        public enum Kind { PRINTF, SYSTEM, CAT }
    }

    /**
     * errorf() and warnf(), and the warnings the program raises itself (a division by zero): printed as
     * {@code WHERE: LEVEL: message} and the script's line when there is one, {@code where} being
     * {@code FILE:LINE:COL-END}; then, for a call a macro brought in, each macro call it was expanded from.
     */
    record Diagnostic(Level level, String where, String line, java.util.List<Context> expandedFrom, Format format,
                      Type.Tuple payload) implements Action {
        /** How bad it is; warnings are dropped with --no-warnings. */
        public enum Level { ERROR, WARNING }

        /** Copies the list. */
        public Diagnostic { expandedFrom = java.util.List.copyOf(expandedFrom); }

        /** A macro call, printed {@code WHERE: LEVEL: expanded from}, its line and a {@code ~} under the call. */
        public record Context(String where, String line, String marker) {}
    }

    /** exit(): stop tracing with this status. */
    record Exit(Type.Tuple payload) implements Action {}

    /** time(fmt): print the local time. */
    record Time(String format, Type.Tuple payload) implements Action {}

    /** print(@map, top, div). */
    record PrintMap(String map, long top, long div, Type.Tuple payload) implements Action {}

    /** SystemTap's print(@hist_log(s)) or print(@hist_linear(s, start, stop, interval)) of the hist or lhist map. */
    record PrintStapHist(String map, boolean linear, long start, long interval, Type.Tuple payload) implements Action {}

    /** clear(@map) ({@code zero} false) or zero(@map). */
    record ClearMap(String map, boolean zero, Type.Tuple payload) implements Action {}

    /** print(value). */
    record PrintValue(Type type, boolean newline, Type.Tuple payload) implements Action {}

    /** A helper failed (with -k/-kk): {@code helper} at {@code line}:{@code col}; the event carries its return value. */
    record HelperError(String helper, String file, int line, int col, Type.Tuple payload) implements Action {}

    /**
     * SystemTap's {@code foreach ([k...] in map) printf(...)}: for each entry of {@code map} (sorted by key or
     * value, ascending or descending, at most {@code limit} when positive), each line is printed with the entry's
     * keys and values.
     */
    record Foreach(String map, boolean sorted, boolean byValue, boolean descending, long limit, java.util.List<Line> lines,
                   Type.Tuple payload) implements Action {
        /** One printf (or print, when {@code format} is null, ending the line when {@code newline}) of the body. */
        public record Line(Format format, java.util.List<Ref> args, boolean newline) {}

        /** An argument of a line: a literal, the entry's key number {@code index}, or its value (through an extractor). */
        public sealed interface Ref {
            /** A constant. */
            record Literal(Object value) implements Ref {}
            /** Key {@code index} of the entry. */
            record Key(int index) implements Ref {}
            /** The value, or one part of a statistic ({@code @count}...), when {@code extractor} is not null. */
            record Value(String extractor) implements Ref {}
        }
    }

    /**
     * join(argv, delim): the event holds the number of strings read and then {@code max} strings of
     * {@code strlen} bytes each.
     */
    record Join(String delimiter, int max, int strlen, Type.Tuple payload) implements Action {}
}
