package org.bpf4j.lang.codegen;

import org.bpf4j.events.EventChannel;
import org.bpf4j.events.EventOutput;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.Attach;
import org.bpf4j.lang.sema.Unit;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a checked script to BPF with the asm package: one program per unit, the maps they share, and the
 * action table the runtime reads events by. Pure: no kernel calls.
 */
public final class Compiler {
    /**
     * What code generation needs from the run: {@code startNs} (CLOCK_MONOTONIC at start, for {@code elapsed}),
     * {@code cpid} (the child of {@code -c}, 0 if none), {@code cpus} (possible CPUs, for the events map),
     * {@code helperChecks} (bpftrace's -k: 1 reports failed map updates and deletes, 2 also empty look-ups and
     * failed reads), and the channel events go through with its size ({@code eventBytes}: the ring buffer's bytes,
     * or the perf buffer's pages per CPU). What it needs of the machine comes with the analysis
     * ({@link org.bpf4j.lang.sema.MachineFacts}): code generation reads nothing.
     */
    public record Options(long startNs, long cpid, int cpus, int helperChecks, EventChannel channel, long eventBytes) {
        /** With a ring buffer of the default size. */
        public Options(long startNs, long cpid, int cpus, int helperChecks) {
            this(startNs, cpid, cpus, helperChecks, EventChannel.RING_BUFFER, EventOutput.DEFAULT_RING_BYTES);
        }

        /** Without helper checks. */
        public Options(long startNs, long cpid, int cpus) { this(startNs, cpid, cpus, 0); }
    }

    /** True when a probe's body reads argN (a USDT program then depends on where its sites keep arguments). */
    private static boolean usesArguments(Unit u) {
        for (org.bpf4j.lang.syntax.Expr e : u.types().keySet())
            if (e instanceof org.bpf4j.lang.syntax.Expr.Builtin b && b.name().matches("arg[0-9]+")) return true;
        return false;
    }

    private Compiler() {}

    /** Compiles every unit of {@code analysis}. */
    public static CompiledScript compile(Analysis analysis, Options options) {
        Context cx = new Context(analysis, options);
        List<ProgramPlan> programs = new ArrayList<>();
        for (Unit u : analysis.units()) {
            if (u.point() instanceof Attach.Usdt usdt && usesArguments(u)) {
                java.util.Map<String, ProgramPlan> variants = new java.util.LinkedHashMap<>();
                for (var layout : analysis.machine().usdtLayouts(usdt).entrySet()) {
                    variants.put(layout.getKey(), compile(cx, u, layout.getValue(), ProgramType.KPROBE));
                }
                ProgramPlan first = variants.values().iterator().next();
                programs.add(new ProgramPlan(u, first.spec(), first.spans(), first.stackBytes(), variants, first.symbols()));
                continue;
            }
            programs.add(compile(cx, u, List.of(), programType(u.point())));
        }
        return new CompiledScript(analysis, cx.plans(), programs, cx.actions, cx.timeFormats);
    }

    /**
     * One unit's program: on the stack alone when it fits, as always before; else compiled again with its big
     * objects in scratch memory (see {@link Frame}), dropping what the first attempt added to the action table.
     */
    private static ProgramPlan compile(Context cx, Unit u, List<org.bpf4j.usdt.UsdtArgument> layout, ProgramType type) {
        int actions = cx.actions.size();
        ProbeCompiler pc = new ProbeCompiler(cx, u, layout);
        try {
            return pc.compile(programName(u), type);
        } catch (org.bpf4j.lang.sema.SemanticError e) {
            if (!pc.frame.overflowed()) throw e;
            cx.actions.subList(actions, cx.actions.size()).clear();
            return new ProbeCompiler(cx, u, layout, true).compile(programName(u), type);
        }
    }

    /** The kernel program type a probe of this kind runs as. */
    public static ProgramType programType(Attach a) {
        return switch (a) {
            case Attach.Begin b -> ProgramType.RAW_TRACEPOINT;
            case Attach.End e -> ProgramType.RAW_TRACEPOINT;
            case Attach.Signal s -> ProgramType.RAW_TRACEPOINT;
            case Attach.Run r -> ProgramType.RAW_TRACEPOINT;
            case Attach.Tracepoint t -> ProgramType.TRACEPOINT;
            case Attach.RawTracepoint r -> ProgramType.RAW_TRACEPOINT;
            case Attach.Profile p -> ProgramType.PERF_EVENT;
            case Attach.Interval i -> ProgramType.PERF_EVENT;
            case Attach.Software s -> ProgramType.PERF_EVENT;
            case Attach.Hardware h -> ProgramType.PERF_EVENT;
            case Attach.Uprobe u -> ProgramType.KPROBE;
            case Attach.Usdt u -> ProgramType.KPROBE;
            case Attach.Kprobe k -> ProgramType.KPROBE;
            case Attach.Fentry f -> ProgramType.TRACING;
            case Attach.Unsupported x -> throw new IllegalArgumentException(x.text());
        };
    }

    /** A kernel program name (15 characters of [A-Za-z0-9_]) after the probe, as bpftrace names them. */
    static String programName(Unit u) {
        String n = switch (u.point()) {
            case Attach.Tracepoint t -> t.event();
            case Attach.Uprobe up -> up.symbol().isEmpty() ? "uprobe" : up.symbol();
            case Attach.Usdt us -> us.name();
            case Attach.Kprobe k -> k.function();
            case Attach.Fentry f -> f.function();
            default -> u.point().text().substring(u.point().text().lastIndexOf(':') + 1); // interval:s:1 is "1", as bpftrace
        };
        n = n.replaceAll("[^A-Za-z0-9_]", "_");
        return n.length() > 15 ? n.substring(0, 15) : n;
    }
}
