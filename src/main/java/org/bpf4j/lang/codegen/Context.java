package org.bpf4j.lang.codegen;

import org.bpf4j.events.EventOutput;
import org.bpf4j.lang.sema.Analysis;
import org.bpf4j.lang.sema.MapDecl;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the programs of one script share: map plans, the action table, strftime formats, internal maps used. */
final class Context {
    /** The ring buffer or perf event array every probe sends its events through. */
    static final String EVENTS = "events";
    /** The count of events the programs failed to send (the channel was full). */
    static final String LOST = "event_loss";
    /** The stack-trace map for kstack and ustack. */
    static final String STACKS = "stacks";
    /** A one-entry per-CPU array used as a buffer by join(). */
    static final String JOIN = "join";
    /** A one-entry per-CPU array: the scratch memory of programs whose values do not fit the stack (see {@link Frame}). */
    static final String SCRATCH = "scratch";
    /** The deepest stack kept, as the kernel's default perf_event_max_stack. */
    static final int STACK_DEPTH = 127;
    /** Entries of a user map, as bpftrace's default. */
    static final int MAP_KEYS = 4096;

    final Analysis analysis;
    final Compiler.Options options;
    final Map<String, MapPlan> userMaps = new LinkedHashMap<>();
    final List<Action> actions = new ArrayList<>();
    final List<String> timeFormats = new ArrayList<>();
    final Set<String> internal = new HashSet<>();
    /** The license the programs load with (the config block's, GPL by default). */
    final String license;
    private final Set<String> names = new HashSet<>(List.of(EVENTS, LOST, STACKS, JOIN, SCRATCH, ExitGate.MAP));
    /** The size of the scratch map's entry: the most scratch memory any program uses. */
    int scratchBytes;

    /** The most entries a stack map is given (each holds a whole stack, and the kernel allocates them all at creation). */
    static final int STACK_KEYS_MAX = 16384;

    /**
     * Entries of each user map: the config block's {@code max_map_keys}, else {@link #MAP_KEYS}. Stack maps follow
     * it up to {@link #STACK_KEYS_MAX}: fewer buckets make more stacks collide (and be lost).
     */
    final int mapKeys;

    Context(Analysis analysis, Compiler.Options options) {
        this.analysis = analysis;
        this.options = options;
        org.bpf4j.lang.sema.Config config = analysis.config();
        this.license = config.license();
        this.mapKeys = config.maxMapKeys();
        for (MapDecl d : analysis.maps().values()) userMaps.put(d.name(), plan(d));
        if (ExitGate.needed(analysis)) internal.add(ExitGate.MAP);
    }

    private MapPlan plan(MapDecl d) {
        Type userKey = d.key() == null ? Type.UINT64 : d.key();
        Type.Agg agg = d.agg();
        Type.Tuple key = agg != null && agg.bucketed() ? new Type.Tuple(List.of(userKey, Type.UINT64)) : new Type.Tuple(List.of(userKey));
        String name = kernelName(d.name());
        // a declared map (v0.26's let @m = hash(N)) has its own size; the per-CPU kinds are made as their shared
        // kinds: bpf4j's aggregations add atomically into one value, which is what printing a per-CPU map sums;
        // tseries updates a bucket in several steps: one copy per CPU keeps them whole (the runtime merges them)
        var declared = analysis.script().declared().get(d.name());
        MapType type = agg != null && agg.kind() == Type.AggKind.TSERIES ? MapType.PERCPU_HASH
                : declared == null || !declared.kind().evicts() ? MapType.HASH : MapType.LRU_HASH;
        int entries = declared == null ? mapKeys : (int) declared.entries();
        return new MapPlan(d, MapSpec.of(name, type, key.size(), d.value().size(), entries), key, d.value());
    }

    /** bpftrace's naming: {@code @x} is {@code AT_x}; cut to the kernel's 15 characters and made unique. */
    private String kernelName(String mapName) {
        String base = "AT_" + mapName.substring(1).replaceAll("[^A-Za-z0-9_.]", "_");
        if (base.length() > 15) base = base.substring(0, 15);
        String n = base;
        for (int i = 1; names.contains(n); i++) {
            String suffix = "_" + i;
            n = base.substring(0, Math.min(base.length(), 15 - suffix.length())) + suffix;
        }
        names.add(n);
        return n;
    }

    MapPlan map(String name) {
        MapPlan p = userMaps.get(name);
        if (p == null) throw new IllegalStateException("no plan for map " + name);
        return p;
    }

    int action(Action a) {
        // an action equal to one already in the table shares its number: the programs of one probe expanded to
        // several places (a wildcard uprobe) then stay identical, and one uprobe_multi link can carry one of them
        int same = actions.indexOf(a);
        if (same >= 0) return same;
        actions.add(a);
        return actions.size() - 1;
    }

    int timeFormat(String f) {
        int i = timeFormats.indexOf(f);
        if (i >= 0) return i;
        timeFormats.add(f);
        return timeFormats.size() - 1;
    }

    /** The depths of the stacks the programs take: one stack map each, which kernel and user stacks share. */
    final java.util.SortedSet<Integer> stackDepths = new java.util.TreeSet<>();

    /** The stack map of stacks of at most {@code limit} frames, which the programs will have. */
    String stacksMap(int limit) {
        stackDepths.add(limit);
        return MapPlan.stacks(limit);
    }

    /** Every map to create: the user's, in name order, then the internal ones the programs use. */
    List<MapPlan> plans() {
        List<MapPlan> out = new ArrayList<>(userMaps.values());
        Type.Tuple intKey = new Type.Tuple(List.of(new Type.Int(4, false)));
        out.add(new MapPlan(null, EventOutput.eventsMap(options.channel(), EVENTS, options.eventBytes(), options.cpus()), intKey, new Type.Int(4, false)));
        out.add(new MapPlan(null, EventOutput.lossMap(LOST), intKey, Type.UINT64));
        for (int limit : stackDepths) {
            // the kernel records at most kernel.perf_event_max_stack frames, and refuses deeper stack maps
            int depth = Math.min(limit, analysis.machine().maxStackDepth());
            out.add(new MapPlan(null, MapSpec.of(MapPlan.stacks(limit), MapType.STACK_TRACE, 4, 8 * depth,
                    Math.max(MAP_KEYS, Math.min(mapKeys, STACK_KEYS_MAX))),
                    new Type.Tuple(List.of(new Type.Int(4, false))), new Type.Array(Type.UINT64, depth)));
        }
        if (internal.contains(ExitGate.MAP))
            out.add(new MapPlan(null, MapSpec.of(ExitGate.MAP, MapType.ARRAY, 4, 8, 1), new Type.Tuple(List.of(new Type.Int(4, false))), Type.UINT64));
        if (internal.contains(JOIN))
            out.add(new MapPlan(null, MapSpec.of(JOIN, MapType.PERCPU_ARRAY, 4, CallCompiler.JOIN_SIZE, 1),
                    new Type.Tuple(List.of(new Type.Int(4, false))), new Type.Buf(CallCompiler.JOIN_SIZE - 8)));
        if (internal.contains(SCRATCH))
            out.add(new MapPlan(null, MapSpec.of(SCRATCH, MapType.PERCPU_ARRAY, 4, Math.max(8, scratchBytes), 1),
                    new Type.Tuple(List.of(new Type.Int(4, false))), new Type.Buf(Math.max(8, scratchBytes))));
        return out;
    }
}
