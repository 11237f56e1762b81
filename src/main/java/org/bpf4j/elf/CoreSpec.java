package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.List;

/**
 * A CO-RE access path resolved in one BTF (libbpf's {@code bpf_core_spec}): the root type, the named members and
 * array indices reached (anonymous members are crossed but not kept), and the bit offset they add up to. Parsed
 * from the relocation's access string ({@code "0:1:2"}) in the program's BTF, then matched by name in a target BTF.
 */
final class CoreSpec {
    /** One turning point: a member {@code idx} of composite {@code typeId} named {@code name}, or an index (name null). */
    record Accessor(int typeId, int idx, String name) {}

    final Btf btf;
    final int rootId;
    final List<Accessor> accessors = new ArrayList<>();
    long bitOffset;

    private CoreSpec(Btf btf, int rootId) {
        this.btf = btf;
        this.rootId = rootId;
    }

    /** The last accessor (field and enum specs have one). */
    Accessor last() { return accessors.getLast(); }

    /** Parses {@code access} for {@code kind} on local type {@code typeId}; a message describes what is wrong. */
    static CoreSpec parse(Btf btf, int typeId, String access, CoreKind kind) {
        CoreSpec spec = new CoreSpec(btf, typeId);
        if (kind.typeBased()) {
            if (!access.equals("0")) throw new IllegalArgumentException("type relocation with access string '" + access + "'");
            return spec;
        }
        if (access.isEmpty() || access.startsWith(":")) throw new IllegalArgumentException("access string '" + access + "'");
        List<Integer> raw = new ArrayList<>();
        for (String part : access.split(":")) {
            try {
                int v = Integer.parseInt(part);
                if (v < 0) throw new NumberFormatException();
                raw.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("access string '" + access + "'");
            }
        }
        BtfType t = btf.resolve(typeId);
        int id = t.id();
        if (kind.enumBased()) {
            if (!(t instanceof BtfType.Enumeration e) || raw.size() > 1 || raw.getFirst() >= e.values().size())
                throw new IllegalArgumentException("enum relocation with access string '" + access + "' on " + describe(btf, typeId));
            spec.accessors.add(new Accessor(id, raw.getFirst(), e.values().get(raw.getFirst()).name()));
            return spec;
        }
        long size = btf.sizeOf(id);
        if (size < 0) throw new IllegalArgumentException(describe(btf, typeId) + " has no size");
        spec.accessors.add(new Accessor(id, raw.getFirst(), null));
        spec.bitOffset = raw.getFirst() * size * 8;
        for (int i = 1; i < raw.size(); i++) {
            t = btf.resolve(id);
            id = t.id();
            int idx = raw.get(i);
            if (t instanceof BtfType.Composite c) {
                if (idx >= c.members().size()) throw new IllegalArgumentException("member " + idx + " of " + describe(btf, id));
                BtfType.Member m = c.members().get(idx);
                spec.bitOffset += m.bitOffset();
                if (!m.name().isEmpty()) spec.accessors.add(new Accessor(id, idx, m.name()));
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                BtfType elem = btf.resolve(a.type());
                id = elem.id();
                if (a.nelems() != 0 && idx >= a.nelems())
                    throw new IllegalArgumentException("index " + idx + " past " + describe(btf, t.id()));
                spec.accessors.add(new Accessor(id, idx, null));
                long sz = btf.sizeOf(id);
                if (sz < 0) throw new IllegalArgumentException(describe(btf, id) + " has no size");
                spec.bitOffset += idx * sz * 8;
            } else {
                throw new IllegalArgumentException("access string '" + access + "' goes into " + describe(btf, id));
            }
        }
        return spec;
    }

    /**
     * Matches this (local, field or enum) spec against candidate {@code targetId} of {@code target}: the target spec,
     * or null when the candidate lacks a member or has an incompatible one.
     */
    CoreSpec match(Btf target, int targetId, CoreKind kind) {
        CoreSpec t = new CoreSpec(target, targetId);
        if (kind.enumBased()) {
            if (!(target.resolve(targetId) instanceof BtfType.Enumeration e)) return null;
            String want = essential(last().name());
            for (int i = 0; i < e.values().size(); i++) {
                if (essential(e.values().get(i).name()).equals(want)) {
                    t.accessors.add(new Accessor(e.id(), i, e.values().get(i).name()));
                    return t;
                }
            }
            return null;
        }
        int id = targetId;
        for (int i = 0; i < accessors.size(); i++) {
            Accessor local = accessors.get(i);
            BtfType tt = target.resolve(id);
            id = tt.id();
            if (local.name() != null) {
                int[] next = {0};
                if (!t.matchMember(this, local, id, next)) return null;
                id = next[0];
            } else {
                if (i > 0) {
                    if (!(tt instanceof BtfType.Array a)) return null;
                    if (a.nelems() != 0 && local.idx() >= a.nelems()) return null;
                    id = target.resolve(a.type()).id();
                }
                t.accessors.add(new Accessor(id, local.idx(), null));
                long sz = target.sizeOf(id);
                if (sz < 0) return null;
                t.bitOffset += local.idx() * sz * 8;
            }
        }
        return t;
    }

    /** The spec of a type relocation's candidate: only the root. */
    CoreSpec matchRoot(Btf target, int targetId) { return new CoreSpec(target, targetId); }

    /** Finds the local accessor's member by name in composite {@code id}, through anonymous members. */
    private boolean matchMember(CoreSpec local, Accessor acc, int id, int[] next) {
        if (!(btf.resolve(id) instanceof BtfType.Composite c)) return false;
        BtfType.Member want = ((BtfType.Composite) local.btf.type(acc.typeId())).members().get(acc.idx());
        for (int i = 0; i < c.members().size(); i++) {
            BtfType.Member m = c.members().get(i);
            bitOffset += m.bitOffset();
            if (m.name().isEmpty()) {
                if (matchMember(local, acc, m.type(), next)) return true;
            } else if (m.name().equals(want.name())) {
                accessors.add(new Accessor(c.id(), i, m.name()));
                next[0] = m.type();
                if (fieldsCompatible(local.btf, want.type(), btf, m.type())) return true;
                accessors.removeLast();
                bitOffset -= m.bitOffset();
                return false;
            }
            bitOffset -= m.bitOffset();
        }
        return false;
    }

    /** libbpf's field compatibility: composites match any composite, scalars by kind, enums by name. */
    static boolean fieldsCompatible(Btf lb, int lid, Btf tb, int tid) {
        for (int depth = 0; depth < 32; depth++) {
            BtfType l = lb.resolve(lid), t = tb.resolve(tid);
            if (l instanceof BtfType.Composite && t instanceof BtfType.Composite) return true;
            if (!kindsCompatible(l, t)) return false;
            switch (l) {
                case BtfType.Ptr p -> { return true; }
                case BtfType.Float f -> { return true; }
                case BtfType.Fwd f -> { return namesCompatible(l.name(), t.name()); }
                case BtfType.Enumeration e -> { return namesCompatible(l.name(), t.name()); }
                case BtfType.Int i -> { return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0; }
                case BtfType.Array a -> {
                    lid = a.type();
                    tid = ((BtfType.Array) t).type();
                }
                default -> { return false; }
            }
        }
        return false;
    }

    /** libbpf's type compatibility for type relocations: same kinds down through pointers, arrays and prototypes. */
    static boolean typesCompatible(Btf lb, int lid, Btf tb, int tid, int level) {
        if (!kindsCompatible(lb.type(lid), tb.type(tid))) return false;
        for (int depth = 0; depth < 32; depth++) {
            BtfType l = lb.resolve(lid), t = tb.resolve(tid);
            if (!kindsCompatible(l, t)) return false;
            switch (l) {
                case BtfType.Void v -> { return true; }
                case BtfType.Composite c -> { return true; }
                case BtfType.Enumeration e -> { return true; }
                case BtfType.Fwd f -> { return true; }
                case BtfType.Int i -> { return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0; }
                case BtfType.Ptr p -> {
                    lid = p.type();
                    tid = ((BtfType.Ptr) t).type();
                }
                case BtfType.Array a -> {
                    lid = a.type();
                    tid = ((BtfType.Array) t).type();
                }
                case BtfType.FuncProto lp -> {
                    BtfType.FuncProto tp = (BtfType.FuncProto) t;
                    if (lp.params().size() != tp.params().size() || level <= 0) return false;
                    for (int i = 0; i < lp.params().size(); i++)
                        if (!typesCompatible(lb, lb.resolve(lp.params().get(i).type()).id(), tb,
                                tb.resolve(tp.params().get(i).type()).id(), level - 1)) return false;
                    lid = lp.returnType();
                    tid = tp.returnType();
                }
                default -> { return false; }
            }
        }
        return false;
    }

    /**
     * A stricter check for {@code bpf_core_type_matches}: as {@link #typesCompatible}, and every member or enumerator
     * of a local composite or enum exists by name in the target, integers agree in size and signedness.
     */
    static boolean typesMatch(Btf lb, int lid, Btf tb, int tid, int level) {
        if (level <= 0) return false;
        BtfType l0 = lb.type(lid), t0 = tb.type(tid);
        if (!l0.name().isEmpty() && !namesCompatible(l0.name(), t0.name())) return false;
        BtfType l = lb.resolve(lid), t = tb.resolve(tid);
        if (!kindsCompatible(l, t)) return false;
        return switch (l) {
            case BtfType.Void v -> true;
            case BtfType.Fwd f -> f.union() == ((BtfType.Fwd) t).union();
            case BtfType.Int i -> i.size() == ((BtfType.Int) t).size() && i.signed() == ((BtfType.Int) t).signed();
            case BtfType.Float f -> f.size() == ((BtfType.Float) t).size();
            case BtfType.Ptr p -> typesMatch(lb, p.type(), tb, ((BtfType.Ptr) t).type(), level - 1);
            case BtfType.Array a -> a.nelems() == ((BtfType.Array) t).nelems()
                    && typesMatch(lb, a.type(), tb, ((BtfType.Array) t).type(), level - 1);
            case BtfType.Enumeration e -> {
                BtfType.Enumeration te = (BtfType.Enumeration) t;
                if (e.size() != te.size()) yield false;
                for (BtfType.EnumValue v : e.values())
                    if (te.values().stream().noneMatch(w -> essential(w.name()).equals(essential(v.name())))) yield false;
                yield true;
            }
            case BtfType.Composite c -> {
                if (c.kind() != t.kind()) yield false;
                BtfType.Composite tc = (BtfType.Composite) t;
                for (BtfType.Member m : c.members()) {
                    BtfType.Member tm = tc.members().stream().filter(x -> x.name().equals(m.name())).findFirst().orElse(null);
                    if (tm == null || !typesMatch(lb, m.type(), tb, tm.type(), level - 1)) yield false;
                }
                yield true;
            }
            case BtfType.FuncProto lp -> typesCompatible(lb, lid, tb, tid, level);
            default -> false;
        };
    }

    /** Same kind, or both enums (32- and 64-bit). */
    static boolean kindsCompatible(BtfType a, BtfType b) {
        return a.kind() == b.kind() || (a instanceof BtfType.Enumeration && b instanceof BtfType.Enumeration);
    }

    private static boolean namesCompatible(String a, String b) {
        String ea = essential(a), eb = essential(b);
        return ea.isEmpty() || eb.isEmpty() || ea.equals(eb);
    }

    /** A name without its flavour: {@code task_struct___old} is {@code task_struct}. */
    static String essential(String name) {
        for (int i = name.length() - 5; i >= 0; i--) {
            if (name.charAt(i) != '_' && name.charAt(i + 1) == '_' && name.charAt(i + 2) == '_'
                    && name.charAt(i + 3) == '_' && name.charAt(i + 4) != '_')
                return name.substring(0, i + 1);
        }
        return name;
    }

    static String describe(Btf btf, int id) {
        BtfType t = btf.type(id);
        return "[" + id + "] " + t.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + (t.name().isEmpty() ? "<anon>" : t.name());
    }
}
