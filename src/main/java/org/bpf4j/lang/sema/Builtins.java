package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.tracefs.EventFormat;

import java.util.ArrayList;
import java.util.List;

/** The builtin variables: their types, and which probe types offer them. */
final class Builtins {
    private Builtins() {}

    /** The most arguments {@code argN} reaches (x86-64 passes six in registers). */
    static final int MAX_ARGS = 6;

    static Type type(Checker c, Expr.Builtin b) {
        Attach at = c.unit.point();
        String n = b.name();
        switch (n) {
            case "pid", "tid", "uid", "gid", "nsecs", "elapsed", "cpu", "cgroup", "jiffies", "cpid", "ncpus":
                return Type.UINT64;
            case "usermode":
                if (at instanceof Attach.Begin || at instanceof Attach.End || at instanceof Attach.Signal || at instanceof Attach.Run || at instanceof Attach.Uprobe || at instanceof Attach.Usdt
                        || at instanceof Attach.Kprobe || at instanceof Attach.Profile || at instanceof Attach.Software || at instanceof Attach.Hardware)
                    return new Type.Int(1, false);
                throw c.error(b.span(), "The usermode builtin can only be used with probes that see the registers (" + kind(at) + " used here)");
            case "probetype":
                return new Type.Str(at.probeType().length() + 1);
            case "numaid", "rand":
                return new Type.Int(4, false);
            case "comm":
                return new Type.Str(16);
            case "username":
                return new Type.Special(Type.SpecialKind.USERNAME);
            case "kstack":
                return new Type.Special(Type.SpecialKind.KSTACK);
            case "ustack":
                return new Type.Special(Type.SpecialKind.USTACK);
            case "probe":
                return new Type.Special(Type.SpecialKind.PROBE);
            case "curtask": {
                Type.Record task = c.ctypes.record("struct task_struct");
                return task == null ? Type.UINT64 : new Type.Ptr(task, false);
            }
            case "ctx":
                return new Type.Ptr(Type.NONE, false);
            case "args":
                if (at instanceof Attach.Tracepoint tp) return new Type.Ptr(args(c, tp), false);
                if (at instanceof Attach.Fentry f)
                    return new Type.Ptr(c.ctypes.functionArgs(f.function()).orElseThrow(() -> c.error(b.span(),
                            "kfunc:" + f.function() + ": no function " + f.function() + " in the kernel's BTF to type args with")), false);
                if (at instanceof Attach.RawTracepoint r)
                    return new Type.Ptr(c.ctypes.rawTracepointArgs(r.event()).orElseThrow(() -> c.error(b.span(),
                            r.text() + ": no btf_trace_" + r.event() + " in the kernel's BTF to type args with")), false);
                throw c.error(b.span(), "The args builtin can only be used with tracepoint/kfunc/uprobe probes (" + kind(at) + " used here)");
            case "retval":
                if ((at instanceof Attach.Uprobe u && u.ret()) || (at instanceof Attach.Kprobe k && k.ret())
                        || (at instanceof Attach.Fentry f && f.ret()))
                    return Type.UINT64;
                throw c.error(b.span(), "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'kfunc' probes");
            case "func":
                if (at instanceof Attach.Uprobe) return new Type.Special(Type.SpecialKind.USYM);
                if (at instanceof Attach.Kprobe || at instanceof Attach.Fentry) return new Type.Special(Type.SpecialKind.KSYM);
                throw c.error(b.span(), "The func builtin can not be used with '" + kind(at) + "' probes");
            default:
                break;
        }
        if (n.matches("s?arg[0-9]+")) {
            int i = Integer.parseInt(n.substring(n.indexOf('g') + 1));
            boolean stack = n.startsWith("s");
            if (!(at instanceof Attach.Uprobe || at instanceof Attach.Kprobe || at instanceof Attach.Usdt
                    || at instanceof Attach.RawTracepoint && !stack))
                throw c.error(b.span(), "The " + n + " builtin can only be used with " + (stack ? "'kprobes' and 'uprobes'" : "'kprobes', 'uprobes' and 'usdt'") + " probes");
            if (at instanceof Attach.Usdt u && !stack) {
                var layout = c.facts.usdtLayouts.computeIfAbsent(u, c.catalog::usdtLayouts).values().iterator().next();
                if (i >= layout.size())
                    throw c.error(b.span(), u.text() + " has " + layout.size() + " argument" + (layout.size() == 1 ? "" : "s") + ": no " + n);
                return layout.get(i).signed() ? Type.INT64 : Type.UINT64;
            }
            if (!stack && i >= MAX_ARGS)
                throw c.error(b.span(), n + ": only arg0 to arg" + (MAX_ARGS - 1) + " are passed in registers; use sarg for the rest");
            return Type.UINT64;
        }
        Enums.Constant own = c.ctypes.scriptEnumerator(n); // the script's enumerator: a constant of its enum type
        if (own != null) {
            c.enumerators.put(b, own.value());
            return own.type();
        }
        var enumerator = c.ctypes.enumerator(n); // an enumerator of the kernel's, from BTF
        if (enumerator.isPresent()) {
            c.enumerators.put(b, enumerator.get());
            return Type.INT64;
        }
        throw c.error(b.span(), "Unknown identifier: '" + n + "'");
    }

    /** The record {@code args} points to in a tracepoint probe, from the tracepoint's format file. */
    static Type.Record args(Checker c, Attach.Tracepoint tp) {
        EventFormat f = c.catalog.format(tp.category(), tp.event());
        boolean user = tp.category().equals("syscalls");
        List<Type.Field> fields = new ArrayList<>();
        int size = 0;
        for (EventFormat.Field ef : f.fields()) {
            Type t = fieldType(ef, user);
            String declared = ef.type().replace("const ", "").strip();
            if (t instanceof Type.Int it && declared.startsWith("enum ") && !declared.contains("*")) // v0.26 prints it by name
                t = c.ctypes.kernelEnum(declared).<Type>map(e -> new Type.Int(it.size(), it.signed(), false, e.enumeration())).orElse(t);
            fields.add(new Type.Field(ef.name(), t, ef.offset(), 0, 0, ef.dataLoc()));
            size = Math.max(size, ef.offset() + ef.size());
        }
        return new Type.Record("struct _tracepoint_" + tp.category() + "_" + tp.event(), fields, size, 8, true);
    }

    static Type fieldType(EventFormat.Field ef, boolean user) {
        String t = ef.type().replace("const ", "").replace("volatile ", "").strip();
        if (ef.dataLoc()) return new Type.Ptr(new Type.Int(1, true), false);
        if (ef.arrayLength() > 0) {
            int elem = ef.size() / ef.arrayLength();
            if (t.startsWith("char") || t.startsWith("unsigned char") || t.startsWith("u8")) {
                if (t.startsWith("char")) return new Type.Str(ef.arrayLength());
            }
            if (elem == 1 || elem == 2 || elem == 4 || elem == 8) return new Type.Array(new Type.Int(elem, ef.signed()), ef.arrayLength());
            return new Type.Array(new Type.Int(1, false), ef.size());
        }
        if (t.contains("*")) {
            String target = t.substring(0, t.indexOf('*')).strip();
            int stars = (int) t.chars().filter(ch -> ch == '*').count();
            Type inner = CTypes.integer(target);
            if (inner == null && (target.startsWith("struct ") || target.startsWith("union ")))
                inner = new Type.Record(target, List.of(), 0, 8, false); // completed from BTF when used
            if (inner == null) inner = Type.NONE;
            Type out = inner;
            for (int i = 0; i < stars; i++) out = new Type.Ptr(out, user);
            return out;
        }
        int size = ef.size();
        if (size == 1 || size == 2 || size == 4 || size == 8) return new Type.Int(size, ef.signed());
        return new Type.Array(new Type.Int(1, false), size);
    }

    /** The probe type as bpftrace's messages name it: {@code BEGIN}, {@code tracepoint}, {@code uprobe}... */
    private static String kind(Attach at) {
        String t = at.text();
        return t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
    }
}
