package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.CStruct;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.TypeName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * C types: the integer type names scripts use ({@code int8}, {@code unsigned long}, {@code uint32_t}), and the
 * layouts of the structs and unions a script defines, computed with the x86-64 System V rules (natural
 * alignment; bit-fields packed into units of their declared type).
 */
public final class CTypes {
    private final Source source;
    private final Map<String, Type.Record> records = new HashMap<>();
    private final BtfTypes btf = new BtfTypes(org.bpf4j.btf.Btf::vmlinux);
    private final Enums enums;

    CTypes(Source source, List<CStruct> structs) { this(source, structs, List.of()); }

    CTypes(Source source, List<CStruct> structs, List<org.bpf4j.lang.syntax.CEnum> enums) {
        this.source = source;
        this.enums = new Enums(source, enums);
        for (CStruct s : structs) {
            if (records.containsKey(s.fullName())) throw new SemanticError(source, s.span(), s.fullName() + " is defined twice");
            records.put(s.fullName(), layout(s));
        }
    }

    /** The record called {@code fullName} ({@code struct Foo}): the script's own, else the kernel's (BTF), or null. */
    public Type.Record record(String fullName) {
        Type.Record r = records.get(fullName);
        return r != null ? r : btf.record(fullName).orElse(null);
    }

    /** The arguments of kernel function {@code name} as kfunc/kretfunc's {@code args} (from BTF), if it has one. */
    public Optional<Type.Record> functionArgs(String name) { return btf.functionArgs(name); }

    /** The arguments of raw tracepoint {@code event}, from the kernel's BTF, if it has them. */
    public Optional<Type.Record> rawTracepointArgs(String event) { return btf.rawTracepointArgs(event); }

    /** The script's enumerator {@code name} (its value and enum type), or null. */
    Enums.Constant scriptEnumerator(String name) { return enums.enumerator(name); }

    /** The type of a tracepoint field declared {@code enum NAME}: the kernel's enum of that name (BTF), if any. */
    public Optional<Type.Int> kernelEnum(String fullName) { return btf.enumType(fullName.substring(fullName.indexOf(' ') + 1)); }

    /** The value of the kernel's enumerator {@code name} (from BTF), if there is one. */
    public Optional<Long> enumerator(String name) { return btf.enumerator(name); }

    /** The kernel's per-CPU variable {@code name} (its BTF VAR id and value type, from vmlinux BTF), if there is one. */
    Optional<BtfTypes.KernelVar> percpuVariable(String name) { return btf.percpuVariable(name); }

    /** The complete record behind a kernel struct a pointer names (pointers to kernel structs are stubs until used). */
    public Type.Record full(Type.Record r) {
        if (records.containsKey(r.name()) || !r.fields().isEmpty()) return r;
        return btf.full(r);
    }


    /**
     * {@code offsetof(TYPE, a.b)}: the offset of field {@code a.b} in the record TYPE names ({@code struct Foo}, or a
     * bare name as v0.26 takes it: {@code qspinlock} is the struct or the union of that name).
     */
    public long offsetof(org.bpf4j.lang.syntax.Expr.Offsetof o) {
        String n = o.type().base();
        Type.Record r = o.type().pointers() > 0 ? null : n.startsWith("struct ") || n.startsWith("union ") ? record(n)
                : record("struct " + n) != null ? record("struct " + n) : record("union " + n);
        if (r == null) throw new SemanticError(source, o.type().span(), "offsetof: '" + n + "' is not a struct or union");
        long off = 0;
        for (String f : o.fields()) {
            Type.Field fd = full(r).field(f);
            if (fd == null) throw new SemanticError(source, o.span(), "offsetof: '" + r.describe() + "' has no field named '" + f + "'");
            off += fd.offset();
            if (f.equals(o.fields().getLast())) break;
            if (!(fd.type() instanceof Type.Record inner))
                throw new SemanticError(source, o.span(), "offsetof: field '" + f + "' of '" + r.describe() + "' is not a struct or union");
            r = inner;
        }
        return off;
    }

    /** The type a cast or sizeof names; a {@link SemanticError} for an unknown one. */
    public Type resolve(TypeName name) {
        Type base = base(name.base(), name.span());
        Type t = base;
        for (int i = 0; i < name.pointers(); i++) t = new Type.Ptr(t, false);
        if (t instanceof Type.None) throw new SemanticError(source, name.span(), "cannot use type 'void' here");
        if (name.length() > 0) t = new Type.Array(t, name.length());
        return t;
    }

    private Type base(String name, Span at) {
        if (name.startsWith("struct ") || name.startsWith("union ")) {
            Type.Record r = record(name);
            if (r == null) throw new SemanticError(source, at, "unknown type '" + name + "' (not defined in the script, nor in the kernel's BTF)");
            return r;
        }
        if (name.startsWith("enum ")) { // the script's enum, else the kernel's
            Type.Int e = enums.type(name);
            if (e == null) e = kernelEnum(name).orElse(null);
            if (e == null) throw new SemanticError(source, at, "unknown type '" + name + "' (not defined in the script, nor in the kernel's BTF)");
            return e;
        }
        Type t = integer(name);
        if (t == null) throw new SemanticError(source, at, "unknown type '" + name + "'");
        return t;
    }

    /** The integer type a C or bpftrace type name means, {@link Type#NONE} for void, or null. */
    static Type integer(String name) {
        String n = name.replace("const ", "").replace("volatile ", "").strip();
        if (n.startsWith("signed ")) n = "s " + n.substring(7);
        return switch (n) {
            case "int8", "int8_t", "s8", "char", "s char", "__s8" -> new Type.Int(1, true);
            case "uint8", "uint8_t", "u8", "unsigned char", "__u8", "_Bool" -> new Type.Int(1, false);
            case "bool" -> Type.BOOL;
            case "int16", "int16_t", "s16", "short", "short int", "s short", "__s16" -> new Type.Int(2, true);
            case "uint16", "uint16_t", "u16", "unsigned short", "unsigned short int", "__u16" -> new Type.Int(2, false);
            case "int32", "int32_t", "s32", "int", "s", "s int", "__s32", "pid_t" -> new Type.Int(4, true);
            case "uint32", "uint32_t", "u32", "unsigned", "unsigned int", "__u32" -> new Type.Int(4, false);
            case "int64", "int64_t", "s64", "long", "long int", "long long", "long long int", "s long", "__s64",
                 "ssize_t", "loff_t" -> new Type.Int(8, true);
            case "uint64", "uint64_t", "u64", "unsigned long", "unsigned long int", "unsigned long long",
                 "unsigned long long int", "__u64", "size_t" -> new Type.Int(8, false);
            case "void" -> Type.NONE;
            default -> null;
        };
    }

    /**
     * The C layout of {@code s}, as GCC and clang lay it out on x86-64: a bit-field goes at the next free bit unless
     * it would cross a boundary of its type's size, then at that boundary (so fields of different types share a
     * storage unit, as in {@code short a:4; int b:9;}); it is read as its type's unit around it.
     */
    private Type.Record layout(CStruct s) {
        List<Type.Field> fields = new ArrayList<>();
        int align = 1, size = 0;
        int bits = 0; // the end of the last member, in bits from the start
        for (CStruct.Member m : s.fields()) {
            Type t = memberType(m);
            if (m.bits() > 0 && t instanceof Type.Int it && !s.union()) {
                int unitBits = it.size() * 8, p = bits;
                if (p / unitBits != (p + m.bits() - 1) / unitBits) p = Type.roundUp(p, unitBits);
                int unit = p / unitBits * it.size();
                fields.add(new Type.Field(m.name(), it, unit, p - unit * 8, m.bits(), false));
                bits = p + m.bits();
                if (!s.packed()) align = Math.max(align, it.size());
                size = Math.max(size, (bits + 7) / 8);
                continue;
            }
            int offset = (bits + 7) / 8;
            int at = s.union() ? 0 : s.packed() ? offset : Type.roundUp(offset, t.align());
            if (m.name().isEmpty() && t instanceof Type.Record inner) {
                for (Type.Field f : inner.fields())
                    fields.add(new Type.Field(f.name(), f.type(), at + f.offset(), f.bitOffset(), f.bits(), false));
            } else {
                fields.add(new Type.Field(m.name(), t, at, 0, 0, false));
            }
            if (!s.union()) bits = (at + t.size()) * 8;
            size = Math.max(size, at + t.size());
            align = Math.max(align, t.align());
        }
        if (s.packed()) align = 1;
        if (s.aligned() > 0) align = s.packed() ? s.aligned() : Math.max(align, s.aligned());
        return new Type.Record(s.fullName(), fields, Type.roundUp(Math.max(size, 0), align), align, false);
    }

    private Type memberType(CStruct.Member m) {
        Type t;
        if (m.nested() != null) {
            t = layout(m.nested());
        } else if (m.type().startsWith("struct ") || m.type().startsWith("union ")) {
            Type.Record r = records.get(m.type());
            if (r == null) r = m.pointers() > 0 ? new Type.Record(m.type(), List.of(), 0, 8, false) : btf.record(m.type()).orElse(null);
            if (r == null) throw new SemanticError(source, m.span(), "unknown type '" + m.type() + "'");
            t = r;
        } else {
            t = integer(m.type());
            if (t == null) throw new SemanticError(source, m.span(), "unknown type '" + m.type() + "'");
        }
        for (int i = 0; i < m.pointers(); i++) t = new Type.Ptr(t, false);
        if (t instanceof Type.None) throw new SemanticError(source, m.span(), "member '" + m.name() + "' cannot be void");
        List<Integer> dims = m.dims();
        for (int i = dims.size() - 1; i >= 0; i--) {
            boolean chars = t instanceof Type.Int it && it.size() == 1 && it.signed() && i == dims.size() - 1
                    && m.pointers() == 0 && (m.type().equals("char") || m.type().equals("signed char"));
            t = chars ? new Type.Str(dims.get(i)) : new Type.Array(t, dims.get(i));
        }
        return t;
    }
}
