package org.bpf4j.vm;

import org.bpf4j.UserException;
import org.bpf4j.asm.MapReference;
import org.bpf4j.asm.Program;
import org.bpf4j.map.MapSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.vm.map.UserMap;
import org.bpf4j.vm.verifier.Verification;
import org.bpf4j.vm.verifier.Verifier;
import org.bpf4j.vm.verifier.VerifierOptions;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An eBPF program ready to run in the JVM: verified (unless told otherwise), linked against userspace maps
 * and made runnable by an {@link Engine}. The entry point for tests and tools:
 *
 * <pre>{@code
 * try (Vm vm = Vm.builder(program).map("counts", MapSpec.of("counts", MapType.HASH, 4, 8, 64)).build()) {
 *     long r0 = vm.run(context);
 *     byte[] v = vm.map("counts").lookup(key).orElseThrow();
 * }
 * }</pre>
 *
 * A run maps the context at r1 (its length in r2, as the conformance suite does) and r10 at the stack top.
 * Not thread-safe: one run at a time.
 */
public final class Vm implements AutoCloseable, Machine.TailCallable {
    private final Program program;
    private final Machine machine;
    private final Executable executable;
    private final Map<String, UserMap> maps;
    private final Engine engine;
    private final Verification verification;
    private final int contextSize;
    private final boolean contextPointer;
    private final java.util.List<UserMap> created;

    private Vm(Builder b, Machine machine, Executable executable) {
        this.verification = b.verification;
        this.contextSize = b.contextSize;
        this.contextPointer = b.contextPointer;
        this.created = java.util.List.copyOf(b.created);
        this.program = b.program;
        this.machine = machine;
        this.executable = executable;
        this.maps = Collections.unmodifiableMap(new LinkedHashMap<>(b.maps));
        this.engine = b.engine;
    }

    /** A builder for running {@code program}. */
    public static Builder builder(Program program) {
        return new Builder(program);
    }

    /**
     * Runs on {@code context} (mapped writable at r1, its length in r2) and returns r0. A verified program
     * runs only on a context of the size it was verified for.
     */
    public long run(byte[] context) {
        if (verification != null && context.length != contextSize)
            throw new IllegalArgumentException("program was verified for a " + contextSize + "-byte context, not " + context.length);
        machine.reset(0);
        if (!contextPointer && context.length == 0) return executable.execute(machine, 0, 0);
        long base = machine.context(context);
        return executable.execute(machine, base, context.length);
    }

    /** Runs with an empty context and returns r0. */
    public long run() {
        return run(new byte[0]);
    }

    /**
     * Runs an XDP program on {@code packet} (mapped writable): r1 points at an {@code xdp_md} whose data and
     * data_end give the packet's start and end. Returns r0 (the XDP action).
     */
    public long runXdp(byte[] packet) {
        machine.reset(0);
        long data = machine.packet(packet);
        byte[] md = new byte[XDP_MD_SIZE];
        Region ctx = new Region(Region.Kind.CONTEXT, "xdp_md", md, md.length, 0, false, null)
                .pointerField(0, data).pointerField(4, data + packet.length);
        long base = machine.context(ctx);
        return executable.execute(machine, base, md.length);
    }

    private static final int XDP_MD_SIZE = 24;

    @Override
    public long runTailCall(Region context, int depth) {
        machine.reset(depth);
        long base = machine.context(context);
        return executable.execute(machine, base, context.length());
    }

    /** The map bound under {@code name}; IllegalArgumentException if there is none. */
    public UserMap map(String name) {
        UserMap m = maps.get(name);
        if (m == null) throw new IllegalArgumentException("no map '" + name + "' (maps: " + maps.keySet() + ")");
        return m;
    }

    /**
     * The records the program sent to the perf event array or ring buffer {@code name} since the last call
     * (for a map with no handler attached), each as its bytes.
     */
    public java.util.List<byte[]> records(String name) {
        if (!(map(name) instanceof org.bpf4j.vm.map.EventOutputMap out))
            throw new IllegalArgumentException("map '" + name + "' is not a perf event array or ring buffer");
        java.util.List<byte[]> records = new java.util.ArrayList<>();
        out.drain(new org.bpf4j.perf.RecordHandler() {
            @Override
            public void onRecord(int cpu, java.lang.foreign.MemorySegment data) {
                records.add(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }

            @Override
            public void onLost(int cpu, long count) {
            }
        });
        return records;
    }

    /** The maps by name. */
    public Map<String, UserMap> maps() { return maps; }

    /** The program. */
    public Program program() { return program; }

    /** What verification found and cost, or null when the program was not verified. */
    public Verification verification() { return verification; }

    /** The engine it runs on. */
    public Engine engine() { return engine; }

    /** The machine it runs on (its memory and environment). */
    public Machine machine() { return machine; }

    /** Closes the maps this VM created from specs (maps given to the builder stay with their owner). */
    @Override
    public void close() {
        created.forEach(UserMap::close);
    }

    /** Collects what a {@link Vm} needs: maps, environment, engine, verification options. */
    public static final class Builder {
        private final Program program;
        private final Map<String, UserMap> maps = new LinkedHashMap<>();
        private final java.util.List<UserMap> created = new java.util.ArrayList<>();
        private Environment environment = Environment.host();
        private Engine engine = Engine.INTERPRETER;
        private int cpus = 1;
        private boolean verify = true;
        private ProgramType type = ProgramType.SOCKET_FILTER;
        private int contextSize = 0;
        private boolean contextPointer = true;
        private long iterations = VerifierOptions.ITERATION_LIMIT;
        private String name = "vm";
        private boolean kernelRules;
        private Verification verification;

        private Builder(Program program) {
            this.program = Objects.requireNonNull(program, "program");
        }

        /** Binds {@code map} under {@code name}. */
        public Builder map(String name, UserMap map) {
            maps.put(Objects.requireNonNull(name), Objects.requireNonNull(map));
            return this;
        }

        /** Creates a userspace map from {@code spec} and binds it under the spec's name; the VM closes it. */
        public Builder map(MapSpec spec) {
            UserMap m = UserMap.create(spec, cpus);
            created.add(m);
            return map(spec.name(), m);
        }

        /** The number of CPUs per-CPU maps created by {@link #map(MapSpec)} keep values for (default 1). */
        public Builder cpus(int cpus) {
            if (cpus < 1) throw new IllegalArgumentException("cpus " + cpus);
            this.cpus = cpus;
            return this;
        }

        /** What helpers see (default {@link Environment#host()}). */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment);
            return this;
        }

        /** The engine (default the interpreter). */
        public Builder engine(Engine engine) {
            this.engine = Objects.requireNonNull(engine);
            return this;
        }

        /** Whether to verify before running (default true). */
        public Builder verify(boolean verify) {
            this.verify = verify;
            return this;
        }

        /** The program type the verifier checks helper calls against (default socket filter). */
        public Builder programType(ProgramType type) {
            this.type = Objects.requireNonNull(type);
            return this;
        }

        /** The context size the verifier assumes (default 0); a verified VM runs only on contexts of this size. */
        public Builder contextSize(int size) {
            if (size < 0) throw new IllegalArgumentException("context size " + size);
            this.contextSize = size;
            return this;
        }

        /**
         * No context: r1 and r2 are 0 rather than a pointer to an empty context and its length, as the conformance
         * suite and uBPF run a program given no memory (so a program may treat r1 as a number). Run with {@link #run()}.
         */
        public Builder noContext() {
            this.contextPointer = false;
            this.contextSize = 0;
            return this;
        }

        /**
         * The most loop iterations (backward jumps) a run may take, default {@link VerifierOptions#ITERATION_LIMIT}:
         * the verifier rejects a loop it proves to end only after more, and a run that takes more ends in a
         * {@link VmFault}.
         */
        public Builder maxIterations(long max) {
            if (max < 0) throw new IllegalArgumentException("iteration budget " + max);
            this.iterations = max;
            return this;
        }

        /** Whether the verifier also applies the kernel's stricter rules (default false: RFC 9669 only). */
        public Builder kernelRules(boolean kernelRules) {
            this.kernelRules = kernelRules;
            return this;
        }

        /** The program's name in messages (default "vm"). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /** Verifies, links and prepares the program. */
        public Vm build() {
            for (MapReference ref : program.mapReferences()) {
                if (!maps.containsKey(ref.mapName()))
                    throw new UserException("instruction " + ref.index() + ": the program uses map '" + ref.mapName() + "', which was not given");
            }
            if (verify) verifyProgram();
            Machine machine = new Machine(environment);
            machine.iterationBudget(iterations);
            Map<String, Machine.MapBinding> bound = new LinkedHashMap<>();
            maps.forEach((name, m) -> bound.put(name, machine.bind(m)));
            LinkedProgram linked = LinkedProgram.link(program, bound::get);
            return new Vm(this, machine, engine.prepare(linked));
        }

        private void verifyProgram() {
            boolean tracing = switch (type) {
                case KPROBE, TRACEPOINT, PERF_EVENT, RAW_TRACEPOINT, TRACING, XDP -> true;
                default -> false;
            };
            // a tracing program's context is the traced event, which it may read but not write; nor may XDP its xdp_md
            VerifierOptions options = new VerifierOptions(type, specs(), Math.max(0, contextSize), !tracing, true, true,
                    VerifierOptions.COMPLEXITY_LIMIT, kernelRules, iterations, contextPointer);
            verification = Verifier.verify(program, name, options);
        }

        Map<String, MapSpec> specs() {
            Map<String, MapSpec> out = new LinkedHashMap<>();
            maps.forEach((n, m) -> out.put(n, m.spec()));
            return out;
        }


        }
}
