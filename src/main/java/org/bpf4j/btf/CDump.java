package org.bpf4j.btf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BTF as C declarations: a {@code vmlinux.h} that a C compiler accepts, in the order and layout of bpftool's
 * {@code btf dump file X format c} (libbpf's btf_dump). Types are ordered so that every type is defined before it
 * is embedded; types only reached through pointers get forward declarations; explicit padding members
 * ({@code long: 64;}) and {@code __attribute__((packed))} reproduce each struct's layout.
 */
public final class CDump {
    private enum Order { NONE, ORDERING, ORDERED }
    private enum Emit { NOT_EMITTED, EMITTING, EMITTED }

    private final Btf btf;
    private final StringBuilder out;
    private final Order[] order;
    private final Emit[] emit;
    private final boolean[] fwdEmitted, referenced, nameResolved;
    private final String[] cachedNames;
    private final Map<String, Integer> typeNames = new HashMap<>(), identNames = new HashMap<>();
    private final List<Integer> queue = new ArrayList<>();
    private final int ptrSize;

    private CDump(Btf btf, StringBuilder out) {
        this(btf, out, true);
    }

    /** {@code whole}: the dump may order anonymous enums, which needs every type read (markReferenced). */
    private CDump(Btf btf, StringBuilder out, boolean whole) {
        this.btf = btf;
        this.out = out;
        int n = btf.typeCount();
        order = new Order[n];
        emit = new Emit[n];
        java.util.Arrays.fill(order, Order.NONE);
        java.util.Arrays.fill(emit, Emit.NOT_EMITTED);
        fwdEmitted = new boolean[n];
        referenced = new boolean[n];
        nameResolved = new boolean[n];
        cachedNames = new String[n];
        ptrSize = btf.pointerSize();
        // void and the base's types need no definition here
        order[0] = Order.ORDERED;
        emit[0] = Emit.EMITTED;
        int from = btf.base() == null ? 1 : btf.base().typeCount();
        for (int id = 1; id < from; id++) {
            order[id] = Order.ORDERED;
            emit[id] = Emit.EMITTED;
        }
        if (whole) markReferenced(from);
    }

    /** Writes a whole header for every type of {@code btf}, with bpftool's include guard and pragmas. */
    public static void header(Btf btf, Appendable sink) {
        StringBuilder sb = new StringBuilder(1 << 16);
        CDump d = new CDump(btf, sb);
        try {
            sink.append("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                    + "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n");
            int from = btf.base() == null ? 1 : btf.base().typeCount();
            for (int id = from; id < btf.typeCount(); id++) {
                d.dumpType(id);
                if (sb.length() > (1 << 15)) {
                    sink.append(sb);
                    sb.setLength(0);
                }
            }
            sink.append(sb);
            sink.append("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The C definitions {@code id} needs and its own, as a header would contain them (no guard). */
    public static String definitions(Btf btf, int... ids) {
        StringBuilder sb = new StringBuilder();
        CDump d = new CDump(btf, sb);
        for (int id : ids) d.dumpType(id);
        return sb.toString();
    }

    /**
     * The C definition of the struct, union or enum {@code id} alone, without the definitions it needs before it
     * (what {@code trace -lv 'struct NAME'} shows): only the types it names are read, not the whole BTF.
     */
    public static String definition(Btf btf, int id) {
        StringBuilder sb = new StringBuilder();
        CDump d = new CDump(btf, sb, false);
        switch (btf.type(id)) {
            case BtfType.Composite c -> d.emitStructDef(c, 0);
            case BtfType.Enumeration e -> d.emitEnumDef(e, 0);
            default -> throw new IllegalArgumentException("BTF type " + id + " is not a struct, union or enum");
        }
        return sb.append(";").toString();
    }

    /** A C declaration of {@code name} with type {@code id}, e.g. {@code "struct task_struct *p"}. */
    public static String declaration(Btf btf, int id, String name) {
        StringBuilder sb = new StringBuilder();
        new CDump(btf, sb).emitTypeDecl(id, name, 0);
        return sb.toString();
    }

    private void dumpType(int id) {
        queue.clear();
        orderType(id, false);
        for (int q : queue) emitType(q, 0);
    }

    private void markReferenced(int from) {
        for (int id = from; id < btf.typeCount(); id++) {
            switch (btf.type(id)) {
                case BtfType.Array a -> {
                    referenced[a.indexType()] = true;
                    referenced[a.type()] = true;
                }
                case BtfType.Ref r -> referenced[r.type()] = true;
                case BtfType.Composite c -> c.members().forEach(m -> referenced[m.type()] = true);
                case BtfType.FuncProto f -> f.params().forEach(p -> referenced[p.type()] = true);
                case BtfType.Datasec d -> d.vars().forEach(v -> referenced[v.type()] = true);
                default -> { }
            }
        }
    }

    /** libbpf's btf_dump_order_type: queues the named definitions {@code id} needs; returns whether it is a strong link. */
    private int orderType(int id, boolean throughPtr) {
        if (order[id] == Order.ORDERED) return 1;
        BtfType t = btf.type(id);
        if (order[id] == Order.ORDERING) {
            if (t instanceof BtfType.Composite && throughPtr && !t.name().isEmpty()) return 0;
            throw new BtfFormatException("BTF type " + id + ": unsatisfiable type cycle");
        }
        switch (t) {
            case BtfType.Int i -> {
                order[id] = Order.ORDERED;
                return 0;
            }
            case BtfType.Float f -> {
                order[id] = Order.ORDERED;
                return 0;
            }
            case BtfType.Ptr p -> {
                int r = orderType(p.type(), true);
                order[id] = Order.ORDERED;
                return r;
            }
            case BtfType.Array a -> { return orderType(a.type(), false); }
            case BtfType.Composite c -> {
                if (throughPtr && !c.name().isEmpty()) return 0;
                order[id] = Order.ORDERING;
                for (BtfType.Member m : c.members()) orderType(m.type(), false);
                if (!c.name().isEmpty()) queue.add(id);
                order[id] = Order.ORDERED;
                return 1;
            }
            case BtfType.Enumeration e -> {
                if (!e.name().isEmpty() || !referenced[id]) queue.add(id);
                order[id] = Order.ORDERED;
                return 1;
            }
            case BtfType.Fwd f -> {
                queue.add(id);
                order[id] = Order.ORDERED;
                return 1;
            }
            case BtfType.Typedef td -> {
                int strong = orderType(td.type(), throughPtr);
                if (throughPtr && strong == 0) return 0;
                queue.add(id);
                order[id] = Order.ORDERED;
                return 1;
            }
            case BtfType.Volatile r -> { return orderType(r.type(), throughPtr); }
            case BtfType.Const r -> { return orderType(r.type(), throughPtr); }
            case BtfType.Restrict r -> { return orderType(r.type(), throughPtr); }
            case BtfType.TypeTag r -> { return orderType(r.type(), throughPtr); }
            case BtfType.FuncProto f -> {
                boolean strong = orderType(f.returnType(), throughPtr) > 0;
                for (BtfType.Param p : f.params()) if (orderType(p.type(), throughPtr) > 0) strong = true;
                return strong ? 1 : 0;
            }
            default -> {
                order[id] = Order.ORDERED;
                return 0;
            }
        }
    }

    /** libbpf's btf_dump_emit_type: emits {@code id}'s definition after what it depends on. */
    private void emitType(int id, int contId) {
        boolean topLevel = contId == 0;
        if (emit[id] == Emit.EMITTED) return;
        BtfType t = btf.type(id);
        if (emit[id] == Emit.EMITTING) {
            if (fwdEmitted[id]) return;
            if (t instanceof BtfType.Composite c) {
                if (id == contId) return;
                if (c.name().isEmpty()) return; // anonymous struct/union loop: nothing C can say
                emitStructFwd(c);
                out.append(";\n\n");
                fwdEmitted[id] = true;
            } else if (t instanceof BtfType.Typedef td) {
                if (!blacklisted(td)) {
                    emitTypedefDef(td, 0);
                    out.append(";\n\n");
                }
                fwdEmitted[id] = true;
            }
            return;
        }
        switch (t) {
            case BtfType.Int i -> emit[id] = Emit.EMITTED;
            case BtfType.Enumeration e -> {
                if (topLevel) {
                    emitEnumDef(e, 0);
                    out.append(";\n\n");
                }
                emit[id] = Emit.EMITTED;
            }
            case BtfType.Ptr p -> emitType(p.type(), contId);
            case BtfType.Volatile r -> emitType(r.type(), contId);
            case BtfType.Const r -> emitType(r.type(), contId);
            case BtfType.Restrict r -> emitType(r.type(), contId);
            case BtfType.TypeTag r -> emitType(r.type(), contId);
            case BtfType.Array a -> emitType(a.type(), contId);
            case BtfType.Fwd f -> {
                emitFwdDef(f);
                out.append(";\n\n");
                emit[id] = Emit.EMITTED;
            }
            case BtfType.Typedef td -> {
                emit[id] = Emit.EMITTING;
                emitType(td.type(), id);
                if (!fwdEmitted[id] && !blacklisted(td)) {
                    emitTypedefDef(td, 0);
                    out.append(";\n\n");
                }
                emit[id] = Emit.EMITTED;
            }
            case BtfType.Composite c -> {
                emit[id] = Emit.EMITTING;
                if (topLevel || c.name().isEmpty()) {
                    int newCont = c.name().isEmpty() ? contId : id;
                    for (BtfType.Member m : c.members()) emitType(m.type(), newCont);
                } else if (!fwdEmitted[id] && id != contId) {
                    emitStructFwd(c);
                    out.append(";\n\n");
                    fwdEmitted[id] = true;
                }
                if (topLevel) {
                    emitStructDef(c, 0);
                    out.append(";\n\n");
                    emit[id] = Emit.EMITTED;
                } else {
                    emit[id] = Emit.NOT_EMITTED;
                }
            }
            case BtfType.FuncProto f -> {
                emitType(f.returnType(), contId);
                for (BtfType.Param p : f.params()) emitType(p.type(), contId);
            }
            default -> { }
        }
    }

    private static boolean blacklisted(BtfType t) {
        return t.name().equals("__builtin_va_list");
    }

    private String resolveName(BtfType t, Map<String, Integer> names) {
        int id = t.id();
        if (t.name().isEmpty()) return "";
        if (nameResolved[id]) return cachedNames[id] != null ? cachedNames[id] : t.name();
        nameResolved[id] = true;
        if (t instanceof BtfType.Fwd || (t instanceof BtfType.Enum e && e.values().isEmpty())) return t.name();
        int dups = names.merge(t.name(), 1, Integer::sum);
        if (dups > 1) cachedNames[id] = t.name() + "___" + dups;
        return cachedNames[id] != null ? cachedNames[id] : t.name();
    }

    private String typeName(BtfType t) { return resolveName(t, typeNames); }

    private String identName(BtfType t) { return resolveName(t, identNames); }

    private static String pfx(int lvl) { return "\t".repeat(Math.min(lvl, 13)); }

    private void emitStructFwd(BtfType.Composite c) {
        out.append(c instanceof BtfType.Struct ? "struct" : "union").append(c.name().isEmpty() ? "" : " ").append(typeName(c));
    }

    private void emitFwdDef(BtfType.Fwd f) {
        out.append(f.union() ? "union " : "struct ").append(typeName(f));
    }

    private void emitTypedefDef(BtfType.Typedef td, int lvl) {
        String name = identName(td);
        if (td.type() == 0 && name.equals("__gnuc_va_list")) {
            out.append("typedef __builtin_va_list __gnuc_va_list");
            return;
        }
        out.append("typedef ");
        emitTypeDecl(td.type(), name, lvl);
    }

    private void emitEnumFwd(BtfType.Enumeration e) {
        out.append("enum ").append(typeName(e));
    }

    private void emitEnumDef(BtfType.Enumeration e, int lvl) {
        out.append("enum").append(e.name().isEmpty() ? "" : " ").append(typeName(e));
        if (e.values().isEmpty()) return;
        out.append(" {");
        boolean wide = e instanceof BtfType.Enum64;
        for (BtfType.EnumValue v : e.values()) {
            int dups = identNames.merge(v.name(), 1, Integer::sum);
            out.append('\n').append(pfx(lvl + 1)).append(v.name());
            if (dups > 1) out.append("___").append(dups);
            out.append(" = ").append(e.signed() ? Long.toString(v.value())
                    : wide ? Long.toUnsignedString(v.value()) : Long.toString(v.value() & 0xffffffffL));
            if (wide) out.append(e.signed() ? "LL" : "ULL");
            out.append(',');
        }
        out.append('\n').append(pfx(lvl)).append('}');
        if (e.size() == 1) {
            out.append(" __attribute__((mode(byte)))");
        } else if (e.size() == 8 && ptrSize == 8) {
            boolean wordMode = true;
            if (wide) for (BtfType.EnumValue v : e.values()) if ((v.value() >>> 32) != 0) { wordMode = false; break; }
            if (wordMode) out.append(" __attribute__((mode(word)))");
        }
    }

    /**
     * A struct or union needs {@code __attribute__((packed))} when a member that is not a bitfield sits at an
     * offset its type's alignment does not allow, or when its size is not a multiple of its members' largest
     * alignment (6.12's 18-byte union ec_response_get_next_data_v3 holds a u64 array).
     */
    private boolean isPacked(BtfType.Composite s) {
        int max = 1;
        for (BtfType.Member m : s.members()) {
            int a = btf.alignOf(m.type());
            if (a != 0 && m.bitfieldSize() == 0 && m.bitOffset() % (8 * a) != 0) return true;
            max = Math.max(max, a);
        }
        return s.size() % max != 0;
    }

    private void emitStructDef(BtfType.Composite c, int lvl) {
        boolean isStruct = c instanceof BtfType.Struct;
        boolean packed = isPacked(c);
        out.append(isStruct ? "struct" : "union").append(c.name().isEmpty() ? "" : " ").append(typeName(c)).append(" {");
        long off = 0;
        boolean prevBitfield = false;
        for (BtfType.Member m : c.members()) {
            int align = packed ? 1 : btf.alignOf(m.type());
            boolean inBitfield = prevBitfield && m.bitfieldSize() != 0;
            emitBitPadding(off, m.bitOffset(), align, inBitfield, lvl + 1);
            out.append('\n').append(pfx(lvl + 1));
            emitTypeDecl(m.type(), m.name(), lvl + 1);
            if (m.bitfieldSize() != 0) {
                out.append(": ").append(m.bitfieldSize());
                off = m.bitOffset() + (long) m.bitfieldSize();
                prevBitfield = true;
            } else {
                off = m.bitOffset() + Math.max(0, btf.sizeOf(m.type())) * 8;
                prevBitfield = false;
            }
            out.append(';');
        }
        if (isStruct) emitBitPadding(off, c.size() * 8L, packed ? 1 : btf.alignOf(c.id()), false, lvl + 1);
        if (!c.members().isEmpty() || c.size() != 0) {
            out.append('\n').append(pfx(lvl)).append('}');
        } else {
            out.append('}');
        }
        if (packed) out.append(" __attribute__((packed))");
    }

    /**
     * Explicit padding (libbpf's btf_dump_emit_bit_padding): the widest of long, int, short, char whose natural
     * alignment lands at or before the next member starts the gap ({@code long: 0;} forces that alignment where the
     * compiler would not), then full-width markers, then one smaller marker for the rest.
     */
    private void emitBitPadding(long curOff, long nextOff, int nextAlign, boolean inBitfield, int lvl) {
        if (curOff >= nextOff) return;
        // one "long: 64;" line per 8 bytes of a gap: a gap of megabytes (a fuzzed size) would write gigabytes
        if (nextOff - curOff > MAX_PADDING_BITS)
            throw new BtfFormatException("a gap of " + (nextOff - curOff) / 8 + " bytes between members at byte " + curOff / 8
                    + ", more than a C header pads (" + MAX_PADDING_BITS / 8 + ")");
        String[] names = {"long", "int", "short", "char"};
        int[] widths = {ptrSize * 8, 32, 16, 8};
        int padBits = 8;
        String padType = "char";
        long newOff = curOff;
        for (int i = 0; i < names.length; i++) {
            padBits = widths[i];
            padType = names[i];
            newOff = roundUp(curOff, padBits);
            if (newOff <= nextOff) break;
        }
        if (newOff > curOff && newOff <= nextOff) {
            if (inBitfield || (newOff == nextOff && roundUp(curOff, nextAlign * 8L) != newOff)
                    || (newOff != nextOff && nextOff - newOff <= newOff - curOff))
                out.append('\n').append(pfx(lvl)).append(padType).append(": ").append(inBitfield ? newOff - curOff : 0).append(';');
            curOff = newOff;
        }
        while (curOff != nextOff) {
            long bits = Math.min(nextOff - curOff, padBits);
            if (bits == padBits) {
                out.append('\n').append(pfx(lvl)).append(padType).append(": ").append(padBits).append(';');
                curOff += bits;
                continue;
            }
            for (int i = names.length - 1; i >= 0; i--) {
                if (widths[i] < bits) continue;
                out.append('\n').append(pfx(lvl)).append(names[i]).append(": ").append(bits).append(';');
                curOff += bits;
                break;
            }
        }
    }

    /** The widest gap padded with bitfield markers: 64 KiB, far above any in a kernel's BTF. */
    private static final long MAX_PADDING_BITS = 8L << 16;

    private static long roundUp(long x, long to) {
        return to <= 0 ? x : (x + to - 1) / to * to;
    }

    // ---- declarations: a type chain printed inside out, as C's declarator syntax needs ----

    private void emitTypeDecl(int id, String fname, int lvl) {
        List<Integer> stack = new ArrayList<>();
        pushDeclStack(stack, id);
        emitTypeChain(stack, fname, lvl);
    }

    private void pushDeclStack(List<Integer> stack, int id) {
        while (true) {
            stack.add(id);
            BtfType t = btf.type(id);
            switch (t) {
                case BtfType.Array a -> id = a.type();
                case BtfType.Ptr r -> id = r.type();
                case BtfType.Volatile r -> id = r.type();
                case BtfType.Const r -> id = r.type();
                case BtfType.Restrict r -> id = r.type();
                case BtfType.TypeTag r -> id = r.type();
                case BtfType.FuncProto f -> id = f.returnType();
                default -> { return; }
            }
        }
    }

    private static boolean isMod(BtfType t) {
        return t instanceof BtfType.Volatile || t instanceof BtfType.Const || t instanceof BtfType.Restrict;
    }

    private void emitMods(List<Integer> decls) {
        while (!decls.isEmpty()) {
            BtfType t = btf.type(decls.getLast());
            switch (t) {
                case BtfType.Volatile v -> out.append("volatile ");
                case BtfType.Const c -> out.append("const ");
                case BtfType.Restrict r -> out.append("restrict ");
                default -> { return; }
            }
            decls.removeLast();
        }
    }

    private void dropMods(List<Integer> decls) {
        while (!decls.isEmpty() && isMod(btf.type(decls.getLast()))) decls.removeLast();
    }

    private void emitName(String name, boolean lastWasPtr) {
        if (!name.isEmpty() && !lastWasPtr) out.append(' ');
        out.append(name);
    }

    private void emitTypeChain(List<Integer> decls, String fname, int lvl) {
        boolean lastWasPtr = true;
        while (!decls.isEmpty()) {
            int id = decls.removeLast();
            if (id == 0) {
                emitMods(decls);
                out.append("void");
                lastWasPtr = false;
                continue;
            }
            BtfType t = btf.type(id);
            switch (t) {
                case BtfType.Int i -> {
                    emitMods(decls);
                    out.append(i.name());
                }
                case BtfType.Float f -> {
                    emitMods(decls);
                    out.append(f.name());
                }
                case BtfType.Composite c -> {
                    emitMods(decls);
                    if (c.name().isEmpty()) emitStructDef(c, lvl);
                    else emitStructFwd(c);
                }
                case BtfType.Enumeration e -> {
                    emitMods(decls);
                    if (e.name().isEmpty()) emitEnumDef(e, lvl);
                    else emitEnumFwd(e);
                }
                case BtfType.Fwd f -> {
                    emitMods(decls);
                    emitFwdDef(f);
                }
                case BtfType.Typedef td -> {
                    emitMods(decls);
                    out.append(identName(td));
                }
                case BtfType.Ptr p -> out.append(lastWasPtr ? "*" : " *");
                case BtfType.Volatile v -> out.append(" volatile");
                case BtfType.Const c -> out.append(" const");
                case BtfType.Restrict r -> out.append(" restrict");
                case BtfType.TypeTag tt -> {
                    emitMods(decls);
                    out.append(" __attribute__((btf_type_tag(\"").append(tt.name()).append("\")))");
                }
                case BtfType.Array a -> {
                    dropMods(decls);
                    if (decls.isEmpty()) {
                        emitName(fname, lastWasPtr);
                        out.append('[').append(Integer.toUnsignedString(a.nelems())).append(']');
                        return;
                    }
                    boolean multidim = btf.type(decls.getLast()) instanceof BtfType.Array;
                    if (!fname.isEmpty() && !lastWasPtr) out.append(' ');
                    if (!multidim) out.append('(');
                    emitTypeChain(decls, fname, lvl);
                    if (!multidim) out.append(')');
                    out.append('[').append(Integer.toUnsignedString(a.nelems())).append(']');
                    return;
                }
                case BtfType.FuncProto f -> {
                    dropMods(decls);
                    if (!decls.isEmpty()) {
                        out.append(" (");
                        emitTypeChain(decls, fname, lvl);
                        out.append(')');
                    } else {
                        emitName(fname, lastWasPtr);
                    }
                    out.append('(');
                    List<BtfType.Param> ps = f.params();
                    if (ps.isEmpty() || (ps.size() == 1 && ps.getFirst().type() == 0)) {
                        out.append("void)");
                        return;
                    }
                    for (int i = 0; i < ps.size(); i++) {
                        if (i > 0) out.append(", ");
                        if (i == ps.size() - 1 && ps.get(i).type() == 0) {
                            out.append("...");
                            break;
                        }
                        emitTypeDecl(ps.get(i).type(), "", lvl);
                    }
                    out.append(')');
                    return;
                }
                default -> {
                    return;
                }
            }
            lastWasPtr = t instanceof BtfType.Ptr;
        }
        emitName(fname, lastWasPtr);
    }
}
