package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Cpus;
import org.bpf4j.sys.Native;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an object's map definitions: BTF-defined maps in {@code .maps} (the {@code __uint}/{@code __type}/
 * {@code __array} members of an anonymous struct, as bpf_helpers.h declares them), the legacy {@code maps}
 * section ({@code struct bpf_map_def}, and iproute2's longer {@code bpf_elf_map}), and global data sections.
 */
final class MapDefinitions {
    private MapDefinitions() {}

    /** {@code BPF_F_RDONLY_PROG} and {@code BPF_F_MMAPABLE}, which libbpf gives data sections. */
    static final int F_RDONLY_PROG = 1 << 7, F_MMAPABLE = 1 << 10;

    /** A map declared in {@code .maps}: the members bpf_helpers.h's macros encode. */
    private record Def(MapType type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra, int pinning,
                       int keyType, int valueType, Def inner, int valuesOffset) {}

    /**
     * The BTF-defined maps of DATASEC {@code .maps}, in declaration order; {@code offsetOf} gives a map variable's
     * offset in the section (its symbol: clang leaves the DATASEC's offsets at zero), through which the section's
     * relocations give maps of maps and program arrays their initial slots.
     */
    static List<ObjectMap> btfMaps(Btf btf, List<ObjectSymbols.Rel> rels, java.util.function.ToLongFunction<String> offsetOf,
                                   String where) {
        List<ObjectMap> out = new ArrayList<>();
        BtfType.Datasec sec = btf.find(BtfType.Datasec.class, ".maps")
                .orElseThrow(() -> new ObjectFormatException(where + ": .maps has no BTF DATASEC (compile with -g)"));
        for (BtfType.VarSecInfo vsi : sec.vars()) {
            if (!(btf.type(vsi.type()) instanceof BtfType.Var v))
                throw new ObjectFormatException(where + ": .maps: DATASEC entry " + vsi.type() + " is not a variable");
            String ctx = where + ": map '" + v.name() + "'";
            if (!(btf.resolve(v.type()) instanceof BtfType.Struct s))
                throw new ObjectFormatException(ctx + ": its definition is not a struct");
            Def def = parseDef(btf, s, ctx, true);
            Map<Integer, String> slots = new TreeMap<>();
            long start = offsetOf.applyAsLong(v.name());
            if (def.valuesOffset() >= 0 && start >= 0) {
                for (ObjectSymbols.Rel r : rels) {
                    if (owner(sec, btf, offsetOf, r.offset()) != vsi) continue; // the initializer may run past the struct
                    long off = r.offset() - start - def.valuesOffset();
                    if (off < 0 || off % 8 != 0)
                        throw new ObjectFormatException(ctx + ": relocation at byte " + r.offset() + " of .maps is not in its values array");
                    slots.put((int) (off / 8), r.sym().name());
                }
            }
            out.add(toMap(v.name(), def, ctx, slots));
        }
        return out;
    }

    /** The map variable whose symbol starts last at or before {@code offset}. */
    private static BtfType.VarSecInfo owner(BtfType.Datasec sec, Btf btf, java.util.function.ToLongFunction<String> offsetOf,
                                            long offset) {
        BtfType.VarSecInfo best = null;
        long bestStart = -1;
        for (BtfType.VarSecInfo vsi : sec.vars()) {
            long start = offsetOf.applyAsLong(btf.type(vsi.type()).name());
            if (start >= 0 && start <= offset && start > bestStart) {
                best = vsi;
                bestStart = start;
            }
        }
        return best;
    }

    private static Def parseDef(Btf btf, BtfType.Composite s, String ctx, boolean outer) {
        MapType type = null;
        int keySize = -1, valueSize = -1, maxEntries = 0, flags = 0, pinning = 0, keyType = 0, valueType = 0;
        long extra = 0;
        Def inner = null;
        int valuesOffset = -1;
        for (BtfType.Member m : s.members()) {
            switch (m.name()) {
                case "type" -> {
                    int t = uint(btf, m, ctx);
                    type = MapType.of(t);
                    if (type == null) throw new ObjectFormatException(ctx + ": unknown map type " + t);
                }
                case "max_entries" -> maxEntries = uint(btf, m, ctx);
                case "map_flags" -> flags = uint(btf, m, ctx);
                case "numa_node" -> uint(btf, m, ctx);
                case "key_size" -> keySize = checkSize(keySize, uint(btf, m, ctx), ctx, "key");
                case "value_size" -> valueSize = checkSize(valueSize, uint(btf, m, ctx), ctx, "value");
                case "pinning" -> pinning = uint(btf, m, ctx);
                case "map_extra" -> extra = Integer.toUnsignedLong(uint(btf, m, ctx));
                case "key" -> {
                    keyType = pointee(btf, m, ctx);
                    keySize = checkSize(keySize, size(btf, keyType, ctx, "key"), ctx, "key");
                }
                case "value" -> {
                    valueType = pointee(btf, m, ctx);
                    valueSize = checkSize(valueSize, size(btf, valueType, ctx, "value"), ctx, "value");
                }
                case "values" -> {
                    if (!outer) throw new ObjectFormatException(ctx + ": an inner map cannot have values");
                    if (!(btf.resolve(m.type()) instanceof BtfType.Array a)
                            || !(btf.resolve(a.type()) instanceof BtfType.Ptr p))
                        throw new ObjectFormatException(ctx + ": 'values' is not an array of pointers");
                    valuesOffset = m.bitOffset() / 8;
                    if (btf.resolve(p.type()) instanceof BtfType.Struct innerStruct)
                        inner = parseDef(btf, innerStruct, ctx + " (inner map)", false);
                    else if (!(btf.resolve(p.type()) instanceof BtfType.FuncProto))
                        throw new ObjectFormatException(ctx + ": 'values' points to neither a map definition nor a function");
                }
                default -> throw new ObjectFormatException(ctx + ": unknown member '" + m.name() + "' in the map definition");
            }
        }
        if (type == null) throw new ObjectFormatException(ctx + ": no map type");
        return new Def(type, Math.max(keySize, 0), Math.max(valueSize, 0), maxEntries, flags, extra, pinning,
                keyType, valueType, inner, valuesOffset);
    }

    private static ObjectMap toMap(String name, Def def, String ctx, Map<Integer, String> slots) {
        int keySize = def.keySize(), valueSize = def.valueSize(), maxEntries = def.maxEntries();
        int keyType = def.keyType(), valueType = def.valueType();
        MapSpec inner = null;
        switch (def.type()) {
            case PERF_EVENT_ARRAY -> {
                if (keySize == 0) keySize = 4;
                if (valueSize == 0) valueSize = 4;
                if (maxEntries == 0) maxEntries = Cpus.possibleCount();
            }
            case RINGBUF, USER_RINGBUF -> maxEntries = ringbufSize(maxEntries);
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> {
                if (def.inner() == null) throw new ObjectFormatException(ctx + ": a map of maps needs __array(values, ...)");
                inner = toMap(name + ".inner", def.inner(), ctx, Map.of()).spec();
                valueSize = 4;
                valueType = 0;
            }
            case PROG_ARRAY -> {
                if (valueSize == 0) valueSize = 4;
            }
            default -> { }
        }
        // kernels refuse BTF key/value types on these: libbpf leaves them out too
        if (def.type() == MapType.PERF_EVENT_ARRAY || def.type() == MapType.PROG_ARRAY || def.type() == MapType.RINGBUF
                || def.type() == MapType.USER_RINGBUF || def.type() == MapType.STACK_TRACE
                || def.type() == MapType.ARRAY_OF_MAPS || def.type() == MapType.HASH_OF_MAPS) {
            keyType = 0;
            valueType = 0;
        }
        MapSpec spec;
        try {
            spec = new MapSpec(kernelName(name), def.type(), keySize, valueSize, maxEntries, def.flags(), def.mapExtra(), inner);
        } catch (IllegalArgumentException e) {
            throw new ObjectFormatException(ctx + ": " + e.getMessage(), e);
        }
        return new ObjectMap(name, spec, ObjectMap.Kind.MAP, keyType, valueType, null, def.pinning(), slots);
    }

    /** The legacy {@code maps} section: one {@code struct bpf_map_def} (or iproute2's {@code bpf_elf_map}) per symbol. */
    static List<ObjectMap> legacyMaps(byte[] section, List<ObjectSymbols.Sym> syms, int shndx, String where) {
        List<ObjectSymbols.Sym> defs = new ArrayList<>();
        for (ObjectSymbols.Sym s : syms)
            if (s.section() == shndx && s.type() != ObjectSymbols.STT_SECTION && !s.name().isEmpty()) defs.add(s);
        defs.sort((a, b) -> Long.compare(a.value(), b.value()));
        List<ObjectMap> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(section).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < defs.size(); i++) {
            ObjectSymbols.Sym s = defs.get(i);
            long size = s.size() > 0 ? s.size() : (i + 1 < defs.size() ? defs.get(i + 1).value() : section.length) - s.value();
            String ctx = where + ": map '" + s.name() + "' in section maps";
            if (size < 20 || s.value() + size > section.length)
                throw new ObjectFormatException(ctx + ": " + size + " bytes is too short for struct bpf_map_def");
            int at = (int) s.value();
            MapType type = MapType.of(b.getInt(at));
            if (type == null) throw new ObjectFormatException(ctx + ": unknown map type " + b.getInt(at));
            int pinning = size >= 28 ? b.getInt(at + 24) : 0; // iproute2: id @20, pinning @24 (PIN_GLOBAL_NS 2)
            Def def = new Def(type, b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12), b.getInt(at + 16), 0,
                    pinning == 0 ? 0 : 1, 0, 0, null, -1);
            if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS)
                throw new ObjectFormatException(ctx + ": maps of maps need a BTF-defined inner map (in .maps)");
            out.add(toMap(s.name(), def, ctx, Map.of()));
        }
        return out;
    }

    /** A global data section as a one-element array map, named libbpf's way for the kernel. */
    static ObjectMap dataMap(String objectName, String section, byte[] data, Btf btf, String where) {
        ObjectMap.Kind kind = section.startsWith(".rodata") ? ObjectMap.Kind.RODATA
                : section.startsWith(".bss") ? ObjectMap.Kind.BSS : ObjectMap.Kind.DATA;
        int flags = F_MMAPABLE | (kind == ObjectMap.Kind.RODATA ? F_RDONLY_PROG : 0);
        int valueType = btf == null ? 0 : btf.find(BtfType.Datasec.class, section).map(BtfType.Datasec::id).orElse(0);
        MapSpec spec = new MapSpec(internalName(objectName, section), org.bpf4j.map.MapType.ARRAY, 4, data.length, 1, flags);
        return new ObjectMap(section, spec, kind, 0, valueType, data, 0, Map.of());
    }

    /** The {@code .kconfig} map of an object's {@code __kconfig} externs: its value is written at load. */
    static ObjectMap kconfigMap(String objectName, int size, Btf btf) {
        int valueType = btf == null ? 0 : btf.find(BtfType.Datasec.class, ".kconfig").map(BtfType.Datasec::id).orElse(0);
        MapSpec spec = new MapSpec(internalName(objectName, ".kconfig"), MapType.ARRAY, 4, size, 1, F_MMAPABLE | F_RDONLY_PROG);
        return new ObjectMap(".kconfig", spec, ObjectMap.Kind.KCONFIG, 0, valueType, new byte[size], 0, Map.of());
    }

    /**
     * libbpf's name for a data section's map: up to 8 characters of the object's name (its file name up to the
     * first dot) then the section, 7 characters reserved for it; a section with a second dot ({@code .rodata.str1.1})
     * keeps its own name only. Characters the kernel refuses become {@code _}.
     */
    static String internalName(String objectName, String section) {
        int sfx = Math.max(7, section.length());
        int pfx = section.indexOf('.', 1) >= 0 ? 0 : Math.max(0, Math.min(15 - sfx, objectName.length()));
        String name = objectName.substring(0, pfx) + section.substring(0, Math.min(section.length(), Math.max(0, 15 - pfx)));
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        return sb.toString();
    }

    /** A map name as the kernel takes it: at most 15 characters. */
    static String kernelName(String name) { return name.length() > 15 ? name.substring(0, 15) : name; }

    /** libbpf rounds a ring buffer up to a power-of-two number of pages. */
    private static int ringbufSize(int bytes) {
        int page = (int) Native.pageSize();
        if (bytes <= page) return page;
        if (Integer.bitCount(bytes) == 1 && bytes % page == 0) return bytes;
        return Integer.highestOneBit(bytes - 1) << 1;
    }

    private static int checkSize(int previous, int size, String ctx, String what) {
        if (previous >= 0 && previous != size)
            throw new ObjectFormatException(ctx + ": " + what + " size " + size + " disagrees with " + previous);
        return size;
    }

    /** {@code __uint(name, N)} is {@code int (*name)[N]}: N is the array's element count. */
    private static int uint(Btf btf, BtfType.Member m, String ctx) {
        if (btf.type(m.type()) instanceof BtfType.Ptr p && btf.resolve(p.type()) instanceof BtfType.Array a) return a.nelems();
        throw new ObjectFormatException(ctx + ": member '" + m.name() + "' is not written __uint(" + m.name() + ", N)");
    }

    /** {@code __type(name, T)} is {@code T *name}: the pointee's type id. */
    private static int pointee(Btf btf, BtfType.Member m, String ctx) {
        if (btf.type(m.type()) instanceof BtfType.Ptr p) return p.type();
        throw new ObjectFormatException(ctx + ": member '" + m.name() + "' is not written __type(" + m.name() + ", T)");
    }

    private static int size(Btf btf, int type, String ctx, String what) {
        long s = btf.sizeOf(type);
        if (s < 0 || s > Integer.MAX_VALUE) throw new ObjectFormatException(ctx + ": the " + what + " type has no size");
        return (int) s;
    }

    /** Maps by name, in order. */
    static Map<String, ObjectMap> byName(List<ObjectMap> maps, String where) {
        Map<String, ObjectMap> out = new LinkedHashMap<>();
        for (ObjectMap m : maps)
            if (out.put(m.name(), m) != null) throw new ObjectFormatException(where + ": two maps called '" + m.name() + "'");
        return out;
    }
}
