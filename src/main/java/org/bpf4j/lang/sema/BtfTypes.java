package org.bpf4j.lang.sema;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Kernel struct and union types from the running kernel's BTF (/sys/kernel/btf/vmlinux, read only when a script
 * names a struct it does not define, or follows {@code curtask}). A pointer member to a struct becomes a pointer
 * to a stub (the name, no fields) that {@link #full} completes on access, so that self-referencing kernel types
 * ({@code task_struct}) stay finite.
 */
final class BtfTypes {
    private final Supplier<Btf> btf;
    private final Map<String, Optional<Type.Record>> records = new HashMap<>();

    private Map<String, Long> enumerators;

    BtfTypes(Supplier<Btf> btf) { this.btf = btf; }

    /**
     * The value of the kernel's enumerator {@code name} (of any enum in its BTF, such as
     * {@code SKB_DROP_REASON_NOT_SPECIFIED}), if it has one: scripts name them as C code does.
     */
    Optional<Long> enumerator(String name) {
        if (enumerators == null) {
            Map<String, Long> all = new HashMap<>();
            try {
                Btf b = btf.get();
                for (int id = 1; id < b.typeCount(); id++)
                    if (b.type(id) instanceof BtfType.Enumeration e)
                        for (BtfType.EnumValue v : e.values()) all.putIfAbsent(v.name(), v.value());
            } catch (RuntimeException e) {
                // no BTF on this kernel: no enumerators
            }
            enumerators = all;
        }
        return Optional.ofNullable(enumerators.get(name));
    }

    /**
     * The kernel's per-CPU variable {@code name}: the BTF id of its VAR in the {@code .data..percpu} section of
     * vmlinux (what {@code bpf_per_cpu_ptr}'s lddw names) and its type (an integer, a record, else a u64).
     */
    Optional<KernelVar> percpuVariable(String name) {
        Btf b;
        try {
            b = btf.get();
        } catch (RuntimeException e) {
            return Optional.empty(); // no BTF on this kernel
        }
        for (int id = 1; id < b.typeCount(); id++) {
            if (!(b.type(id) instanceof BtfType.Datasec sec) || !sec.name().equals(".data..percpu")) continue;
            for (BtfType.VarSecInfo v : sec.vars()) {
                if (!(b.type(v.type()) instanceof BtfType.Var var) || !var.name().equals(name)) continue;
                BtfType t = b.resolve(var.type());
                Type type = switch (t) {
                    case BtfType.Int i when i.size() <= 8 -> new Type.Int(i.size(), (i.encoding() & 1) != 0, false);
                    case BtfType.Struct st -> record("struct " + st.name()).map(r -> (Type) r).orElse(Type.UINT64);
                    default -> Type.UINT64;
                };
                return Optional.of(new KernelVar(var.id(), type));
            }
        }
        return Optional.empty();
    }

    /** A kernel variable: the BTF id of its VAR and the type of its value. */
    record KernelVar(int btfId, Type type) {}

    /** The kernel's {@code enum NAME} as an integer type that prints its values by name, if BTF has it. */
    Optional<Type.Int> enumType(String name) {
        try {
            return btf.get().find(BtfType.Enumeration.class, name).map(BtfTypes::enumType);
        } catch (RuntimeException e) {
            return Optional.empty(); // no BTF on this kernel
        }
    }

    private static Type.Int enumType(BtfType.Enumeration e) {
        Map<Long, String> names = new HashMap<>();
        for (BtfType.EnumValue v : e.values()) names.putIfAbsent(v.value(), v.name());
        String full = e.name().isEmpty() ? "enum" : "enum " + e.name();
        return Enums.of(full, names, e.size() == 1 || e.size() == 2 || e.size() == 4 ? e.size() : 8, e.signed());
    }

    /** The kernel's {@code struct NAME} or {@code union NAME} ({@code fullName} with the keyword), if it has one. */
    Optional<Type.Record> record(String fullName) {
        return records.computeIfAbsent(fullName, n -> {
            boolean union = n.startsWith("union ");
            String name = n.substring(n.indexOf(' ') + 1);
            Btf b;
            try {
                b = btf.get();
            } catch (RuntimeException e) {
                return Optional.empty(); // no BTF on this kernel
            }
            Optional<? extends BtfType.Composite> c = union ? b.find(BtfType.Union.class, name) : b.find(BtfType.Struct.class, name);
            return c.map(x -> convert(b, x, n));
        });
    }

    /**
     * The arguments of kernel function {@code name} as its fentry/fexit program sees them: one u64 slot of the
     * context each, typed and named from the function's BTF prototype; empty when BTF has no such function.
     */
    Optional<Type.Record> functionArgs(String name) {
        Btf b;
        try {
            b = btf.get();
        } catch (RuntimeException e) {
            return Optional.empty(); // no BTF on this kernel
        }
        return b.find(BtfType.Func.class, name).map(f -> {
            List<Type.Field> fields = new ArrayList<>();
            if (b.type(f.type()) instanceof BtfType.FuncProto proto)
                for (int i = 0; i < proto.params().size(); i++) {
                    BtfType.Param p = proto.params().get(i);
                    fields.add(new Type.Field(p.name().isEmpty() ? "arg" + i : p.name(), type(b, p.type(), false), 8 * i, 0, 0, false));
                }
            return new Type.Record("struct _kfunc_" + name, fields, 8 * fields.size(), 8, true);
        });
    }

    /**
     * The arguments of raw tracepoint {@code event} as a record of 64-bit slots (the program's context), from the
     * kernel's {@code __probestub_EVENT} function (or {@code __traceiter_EVENT}), whose first parameter (the
     * tracepoint's private data) the program does not see.
     */
    Optional<Type.Record> rawTracepointArgs(String event) {
        Btf b;
        try {
            b = btf.get();
        } catch (RuntimeException e) {
            return Optional.empty(); // no BTF on this kernel
        }
        // the probe stub has the tracepoint's parameters with their names (btf_trace_EVENT's are anonymous)
        return b.find(BtfType.Func.class, "__probestub_" + event).or(() -> b.find(BtfType.Func.class, "__traceiter_" + event)).flatMap(f -> {
            if (!(b.type(f.type()) instanceof BtfType.FuncProto proto)) return Optional.empty();
            List<Type.Field> fields = new ArrayList<>();
            for (int i = 1; i < proto.params().size(); i++) {
                BtfType.Param p = proto.params().get(i);
                fields.add(new Type.Field(p.name().isEmpty() ? "arg" + (i - 1) : p.name(), type(b, p.type(), false), 8 * (i - 1), 0, 0, false));
            }
            return Optional.of(new Type.Record("struct _rawtracepoint_" + event, fields, 8 * fields.size(), 8, true));
        });
    }

    /** The complete record behind a stub (a pointer target named but not laid out); others as they are. */
    Type.Record full(Type.Record r) {
        if (!r.fields().isEmpty() || !(r.name().startsWith("struct ") || r.name().startsWith("union "))) return r;
        return record(r.name()).orElse(r);
    }

    private Type.Record convert(Btf b, BtfType.Composite c, String name) {
        List<Type.Field> fields = new ArrayList<>();
        for (BtfType.Member m : c.members()) {
            Type t = type(b, m.type(), true);
            int bitOffset = m.bitOffset();
            if (m.name().isEmpty() && t instanceof Type.Record inner) {
                for (Type.Field f : inner.fields())
                    fields.add(new Type.Field(f.name(), f.type(), bitOffset / 8 + f.offset(), f.bitOffset(), f.bits(), false));
                continue;
            }
            if (m.bitfieldSize() > 0 && t instanceof Type.Int it) {
                int unitBits = it.size() * 8;
                int unit = bitOffset / unitBits * it.size();
                fields.add(new Type.Field(m.name(), it, unit, bitOffset - unit * 8, m.bitfieldSize(), false));
            } else {
                fields.add(new Type.Field(m.name(), t, bitOffset / 8, 0, 0, false));
            }
        }
        return new Type.Record(name, fields, c.size(), Math.max(1, b.alignOf(c.id())), false);
    }

    /** A BTF type as a language type; {@code byValue} false gives stubs for structs (behind pointers). */
    private Type type(Btf b, int id, boolean byValue) {
        BtfType t = b.resolve(id);
        return switch (t) {
            case BtfType.Int i -> {
                int size = i.size() == 1 || i.size() == 2 || i.size() == 4 || i.size() == 8 ? i.size() : 8;
                yield new Type.Int(size, (i.encoding() & 1) != 0);
            }
            case BtfType.Enumeration e -> enumType(e);
            case BtfType.Ptr p -> {
                BtfType target = b.resolve(p.type());
                yield new Type.Ptr(target instanceof BtfType.Composite || target instanceof BtfType.Fwd
                        ? stub(b, target) : type(b, p.type(), false), false);
            }
            case BtfType.Array a -> {
                BtfType elem = b.resolve(a.type());
                int n = a.nelems();
                if (elem instanceof BtfType.Int i && (i.name().equals("char") || i.name().equals("signed char"))) yield new Type.Str(Math.max(1, n)); // as bpftrace: unsigned char[] (__u8[]) are bytes
                Type et = type(b, a.type(), true);
                yield et.size() > 0 ? new Type.Array(et, n) : new Type.Array(new Type.Int(1, false), Math.max(1, (int) b.sizeOf(id)));
            }
            case BtfType.Composite c -> byValue ? convert(b, c, (c instanceof BtfType.Union ? "union " : "struct ") + c.name()) : stub(b, c);
            case BtfType.Void v -> Type.NONE;
            default -> {
                long size = b.sizeOf(id);
                yield size == 1 || size == 2 || size == 4 || size == 8 ? new Type.Int((int) size, false)
                        : size > 0 ? new Type.Array(new Type.Int(1, false), (int) size) : Type.NONE;
            }
        };
    }

    private static Type stub(Btf b, BtfType t) {
        String kw = t instanceof BtfType.Union || (t instanceof BtfType.Fwd f && f.union()) ? "union " : "struct ";
        long size = t instanceof BtfType.Composite c ? c.size() : 0;
        return new Type.Record(kw + t.name(), List.of(), (int) size, 8, false);
    }
}
