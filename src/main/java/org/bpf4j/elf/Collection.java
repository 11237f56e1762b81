package org.bpf4j.elf;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfLoader;
import org.bpf4j.link.KprobeLink;
import org.bpf4j.link.Link;
import org.bpf4j.link.RawTracepointLink;
import org.bpf4j.link.TracepointLink;
import org.bpf4j.link.UprobeLink;
import org.bpf4j.link.UsdtLink;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.BpfMap.UpdateFlag;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.Fd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live objects of a loaded {@link CollectionSpec} (cilium/ebpf's Collection): its maps created and filled,
 * read-only data frozen, its programs relocated and loaded, and the links {@link #attachAll()} made. Owns them all:
 * closing it detaches the links, then closes programs, maps and the BTF object, once. Maps declared with
 * {@code LIBBPF_PIN_BY_NAME} are pinned under the pin root when first created and reused by later loads, as libbpf
 * does; those pins outlive the collection.
 */
public final class Collection implements AutoCloseable {
    /**
     * How to load: {@code coreTarget} is the BTF CO-RE relocations are resolved against (null: the running
     * kernel's, /sys/kernel/btf/vmlinux); {@code pinRoot} the directory of maps pinned by name
     * ({@code __uint(pinning, LIBBPF_PIN_BY_NAME)}; null: /sys/fs/bpf, libbpf's default).
     */
    public record Options(Btf coreTarget, Path pinRoot) {
        /** The defaults: the running kernel's BTF, pins under /sys/fs/bpf. */
        public static Options defaults() { return new Options(null, null); }
    }

    private static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf");

    private final CollectionSpec spec;
    private final Fd btf;
    private final Map<String, KernelMap> maps;
    private final Map<String, KernelProgram> programs;
    private final Map<String, List<CoreRelocator.Decision>> decisions;
    private final Map<String, java.lang.foreign.MemorySegment> mapped = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final Map<String, Link> linkOf = new LinkedHashMap<>();
    private boolean closed;

    private static final int PROT_READ = 1, PROT_READ_WRITE = 3, MAP_SHARED = 1;

    private Collection(CollectionSpec spec, Fd btf, Map<String, KernelMap> maps, Map<String, KernelProgram> programs,
                       Map<String, List<CoreRelocator.Decision>> decisions) {
        this.spec = spec;
        this.btf = btf;
        this.maps = Collections.unmodifiableMap(maps);
        this.programs = Collections.unmodifiableMap(programs);
        this.decisions = decisions;
    }

    /**
     * Maps each global data section into this process (they are created BPF_F_MMAPABLE), read-only when frozen,
     * so that variables are read and written in place, with no system call, as libbpf's skeletons do.
     */
    private void mapGlobalData() {
        long page = org.bpf4j.sys.Native.pageSize();
        for (ObjectMap m : spec.maps().values()) {
            if (!m.isGlobalData() || (m.spec().flags() & MapDefinitions.F_MMAPABLE) == 0) continue;
            long length = (m.spec().valueSize() + page - 1) / page * page;
            java.lang.foreign.MemorySegment seg = org.bpf4j.sys.Syscalls.mmap(length, m.frozen() ? PROT_READ : PROT_READ_WRITE,
                    MAP_SHARED, maps.get(m.name()).fd().value(), 0);
            seg = seg.asSlice(0, m.spec().valueSize());
            mapped.put(m.name(), m.frozen() ? seg.asReadOnly() : seg); // a write to a PROT_READ page would crash the JVM
        }
    }

    private void unmapGlobalData() {
        long page = org.bpf4j.sys.Native.pageSize();
        for (java.lang.foreign.MemorySegment seg : mapped.values()) {
            long length = (seg.byteSize() + page - 1) / page * page;
            org.bpf4j.sys.Syscalls.munmap(java.lang.foreign.MemorySegment.ofAddress(seg.address()).reinterpret(length));
        }
        mapped.clear();
    }

    /**
     * The live bytes of global data section {@code section} ({@code .rodata}, {@code .data}, {@code .bss}...), mapped
     * into this process: what the programs read and write. Read-only for frozen sections; valid until {@link #close()}.
     */
    public java.lang.foreign.MemorySegment data(String section) {
        java.lang.foreign.MemorySegment seg = mapped.get(section);
        if (seg == null) throw new UserException(spec.name() + ": no global data section '" + section + "' (sections: "
                + String.join(", ", mapped.keySet()) + ")");
        return seg;
    }

    /** Loads {@code spec} against the running kernel. */
    public static Collection load(CollectionSpec spec) { return load(spec, Options.defaults()); }

    /**
     * Loads {@code spec}: BTF, then every map (data sections written, {@code .rodata} frozen), then every program
     * whose autoload is on, then the initial slots of program arrays and maps of maps. On any failure what was made is
     * closed again and the exception (a {@link org.bpf4j.prog.VerifierException} with the log, say) propagates.
     */
    public static Collection load(CollectionSpec spec, Options options) {
        Fd btf = null;
        Map<String, KernelMap> maps = new LinkedHashMap<>();
        Map<String, KernelProgram> programs = new LinkedHashMap<>();
        Map<String, List<CoreRelocator.Decision>> decisions = new LinkedHashMap<>();
        List<Path> pinned = new ArrayList<>();
        try {
            if (spec.btfRaw() != null) {
                try {
                    btf = BtfLoader.load(BtfSanitizer.sanitize(spec.btfRaw(), BtfSanitizer.missingHere()));
                } catch (BpfException e) {
                    btf = null; // as libbpf: the object still loads, without BTF for maps and source lines
                }
            }
            Path pinRoot = options.pinRoot() == null ? DEFAULT_PIN_ROOT : options.pinRoot();
            for (ObjectMap m0 : spec.maps().values()) {
                ObjectMap m = m0.kind() == ObjectMap.Kind.KCONFIG
                        ? m0.withData(Externs.kconfigData(List.copyOf(spec.externs().values()), spec.btf(), spec.name())) : m0;
                if (m.pinning() == 0) {
                    maps.put(m.name(), createMap(m, btf));
                    continue;
                }
                Path pin = pinRoot.resolve(m.name());
                Optional<KernelMap> reused = reusePinned(m, pin);
                if (reused.isPresent()) {
                    maps.put(m.name(), reused.get());
                } else {
                    KernelMap created = createMap(m, btf);
                    maps.put(m.name(), created);
                    created.pin(pin);
                    pinned.add(pin);
                }
            }
            Btf[] target = {options.coreTarget()};
            java.util.function.Supplier<Btf> targetBtf = () -> {
                if (target[0] == null) target[0] = Btf.vmlinux();
                return target[0];
            };
            for (ObjectProgram p : spec.programs().values()) {
                if (!p.autoload()) continue;
                ProgramLoad.Relocated r = ProgramLoad.relocate(spec, p, targetBtf);
                decisions.put(p.name(), r.decisions());
                programs.put(p.name(), ProgramLoad.load(spec, p, r.spec(), maps, btf));
            }
            for (ObjectMap m : spec.maps().values()) {
                for (Map.Entry<Integer, String> slot : m.slots().entrySet()) {
                    Fd value = maps.containsKey(slot.getValue()) ? maps.get(slot.getValue()).fd()
                            : Optional.ofNullable(programs.get(slot.getValue())).map(KernelProgram::fd).orElse(null);
                    if (value == null) continue; // a program not loaded (autoload off)
                    maps.get(m.name()).putFd(le32(slot.getKey()), value);
                }
            }
            Collection c = new Collection(spec, btf, maps, programs, decisions);
            try {
                c.mapGlobalData();
            } catch (RuntimeException e) {
                c.unmapGlobalData();
                throw e;
            }
            return c;
        } catch (RuntimeException e) {
            programs.values().forEach(KernelProgram::close);
            maps.values().forEach(KernelMap::close);
            if (btf != null) btf.close();
            pinned.forEach(org.bpf4j.sys.BpfFs::unpin);
            throw e;
        }
    }

    /** A map pinned by name at {@code pin} by an earlier load, when there is one; it must be the same map. */
    private static Optional<KernelMap> reusePinned(ObjectMap m, Path pin) {
        if (!java.nio.file.Files.exists(pin)) return Optional.empty();
        KernelMap old = KernelMap.open(pin);
        org.bpf4j.map.MapSpec a = old.spec(), b = m.spec();
        if (a.type() != b.type() || a.keySize() != b.keySize() || a.valueSize() != b.valueSize()
                || a.maxEntries() != b.maxEntries() || a.flags() != b.flags()) {
            old.close();
            throw new UserException("map '" + m.name() + "': the map pinned at " + pin + " is a " + a.type().bpftoolName()
                    + " (key " + a.keySize() + ", value " + a.valueSize() + ", max_entries " + a.maxEntries() + ", flags 0x"
                    + Integer.toHexString(a.flags()) + "), not the " + b.type().bpftoolName() + " (key " + b.keySize()
                    + ", value " + b.valueSize() + ", max_entries " + b.maxEntries() + ", flags 0x"
                    + Integer.toHexString(b.flags()) + ") this object declares");
        }
        return Optional.of(old);
    }

    private static KernelMap createMap(ObjectMap m, Fd btf) {
        KernelMap map;
        boolean typed = btf != null && (m.btfKeyTypeId() != 0 || m.btfValueTypeId() != 0);
        try {
            map = typed ? KernelMap.create(m.spec(), btf, m.btfKeyTypeId(), m.btfValueTypeId()) : KernelMap.create(m.spec());
        } catch (BpfException e) {
            if (!typed) throw e;
            map = KernelMap.create(m.spec()); // as libbpf: a kernel that refuses the BTF types gets the map without
        }
        try {
            byte[] data = m.data();
            if (data != null && m.kind() != ObjectMap.Kind.BSS) map.update(le32(0), data, UpdateFlag.ANY);
            if (m.frozen()) map.freeze();
            return map;
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    private static byte[] le32(int v) { return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}; }

    /** The spec this was loaded from. */
    public CollectionSpec spec() { return spec; }

    /** The maps by name (global data sections under their section names, e.g. {@code .rodata}). */
    public Map<String, KernelMap> maps() { return maps; }

    /** The loaded programs by function name. */
    public Map<String, KernelProgram> programs() { return programs; }

    /** The map called {@code name}; a {@link UserException} when there is none. */
    public KernelMap map(String name) {
        KernelMap m = maps.get(name);
        if (m == null) throw new UserException(spec.name() + ": no map '" + name + "' (maps: " + String.join(", ", maps.keySet()) + ")");
        return m;
    }

    /** The program called {@code name}; a {@link UserException} when there is none or it was not loaded. */
    public KernelProgram program(String name) {
        KernelProgram p = programs.get(name);
        if (p == null) throw new UserException(spec.name() + ": no loaded program '" + name + "' (loaded: " + String.join(", ", programs.keySet()) + ")");
        return p;
    }

    /** The CO-RE decisions taken for program {@code name}, in instruction order. */
    public List<CoreRelocator.Decision> coreDecisions(String name) { return decisions.getOrDefault(name, List.of()); }

    /** The current bytes of global variable {@code name}, read in place from its mapped data section. */
    public byte[] variable(String name) {
        CollectionSpec.Variable v = spec.variables().get(name);
        if (v == null) throw new UserException(spec.name() + ": no global variable '" + name + "'");
        return data(v.map()).asSlice(v.offset(), v.size()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** Writes global variable {@code name} in {@code .data} or {@code .bss} ({@code .rodata} is frozen). */
    public void setVariable(String name, byte[] value) {
        CollectionSpec.Variable v = spec.variables().get(name);
        if (v == null) throw new UserException(spec.name() + ": no global variable '" + name + "'");
        if (value.length != v.size()) throw new IllegalArgumentException("variable " + name + " is " + v.size() + " bytes, not " + value.length);
        if (spec.maps().get(v.map()).frozen())
            throw new UserException(spec.name() + ": variable '" + name + "' is in " + v.map() + ", frozen at load; set it in the spec before loading");
        java.lang.foreign.MemorySegment.copy(value, 0, data(v.map()), java.lang.foreign.ValueLayout.JAVA_BYTE, v.offset(), value.length);
    }

    /**
     * Attaches every loaded program whose section names its attach point (tracepoint, raw tracepoint, tp_btf,
     * kprobe, uprobe, usdt), as libbpf's auto-attach does; sections without one (socket, xdp, perf_event...) are
     * left for the caller. Kprobes and fentry get the kernel's clear refusal ({@link org.bpf4j.NotSupportedException})
     * here. The links belong to this collection; on a failure the links made so far are closed.
     */
    public List<Link> attachAll() {
        Map<String, Link> made = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, KernelProgram> e : programs.entrySet()) {
                ObjectProgram p = spec.programs().get(e.getKey());
                attach(p, e.getValue()).ifPresent(l -> made.put(e.getKey(), l));
            }
        } catch (RuntimeException ex) {
            made.values().forEach(Link::close);
            throw ex;
        }
        links.addAll(made.values());
        linkOf.putAll(made);
        return List.copyOf(made.values());
    }

    /** Attaches program {@code name} as its section says; a {@link UserException} when the section names no attach point. */
    public Link attach(String name) {
        ObjectProgram p = spec.program(name).orElseThrow(() -> new UserException(spec.name() + ": no program '" + name + "'"));
        Link l = attach(p, program(name)).orElseThrow(() -> new UserException(spec.name() + ": program '" + name
                + "' is in section '" + p.section().section() + "', which names no attach point"));
        links.add(l);
        linkOf.put(name, l);
        return l;
    }

    private static Optional<Link> attach(ObjectProgram p, KernelProgram prog) {
        ProgramSection s = p.section();
        String t = s.target();
        if (t.isEmpty() || s.attach() == ProgramSection.Attach.MANUAL) return Optional.empty();
        String what = "section '" + s.section() + "'";
        return Optional.of(switch (s.attach()) {
            case TRACEPOINT -> {
                int slash = t.indexOf('/');
                if (slash <= 0) throw new UserException(what + ": expected tracepoint/CATEGORY/NAME");
                yield TracepointLink.attach(prog, t.substring(0, slash), t.substring(slash + 1));
            }
            case RAW_TRACEPOINT -> RawTracepointLink.attach(prog, t);
            case TP_BTF -> RawTracepointLink.attachBtf(prog, t);
            case KPROBE, KRETPROBE -> {
                boolean ret = s.attach() == ProgramSection.Attach.KRETPROBE;
                int plus = t.lastIndexOf('+');
                long off = 0;
                String fn = t;
                if (plus > 0) {
                    fn = t.substring(0, plus);
                    off = parseOffset(t.substring(plus + 1), what);
                }
                yield KprobeLink.attach(prog, fn, off, ret);
            }
            case UPROBE, URETPROBE -> {
                int colon = t.lastIndexOf(':');
                if (colon <= 0) throw new UserException(what + ": expected uprobe/BINARY:FUNCTION");
                String binary = t.substring(0, colon), fn = t.substring(colon + 1);
                boolean ret = s.attach() == ProgramSection.Attach.URETPROBE;
                int plus = fn.lastIndexOf('+');
                if (plus > 0) {
                    long off = parseOffset(fn.substring(plus + 1), what);
                    Path file = UprobeLink.resolveBinary(binary, -1);
                    yield UprobeLink.attach(prog, file, UprobeLink.offsetOf(file, fn.substring(0, plus)) + off, ret, -1);
                }
                yield UprobeLink.attach(prog, binary, fn, ret, -1);
            }
            case USDT -> {
                String[] parts = t.split(":");
                if (parts.length != 3) throw new UserException(what + ": expected usdt/BINARY:PROVIDER:NAME");
                yield UsdtLink.attach(prog, parts[0], parts[1], parts[2], -1);
            }
            case FENTRY, FEXIT -> throw new UserException(what + ": attaching fentry/fexit programs of an object is not supported yet");
            case MANUAL -> throw new IllegalStateException();
        });
    }

    private static long parseOffset(String s, String what) {
        try {
            return Long.decode(s);
        } catch (NumberFormatException e) {
            throw new UserException(what + ": bad offset '" + s + "'");
        }
    }

    /** The links this collection made. */
    public List<Link> links() { return List.copyOf(links); }

    /** The names of the programs this collection attached, in the order they were attached. */
    public java.util.Set<String> attachedPrograms() { return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(linkOf.keySet())); }

    /** Detaches every link, then closes programs, maps and the BTF object; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        links.forEach(Link::close);
        unmapGlobalData();
        programs.values().forEach(KernelProgram::close);
        maps.values().forEach(KernelMap::close);
        if (btf != null) btf.close();
    }

    @Override
    public String toString() { return "Collection[" + spec.name() + ": " + programs.keySet() + ", " + maps.keySet() + "]"; }
}
