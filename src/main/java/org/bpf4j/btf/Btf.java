package org.bpf4j.btf;

import org.bpf4j.BpfException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Parsed BTF (the BPF Type Format: linux/btf.h, Documentation/bpf/btf.rst): types by id and by name, sizes and
 * alignments. A split BTF (a kernel module's) continues the ids and string offsets of its base (vmlinux).
 * Immutable once built; {@link #vmlinux()} and {@link #module(String)} are read once and cached.
 *
 * <pre>
 * struct btf_header { u16 magic 0xeB9F; u8 version; u8 flags; u32 hdr_len;
 *                     u32 type_off; u32 type_len; u32 str_off; u32 str_len; }   offsets after hdr_len
 * struct btf_type   { u32 name_off; u32 info (vlen 0-15, kind 24-28, kind_flag 31); u32 size_or_type; } + data
 * </pre>
 */
public final class Btf {
    private static final int MAGIC = 0xeB9F;
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf");
    private static volatile Btf vmlinux;
    private static final Map<String, Btf> MODULES = new ConcurrentHashMap<>();

    private final Btf base;
    private final int firstId;
    private final BtfType[] types;          // this BTF's own types, ids firstId..; filled on first use when lazy
    private final byte[] strings;
    private final int firstStringOffset;
    private final int[] offsets;            // lazy: where each own type starts in the parser's data; else null
    private final Parser lazy;              // lazy: reads a type on first use; else null
    private final int pointerSize;
    private volatile Map<String, List<Integer>> byName;

    private Btf(Btf base, BtfType[] types, byte[] strings, int firstStringOffset, int[] offsets, Parser lazy) {
        this.base = base;
        this.firstId = base == null ? 1 : base.typeCount();
        this.types = types;
        this.strings = strings;
        this.firstStringOffset = firstStringOffset;
        this.offsets = offsets;
        this.lazy = lazy;
        this.pointerSize = base != null ? base.pointerSize : guessPointerSize();
    }

    /** The running kernel's BTF, /sys/kernel/btf/vmlinux, read on first use. */
    public static Btf vmlinux() {
        Btf b = vmlinux;
        if (b == null) {
            synchronized (Btf.class) {
                if (vmlinux == null) vmlinux = readKernel(KERNEL_BTF.resolve("vmlinux"), null);
                b = vmlinux;
            }
        }
        return b;
    }

    /** A kernel module's BTF (/sys/kernel/btf/NAME), split on {@link #vmlinux()}, read on first use. */
    public static Btf module(String name) {
        if (name.equals("vmlinux")) return vmlinux();
        if (name.contains("/")) throw new IllegalArgumentException("module name '" + name + "'");
        return MODULES.computeIfAbsent(name, n -> readKernel(KERNEL_BTF.resolve(n), vmlinux()));
    }

    /**
     * The kernel's own BTF, parsed lazily: its types' offsets are found at once (a walk over the 12-byte headers),
     * each type is read when first asked for, and the whole-blob checks that guard files a user hands in are left
     * out. A script that follows {@code curtask->real_parent} reads a few dozen of vmlinux's 120,000 types, and
     * parsing them all cost seconds of a tracing command's start-up.
     */
    static Btf readKernel(Path file, Btf base) {
        byte[] data = org.bpf4j.InputFiles.read(file, org.bpf4j.InputFiles.BINARY_LIMIT);
        return new Parser(data, base, file.toString()).parseLazily();
    }

    /** Reads a BTF file (raw BTF, as in /sys/kernel/btf); {@code base} is null unless the file is split BTF. */
    public static Btf read(Path file, Btf base) {
        return parse(org.bpf4j.InputFiles.read(file, org.bpf4j.InputFiles.BINARY_LIMIT), base, file.toString());
    }

    /** Parses raw BTF; {@code source} names the data in errors. */
    public static Btf parse(byte[] data, Btf base, String source) {
        return new Parser(data, base, source).parse();
    }

    // struct bpf_btf_info: btf @0, btf_size @8, id @12, name @16, name_len @24, kernel_btf @28.
    private static final int BTF_INFO_SIZE = 32;

    /**
     * The BTF object with kernel id {@code id} (BPF_BTF_GET_FD_BY_ID), e.g. a map's or a program's. Kernel BTF
     * (vmlinux, modules) comes back as the cached files; split module BTF is resolved against vmlinux.
     */
    public static Btf byId(int id) {
        try (Fd fd = ObjInfo.fdById(BpfCmd.BTF_GET_FD_BY_ID, id); Arena arena = Arena.ofConfined()) {
            MemorySegment first = ObjInfo.get(arena, fd.value(), BTF_INFO_SIZE, "BTF");
            int size = first.get(JAVA_INT, 8);
            MemorySegment info = arena.allocate(BTF_INFO_SIZE, 8);
            MemorySegment buf = arena.allocate(Math.max(1, size), 8);
            MemorySegment name = arena.allocate(64, 8);
            info.set(JAVA_LONG, 0, buf.address());
            info.set(JAVA_INT, 8, size);
            info.set(JAVA_LONG, 16, name.address());
            info.set(JAVA_INT, 24, 64);
            ObjInfo.get(arena, fd.value(), info, "BTF");
            boolean kernel = info.get(JAVA_INT, 28) != 0;
            String n = name.getString(0);
            if (kernel && !n.isEmpty() && Files.exists(KERNEL_BTF.resolve(n))) return module(n);
            byte[] data = buf.asSlice(0, size).toArray(JAVA_BYTE);
            return parse(data, kernel ? vmlinux() : null, "BTF id " + id);
        } catch (BpfException e) {
            throw new BpfException("BTF id " + id, e);
        }
    }

    /** The number of type ids, counting void (id 0) and the base's types: valid ids are 0 to typeCount() - 1. */
    public int typeCount() { return firstId + types.length; }

    /** The base of a split BTF, or null. */
    public Btf base() { return base; }

    /** The type with {@code id}; throws {@link IllegalArgumentException} for an id out of range. */
    public BtfType type(int id) {
        if (id == 0) return VOID;
        if (id < firstId) return base.type(id);
        if (id - firstId >= types.length) throw new IllegalArgumentException("BTF type id " + id + " out of range (" + typeCount() + " types)");
        BtfType t = types[id - firstId];
        if (t == null) {
            // racing readers make equal immutable records; either may be kept
            t = lazy.readType(id, new int[] {offsets[id - firstId]}, Integer.MAX_VALUE);
            types[id - firstId] = t;
        }
        return t;
    }

    private static final BtfType VOID = new BtfType.Void();

    /** The first type of {@code kind} called {@code name} (in this BTF and its base). */
    public Optional<BtfType> findByName(Kind kind, String name) {
        for (int id : idsNamed(name)) {
            BtfType t = type(id);
            if (t.kind() == kind) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** The first type of class {@code type} called {@code name}, e.g. {@code find(BtfType.Struct.class, "task_struct")}. */
    public <T extends BtfType> Optional<T> find(Class<T> type, String name) {
        for (int id : idsNamed(name)) {
            BtfType t = type(id);
            if (type.isInstance(t)) return Optional.of(type.cast(t));
        }
        return Optional.empty();
    }

    /** Every type called {@code name}, of any kind, in id order. */
    public List<BtfType> findAllByName(String name) {
        List<BtfType> out = new ArrayList<>();
        for (int id : idsNamed(name)) out.add(type(id));
        return out;
    }

    /** Lookups by name answered by a scan; after this many, an index of every name is built instead. */
    private static final int SCANNED_LOOKUPS = 8;
    private int lookups;                    // racy on purpose: an extra scan or an early index is harmless

    private List<Integer> idsNamed(String name) {
        Map<String, List<Integer>> m = byName;
        if (m == null && lookups++ < SCANNED_LOOKUPS) return scan(name);
        if (m == null) {
            synchronized (this) {
                if (byName == null) {
                    Map<String, List<Integer>> built = new HashMap<>();
                    for (int id = 1; id < typeCount(); id++) {
                        String n = nameOf(id);
                        if (!n.isEmpty()) built.computeIfAbsent(n, k -> new ArrayList<>(1)).add(id);
                    }
                    byName = built;
                }
                m = byName;
            }
        }
        return m.getOrDefault(name, Collections.emptyList());
    }

    /**
     * The ids of the types called {@code name}, found by comparing the name's bytes with each type's, in place: a
     * command that looks up a few names (trace -lv 'struct task_struct', one raw tracepoint's arguments) does not
     * pay for decoding and indexing vmlinux's 120,000 names, which costs several scans.
     */
    private List<Integer> scan(String name) {
        List<Integer> out = base != null ? new ArrayList<>(base.idsNamed(name)) : new ArrayList<>(1);
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        if (want.length == 0) return out;
        for (int id = firstId; id < typeCount(); id++) {
            BtfType t = types[id - firstId];
            int off = t != null || lazy == null ? -1 : lazy.buf.getInt(offsets[id - firstId]);
            int start = off - firstStringOffset;
            if (off < 0 || start < 0) {
                if (nameOf(id).equals(name)) out.add(id);
                continue;
            }
            if (start + want.length >= strings.length || strings[start] != want[0] || strings[start + want.length] != 0) continue;
            boolean same = true;
            for (int i = 1; i < want.length && same; i++) same = strings[start + i] == want[i];
            if (same) out.add(id);
        }
        return out;
    }

    /** Type {@code id}'s name, read from its header when the type itself has not been read. */
    private String nameOf(int id) {
        if (id < firstId) return base.nameOf(id);
        BtfType t = types[id - firstId];
        if (t != null) return t.name();
        return string(lazy.buf.getInt(offsets[id - firstId]));
    }

    /** The string at {@code offset} in the string section (continuing the base's for split BTF). */
    public String string(int offset) {
        if (offset < firstStringOffset) return base.string(offset);
        int start = offset - firstStringOffset;
        if (start >= strings.length) throw new IllegalArgumentException("BTF string offset " + offset + " out of range");
        int end = start;
        while (end < strings.length && strings[end] != 0) end++;
        return new String(strings, start, end - start, StandardCharsets.UTF_8);
    }

    /** The size of a pointer on the target this BTF describes (the size of {@code long}). */
    public int pointerSize() { return pointerSize; }

    /** The type behind typedefs, modifiers and type tags. */
    public BtfType resolve(int id) {
        BtfType t = type(id);
        for (int depth = 0; depth < 64; depth++) {
            switch (t) {
                case BtfType.Typedef r -> t = type(r.type());
                case BtfType.Const r -> t = type(r.type());
                case BtfType.Volatile r -> t = type(r.type());
                case BtfType.Restrict r -> t = type(r.type());
                case BtfType.TypeTag r -> t = type(r.type());
                default -> { return t; }
            }
        }
        throw new IllegalArgumentException("BTF type id " + id + ": typedef loop");
    }

    /** The size in bytes of a value of type {@code id} (libbpf's btf__resolve_size); -1 when it has none. */
    public long sizeOf(int id) {
        long nelems = 1;
        BtfType t = type(id);
        for (int depth = 0; depth < 64; depth++) {
            switch (t) {
                case BtfType.Int i -> { return nelems * i.size(); }
                case BtfType.Float f -> { return nelems * f.size(); }
                case BtfType.Composite c -> { return nelems * c.size(); }
                case BtfType.Enumeration e -> { return nelems * e.size(); }
                case BtfType.Datasec d -> { return nelems * d.size(); }
                case BtfType.Ptr p -> { return nelems * pointerSize; }
                case BtfType.Array a -> {
                    nelems *= Integer.toUnsignedLong(a.nelems());
                    t = type(a.type());
                }
                case BtfType.Typedef r -> t = type(r.type());
                case BtfType.Const r -> t = type(r.type());
                case BtfType.Volatile r -> t = type(r.type());
                case BtfType.Restrict r -> t = type(r.type());
                case BtfType.TypeTag r -> t = type(r.type());
                case BtfType.Var v -> t = type(v.type());
                default -> { return -1; }
            }
        }
        return -1;
    }

    /** The alignment in bytes of type {@code id} (libbpf's btf__align_of); 1 for a struct that must be packed. */
    public int alignOf(int id) {
        BtfType t = type(id);
        return switch (t) {
            case BtfType.Int i -> Math.min(pointerSize, i.size());
            case BtfType.Enumeration e -> Math.min(pointerSize, e.size());
            case BtfType.Float f -> Math.min(pointerSize, f.size());
            case BtfType.Ptr p -> pointerSize;
            case BtfType.Array a -> alignOf(a.type());
            case BtfType.Typedef r -> alignOf(r.type());
            case BtfType.Const r -> alignOf(r.type());
            case BtfType.Volatile r -> alignOf(r.type());
            case BtfType.Restrict r -> alignOf(r.type());
            case BtfType.TypeTag r -> alignOf(r.type());
            case BtfType.Composite c -> {
                int max = 1;
                for (BtfType.Member m : c.members()) {
                    int a = alignOf(m.type());
                    if (a <= 0) yield a;
                    max = Math.max(max, a);
                    if (m.bitfieldSize() == 0 && m.bitOffset() % (8 * a) != 0) yield 1;
                }
                yield c.size() % max != 0 ? 1 : max;
            }
            default -> 0;
        };
    }

    private int guessPointerSize() {
        for (int i = 0; i < types.length; i++) {
            if (lazy != null) {   // only the INT headers' names: no type is read for this
                int info = lazy.buf.getInt(offsets[i] + 4);
                if (Kind.of((info >>> 24) & 0x1f) != Kind.INT) continue;
                String n = string(lazy.buf.getInt(offsets[i]));
                if (n.equals("long int") || n.equals("long unsigned int")) return lazy.buf.getInt(offsets[i] + 8);
                continue;
            }
            if (types[i] instanceof BtfType.Int t && (t.name().equals("long int") || t.name().equals("long unsigned int")))
                return t.size();
        }
        return 8;
    }

    /** Reads the sections of one BTF blob. */
    private static final class Parser {
        private final byte[] data;
        private final Btf base;
        private final String source;
        private ByteBuffer buf;
        private byte[] strings;
        private int firstStringOffset;

        Parser(byte[] data, Btf base, String source) {
            this.data = data;
            this.base = base;
            this.source = source;
        }

        private BtfFormatException bad(String what) {
            return new BtfFormatException(source + ": " + what);
        }

        private int typeOff, typeEnd;

        /** Reads the header and string section; leaves the type section's bounds in typeOff/typeEnd. */
        private void header() {
            if (data.length < 24) throw bad("too short for a BTF header (" + data.length + " bytes)");
            buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int magic = Short.toUnsignedInt(buf.getShort(0));
            if (magic != MAGIC) {
                buf.order(ByteOrder.BIG_ENDIAN);
                if (Short.toUnsignedInt(buf.getShort(0)) != MAGIC)
                    throw bad(String.format("bad magic 0x%04x, expected 0xeb9f", magic));
            }
            int version = Byte.toUnsignedInt(buf.get(2));
            if (version != 1) throw bad("BTF version " + version + ", expected 1");
            int hdrLen = buf.getInt(4);
            long typeOff = hdrLen + Integer.toUnsignedLong(buf.getInt(8));
            long typeLen = Integer.toUnsignedLong(buf.getInt(12));
            long strOff = hdrLen + Integer.toUnsignedLong(buf.getInt(16));
            long strLen = Integer.toUnsignedLong(buf.getInt(20));
            if (hdrLen < 24 || typeOff + typeLen > data.length || strOff + strLen > data.length)
                throw bad("sections run past the end of the data (" + data.length + " bytes)");
            strings = java.util.Arrays.copyOfRange(data, (int) strOff, (int) (strOff + strLen));
            firstStringOffset = base == null ? 0 : base.firstStringOffset + base.strings.length;
            if (base == null && (strLen == 0 || strings[0] != 0)) throw bad("string section does not start with an empty string");
            this.typeOff = (int) typeOff;
            this.typeEnd = (int) (typeOff + typeLen);
        }

        /** The kernel's BTF: type offsets found, types read on first use (see {@link Btf#readKernel}). */
        Btf parseLazily() {
            header();
            int firstId = base == null ? 1 : base.typeCount();
            int[] offsets = new int[1024];
            int n = 0;
            for (int pos = typeOff; pos < typeEnd; n++) {
                if (pos + 12 > typeEnd) throw bad("type " + (firstId + n) + " at byte " + pos + " is cut short");
                if (n == offsets.length) offsets = java.util.Arrays.copyOf(offsets, n * 2);
                offsets[n] = pos;
                int info = buf.getInt(pos + 4);
                Kind kind = Kind.of((info >>> 24) & 0x1f);
                if (kind == null || kind == Kind.UNKN) throw bad("type " + (firstId + n) + " at byte " + pos + " has unknown kind " + ((info >>> 24) & 0x1f));
                pos += 12 + extra(kind, info & 0xffff);
                if (pos > typeEnd) throw bad("type " + (firstId + n) + " (" + kind + ") is cut short");
            }
            return new Btf(base, new BtfType[n], strings, firstStringOffset, java.util.Arrays.copyOf(offsets, n), this);
        }

        /** Bytes that follow a type's 12-byte header. */
        private static int extra(Kind kind, int vlen) {
            return switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC -> 12 * vlen;
                case ENUM, FUNC_PROTO -> 8 * vlen;
                case ENUM64 -> 12 * vlen;
                default -> 0;
            };
        }

        Btf parse() {
            header();
            int typeOff = this.typeOff;
            long typeLen = this.typeEnd - this.typeOff;
            List<BtfType> types = new ArrayList<>();
            int firstId = base == null ? 1 : base.typeCount();
            int pos = (int) typeOff, end = (int) (typeOff + typeLen);
            while (pos < end) {
                if (pos + 12 > end) throw bad("type " + (firstId + types.size()) + " at byte " + pos + " is cut short");
                int id = firstId + types.size();
                int[] next = {pos};
                types.add(readType(id, next, end));
                pos = next[0];
            }
            Btf btf = new Btf(base, types.toArray(new BtfType[0]), strings, firstStringOffset, null, null);
            for (BtfType t : btf.types) check(btf, t);
            BtfCheck.check(btf, firstId, source);
            return btf;
        }

        private String str(int off) {
            if (off < firstStringOffset) {
                if (base == null) throw bad("string offset " + off);
                return base.string(off);
            }
            int start = off - firstStringOffset;
            if (start < 0 || start >= strings.length) throw bad("string offset " + off + " out of range");
            int e = start;
            while (e < strings.length && strings[e] != 0) e++;
            return new String(strings, start, e - start, StandardCharsets.UTF_8);
        }

        private BtfType readType(int id, int[] cursor, int end) {
            int p = cursor[0];
            String name = str(buf.getInt(p));
            int info = buf.getInt(p + 4);
            int sizeOrType = buf.getInt(p + 8);
            int vlen = info & 0xffff;
            int kindValue = (info >>> 24) & 0x1f;
            boolean kflag = (info >>> 31) != 0;
            Kind kind = Kind.of(kindValue);
            if (kind == null || kind == Kind.UNKN) throw bad("type " + id + " at byte " + p + " has unknown kind " + kindValue);
            p += 12;
            int extra = extra(kind, vlen);
            if (p + extra > end) throw bad("type " + id + " (" + kind + ") at byte " + (p - 12) + " is cut short");
            BtfType t = switch (kind) {
                case INT -> {
                    int d = buf.getInt(p);
                    yield new BtfType.Int(id, name, sizeOrType, (d >>> 16) & 0xff, d & 0xff, (d >>> 24) & 0x0f);
                }
                case PTR -> new BtfType.Ptr(id, name, sizeOrType);
                case ARRAY -> new BtfType.Array(id, name, buf.getInt(p), buf.getInt(p + 4), buf.getInt(p + 8));
                case STRUCT, UNION -> {
                    List<BtfType.Member> ms = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        int q = p + 12 * i, off = buf.getInt(q + 8);
                        ms.add(kflag ? new BtfType.Member(str(buf.getInt(q)), buf.getInt(q + 4), off & 0xffffff, off >>> 24)
                                : new BtfType.Member(str(buf.getInt(q)), buf.getInt(q + 4), off, 0));
                    }
                    yield kind == Kind.STRUCT ? new BtfType.Struct(id, name, sizeOrType, List.copyOf(ms))
                            : new BtfType.Union(id, name, sizeOrType, List.copyOf(ms));
                }
                case ENUM -> {
                    List<BtfType.EnumValue> vs = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        int v = buf.getInt(p + 8 * i + 4);
                        vs.add(new BtfType.EnumValue(str(buf.getInt(p + 8 * i)), kflag ? v : Integer.toUnsignedLong(v)));
                    }
                    yield new BtfType.Enum(id, name, sizeOrType, kflag, List.copyOf(vs));
                }
                case ENUM64 -> {
                    List<BtfType.EnumValue> vs = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        int q = p + 12 * i;
                        long v = Integer.toUnsignedLong(buf.getInt(q + 4)) | ((long) buf.getInt(q + 8) << 32);
                        vs.add(new BtfType.EnumValue(str(buf.getInt(q)), v));
                    }
                    yield new BtfType.Enum64(id, name, sizeOrType, kflag, List.copyOf(vs));
                }
                case FWD -> new BtfType.Fwd(id, name, kflag);
                case TYPEDEF -> new BtfType.Typedef(id, name, sizeOrType);
                case VOLATILE -> new BtfType.Volatile(id, name, sizeOrType);
                case CONST -> new BtfType.Const(id, name, sizeOrType);
                case RESTRICT -> new BtfType.Restrict(id, name, sizeOrType);
                case FUNC -> new BtfType.Func(id, name, sizeOrType, vlen);
                case FUNC_PROTO -> {
                    List<BtfType.Param> ps = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) ps.add(new BtfType.Param(str(buf.getInt(p + 8 * i)), buf.getInt(p + 8 * i + 4)));
                    yield new BtfType.FuncProto(id, name, sizeOrType, List.copyOf(ps));
                }
                case VAR -> new BtfType.Var(id, name, sizeOrType, buf.getInt(p));
                case DATASEC -> {
                    List<BtfType.VarSecInfo> vs = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        int q = p + 12 * i;
                        vs.add(new BtfType.VarSecInfo(buf.getInt(q), buf.getInt(q + 4), buf.getInt(q + 8)));
                    }
                    yield new BtfType.Datasec(id, name, sizeOrType, List.copyOf(vs));
                }
                case FLOAT -> new BtfType.Float(id, name, sizeOrType);
                case DECL_TAG -> new BtfType.DeclTag(id, name, sizeOrType, buf.getInt(p));
                case TYPE_TAG -> new BtfType.TypeTag(id, name, sizeOrType);
                case UNKN -> throw new AssertionError();
            };
            cursor[0] = p + extra;
            return t;
        }

        /** Every id a type refers to must exist. */
        private void check(Btf btf, BtfType t) {
            int n = btf.typeCount();
            java.util.function.IntConsumer ref = id -> {
                if (id < 0 || id >= n) throw bad("type " + t.id() + " (" + t.kind() + " '" + t.name() + "') refers to type " + id + ", out of range");
            };
            switch (t) {
                case BtfType.Ref r -> ref.accept(r.type());
                case BtfType.Composite c -> c.members().forEach(m -> ref.accept(m.type()));
                case BtfType.FuncProto f -> {
                    ref.accept(f.returnType());
                    f.params().forEach(p -> ref.accept(p.type()));
                }
                case BtfType.Datasec d -> d.vars().forEach(v -> ref.accept(v.type()));
                default -> { }
            }
            if (t instanceof BtfType.Array a) ref.accept(a.indexType());
        }
    }
}
