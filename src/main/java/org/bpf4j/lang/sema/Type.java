package org.bpf4j.lang.sema;

import java.util.ArrayList;
import java.util.List;

/**
 * The types of the tracing language, with their memory layout. The layout is shared by the code generator, which
 * writes values, and the runtime, which reads them back from maps and events, so the two cannot drift apart.
 */
public sealed interface Type {
    /** Bytes a value takes. */
    int size();

    /** Its alignment in a record. */
    default int align() { return Math.min(8, Math.max(1, size())); }

    /** The name error messages use, as bpftrace spells it ({@code int64}, {@code string[16]}). */
    String describe();

    /** True for values a register holds (integers, pointers and the integer-like specials). */
    default boolean scalar() { return false; }

    /** The 64-bit signed integer, the type of literals and arithmetic. */
    Int INT64 = new Int(8, true);
    /** The 64-bit unsigned integer. */
    Int UINT64 = new Int(8, false);
    /** No value: the type of statements such as {@code printf}. */
    None NONE = new None();

    /** v0.26's {@code bool}: an unsigned byte holding 0 or 1, printed as {@code false} or {@code true}. */
    Int BOOL = new Int(1, false, true);

    /**
     * An integer of 1, 2, 4 or 8 bytes; {@code bool} for v0.26's booleans (0 or 1, printed as false and true; a map
     * keeps one in 8 bytes, as it keeps every integer). {@code flexible} marks v0.26's type of a non-negative integer
     * literal (the smallest signed type that holds it, {@code 1} is an int8): its sign adapts to the other side where
     * it meets another integer (a variable assigned both 0 and a uint32 is a uint32). {@code enumeration} (or null) for
     * a value of an enum type, which v0.26 prints by its enumerator's name (arithmetic gives a plain integer).
     */
    record Int(int size, boolean signed, boolean bool, boolean flexible, Enumeration enumeration) implements Type {
        /** Checks the width. */
        public Int {
            if (size != 1 && size != 2 && size != 4 && size != 8) throw new IllegalArgumentException("integer of " + size + " bytes");
        }

        /** An integer that is neither a literal's nor an enum's. */
        public Int(int size, boolean signed, boolean bool) { this(size, signed, bool, false, null); }

        /** An integer that is neither a bool, a literal's nor an enum's. */
        public Int(int size, boolean signed) { this(size, signed, false, false, null); }

        /** An integer that may be a literal's, not an enum's. */
        public Int(int size, boolean signed, boolean bool, boolean flexible) { this(size, signed, bool, flexible, null); }

        /** An enum's integer (or, with null, a plain one). */
        public Int(int size, boolean signed, boolean bool, Enumeration enumeration) { this(size, signed, bool, false, enumeration); }

        /**
         * v0.26's type of the integer literal {@code value}: the smallest signed type that holds it, sign-flexible when
         * it is not negative; a value above INT64_MAX ({@code unsigned}) is a uint64.
         */
        public static Int literal(long value, boolean unsigned) {
            if (unsigned) return UINT64;
            int size = value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE ? 1
                    : value >= Short.MIN_VALUE && value <= Short.MAX_VALUE ? 2
                    : value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? 4 : 8;
            return new Int(size, true, false, value >= 0);
        }

        @Override public String describe() { return bool ? "bool" : (signed ? "int" : "uint") + size * 8; }
        @Override public boolean scalar() { return true; }
    }

    /**
     * An enum type's enumerators, for printing its values by name: {@code name} is {@code enum Foo} ({@code enum} for
     * an anonymous one), {@code names} maps values to enumerators (the first enumerator of a value wins).
     */
    record Enumeration(String name, java.util.Map<Long, String> names) {
        /** Copies the names. */
        public Enumeration { names = java.util.Map.copyOf(names); }

        /** The enumerator of {@code value}, or null when the enum has none (v0.26 prints the number). */
        public String name(long value) { return names.get(value); }
    }

    /** A NUL-padded string in a buffer of {@code size} bytes (the NUL included). */
    record Str(int size) implements Type {
        @Override public int align() { return 1; }
        @Override public String describe() { return "string[" + size + "]"; }
    }

    /** {@code buf()}: up to {@code capacity} raw bytes with their length: a u64 length, then the bytes. */
    record Buf(int capacity) implements Type {
        @Override public int size() { return 8 + capacity; }
        @Override public int align() { return 8; }
        @Override public String describe() { return "buffer[" + capacity + "]"; }
    }

    /** A pointer to {@code target}; {@code user} when it points into a process's memory rather than the kernel's. */
    record Ptr(Type target, boolean user) implements Type {
        @Override public int size() { return 8; }
        @Override public String describe() { return target.describe() + " *"; }
        @Override public boolean scalar() { return true; }
    }

    /** A C array of {@code length} elements. */
    record Array(Type element, int length) implements Type {
        @Override public int size() { return element.size() * length; }
        @Override public int align() { return element.align(); }
        @Override public String describe() { return element.describe() + "[" + length + "]"; }
    }

    /**
     * A struct or union (a script's own, or a tracepoint's {@code args}); fields carry their offsets.
     * {@code tracepoint} marks the args record, which is read straight from the program's context.
     */
    record Record(String name, List<Field> fields, int size, int align, boolean tracepoint) implements Type {
        /** Copies the fields. */
        public Record { fields = List.copyOf(fields); }

        /** The field called {@code n}, or null. */
        public Field field(String n) {
            for (Field f : fields) if (f.name().equals(n)) return f;
            return null;
        }

        @Override public String describe() { return name; }
    }

    /**
     * One field of a record at a byte offset; {@code bits} > 0 for a bit-field starting {@code bitOffset} bits into
     * the bytes at {@code offset}; {@code dataLoc} for a tracepoint's {@code __data_loc} field (a u32 holding the
     * data's offset in the record and its length).
     */
    record Field(String name, Type type, int offset, int bitOffset, int bits, boolean dataLoc) {}

    /** A tuple, laid out as a C struct of its elements. */
    record Tuple(List<Type> elements) implements Type {
        /** Copies the elements. */
        public Tuple { elements = List.copyOf(elements); }

        /** The byte offset of element {@code i}. */
        public int offset(int i) { return offsets(elements)[i]; }

        @Override public int size() { return offsets(elements)[elements.size()]; }

        @Override public int align() {
            int a = 1;
            for (Type t : elements) a = Math.max(a, t.align());
            return a;
        }

        @Override public String describe() { // v0.26's spelling: (int8,string[3])
            List<String> parts = new ArrayList<>();
            for (Type t : elements) parts.add(t.describe());
            return "(" + String.join(",", parts) + ")";
        }

        /** C layout: each element at the next multiple of its alignment; the last entry is the padded size. */
        static int[] offsets(List<Type> elements) {
            int[] out = new int[elements.size() + 1];
            int off = 0, align = 1;
            for (int i = 0; i < elements.size(); i++) {
                Type t = elements.get(i);
                off = roundUp(off, t.align());
                out[i] = off;
                off += t.size();
                align = Math.max(align, t.align());
            }
            out[elements.size()] = roundUp(off, align);
            return out;
        }
    }

    /** Values held as integers in BPF and shown as something else by the runtime. */
    enum SpecialKind {
        /** A kernel address shown as its symbol. */
        KSYM(8, "ksym"),
        /** A user address and the pid it belongs to, shown as the symbol. */
        USYM(16, "usym"),
        /** A kernel stack: stack-map id; shown as symbol lines. */
        KSTACK(8, "kstack"),
        /** A user stack: stack-map id and pid. */
        USTACK(16, "ustack"),
        /** A user id shown as the user's name. */
        USERNAME(8, "username"),
        /** An address family and 16 address bytes, shown as an IP address. */
        INET(24, "inet"),
        /** A strftime format index and a time in ns, shown as formatted local time. */
        TIMESTAMP(16, "timestamp"),
        /** A cgroup id shown as its path. */
        CGROUP_PATH(8, "cgroup_path"),
        /** An errno shown as its message. */
        STRERROR(8, "strerror"),
        /** A signal number shown as its description. */
        SIGNAL_NAME(8, "signal_name"),
        /** A system call number shown as its name. */
        SYSCALL_NAME(8, "syscall_name"),
        /** The index of a probe, shown as its name. */
        PROBE(8, "probe"),
        /** Six bytes shown as a MAC address. */
        MACADDR(8, "macaddr");

        private final int size;
        private final String text;

        SpecialKind(int size, String text) {
            this.size = size;
            this.text = text;
        }

        /** Bytes the value takes. */
        public int size() { return size; }

        /** Its name in messages. */
        public String text() { return text; }
    }

    /**
     * How a stack prints: bpftrace's (a symbol+offset a line, indented), perf's (a tab, the address, the symbol
     * and, for user frames, the module in parentheses), raw (the addresses in hex; later bpftrace's mode).
     */
    enum StackMode { BPFTRACE, PERF, RAW }

    /** The most frames a stack keeps when the script does not say (bpftrace's default). */
    int STACK_LIMIT = 127;

    /**
     * A value of a {@link SpecialKind}. Stacks also carry their print mode and the most frames they keep (a stack
     * map of that depth holds them); other kinds have BPFTRACE and 0 there.
     */
    record Special(SpecialKind kind, StackMode mode, int limit) implements Type {
        /** A special value; a stack in bpftrace's mode with the default depth. */
        public Special(SpecialKind kind) {
            this(kind, StackMode.BPFTRACE, kind == SpecialKind.KSTACK || kind == SpecialKind.USTACK ? STACK_LIMIT : 0);
        }

        @Override public int size() { return kind.size(); }
        @Override public int align() { return 8; }
        @Override public String describe() { return kind.text(); }
        @Override public boolean scalar() { return kind.size() == 8; }
    }

    /**
     * The aggregating map functions; STATISTIC is SystemTap's {@code <<<}: count, total, minimum and maximum, read
     * with {@code @count}, {@code @sum}, {@code @avg}, {@code @min} and {@code @max}.
     */
    enum AggKind { COUNT, SUM, MIN, MAX, AVG, STATS, HIST, LHIST, STATISTIC, TSERIES }

    /** How tseries() reduces the values of one interval: the last one (NONE), their average, minimum, maximum or sum. */
    enum SeriesFn { NONE, AVG, MIN, MAX, SUM }

    /**
     * tseries()'s constant arguments: the length of an interval in nanoseconds, how many intervals the map keeps
     * (one bucket each, reused round-robin), and the reduction.
     */
    record Series(long intervalNs, int intervals, SeriesFn fn) {}

    /**
     * The value of a map filled by an aggregating function. For lhist, {@code min}, {@code max} and
     * {@code step} are its constant arguments; for hist, {@code step} is its sub-buckets' bits k (0..5: 2^k buckets
     * per power of two); tseries has its {@code series}. {@code signed} tells how sums and extremes read.
     */
    record Agg(AggKind kind, boolean signed, long min, long max, long step, Series series) implements Type {
        /** An aggregation without tseries parameters. */
        public Agg(AggKind kind, boolean signed, long min, long max, long step) { this(kind, signed, min, max, step, null); }

        /** An aggregation without lhist parameters. */
        public static Agg of(AggKind kind, boolean signed) { return new Agg(kind, signed, 0, 0, 0); }

        @Override public int size() {
            return switch (kind) {
                case AVG, STATS -> 16;
                case STATISTIC -> 32;
                case TSERIES -> 24; // one interval's bucket: value, meta (count or time), epoch (time / interval)
                default -> 8;
            };
        }
        @Override public int align() { return 8; }
        @Override public String describe() { return kind.name().toLowerCase(java.util.Locale.ROOT); }

        /** True for hist and lhist, whose maps have a bucket number after the user's key. */
        public boolean histogram() { return kind == AggKind.HIST || kind == AggKind.LHIST; }

        /** True for hist, lhist and tseries, whose maps have a u64 bucket number after the user's key. */
        public boolean bucketed() { return histogram() || kind == AggKind.TSERIES; }
    }

    /** The type of expressions that give no value. */
    record None() implements Type {
        @Override public int size() { return 0; }
        @Override public String describe() { return "none"; }
    }

    /** {@code n} rounded up to a multiple of {@code a}. */
    static int roundUp(int n, int a) { return (n + a - 1) / a * a; }
}
