package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.sys.KernelConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An object's externs, as libbpf resolves them: {@code __kconfig} values (LINUX_KERNEL_VERSION, CONFIG_*) laid out
 * in a read-only {@code .kconfig} map, and {@code __ksym} kernel variables (typed, by BTF id; typeless, by address)
 * and functions (kfuncs, by BTF id), looked up in vmlinux at load.
 */
final class Externs {
    private Externs() {}

    /** What an extern is. */
    enum Kind { KCONFIG, KSYM_VAR, KSYM_FUNC }

    /** One extern: its BTF VAR or FUNC, its value's type, size, alignment and (for kconfig) offset in .kconfig. */
    record Extern(String name, Kind kind, boolean weak, int btfId, int typeId, int size, int align, int offset) {}

    /** The externs of an object: undefined global symbols that its BTF declares in {@code .kconfig} or {@code .ksyms}. */
    static List<Extern> collect(List<ObjectSymbols.Sym> syms, Btf btf, String where) {
        List<Extern> out = new ArrayList<>();
        for (ObjectSymbols.Sym s : syms) {
            if (s.section() != 0 || s.name().isEmpty() || s.bind() == ObjectSymbols.STB_LOCAL) continue;
            if (btf == null) throw new ObjectFormatException(where + ": extern '" + s.name() + "' needs .BTF (compile with -g)");
            BtfType decl = null;
            for (BtfType t : btf.findAllByName(s.name()))
                if ((t instanceof BtfType.Var v && v.linkage() == 2) || (t instanceof BtfType.Func f && f.linkage() == 2)) decl = t;
            if (decl == null) throw new ObjectFormatException(where + ": extern '" + s.name() + "' has no extern VAR or FUNC in .BTF");
            String sec = section(btf, decl.id());
            boolean weak = s.bind() == ObjectSymbols.STB_WEAK;
            if (".kconfig".equals(sec)) {
                if (!(decl instanceof BtfType.Var v)) throw new ObjectFormatException(where + ": extern function '" + s.name() + "' in .kconfig");
                long size = btf.sizeOf(v.type());
                int align = btf.alignOf(v.type());
                if (size <= 0 || align <= 0) throw new ObjectFormatException(where + ": extern '" + s.name() + "': its type has no size");
                out.add(new Extern(s.name(), Kind.KCONFIG, weak, v.id(), v.type(), (int) size, align, -1));
            } else if (".ksyms".equals(sec)) {
                out.add(new Extern(s.name(), decl instanceof BtfType.Func ? Kind.KSYM_FUNC : Kind.KSYM_VAR, weak, decl.id(),
                        ((BtfType.Ref) decl).type(), 0, 0, -1));
            } else {
                throw new ObjectFormatException(where + ": extern '" + s.name() + "' in section '" + sec + "' (only .kconfig and .ksyms are known)");
            }
        }
        // libbpf's order: kconfig by alignment (largest first), then size, then name; offsets in that order
        out.sort(Comparator.comparing(Extern::kind).thenComparing(e -> -e.align()).thenComparingInt(Extern::size)
                .thenComparing(Extern::name));
        List<Extern> placed = new ArrayList<>();
        int off = 0;
        for (Extern e : out) {
            if (e.kind() != Kind.KCONFIG) {
                placed.add(e);
                continue;
            }
            off = (off + e.align() - 1) / e.align() * e.align();
            placed.add(new Extern(e.name(), e.kind(), e.weak(), e.btfId(), e.typeId(), e.size(), e.align(), off));
            off += e.size();
        }
        return placed;
    }

    /** The size of the .kconfig map's value. */
    static int kconfigSize(List<Extern> externs) {
        int end = 0;
        for (Extern e : externs) if (e.kind() == Kind.KCONFIG) end = Math.max(end, e.offset() + e.size());
        return end;
    }

    private static String section(Btf btf, int id) {
        for (int t = 1; t < btf.typeCount(); t++)
            if (btf.type(t) instanceof BtfType.Datasec d)
                for (BtfType.VarSecInfo v : d.vars()) if (v.type() == id) return d.name();
        return "";
    }

    /** The .kconfig map's value for the running kernel: {@code LINUX_KERNEL_VERSION} and {@code CONFIG_*} options. */
    static byte[] kconfigData(List<Extern> externs, Btf btf, String where) {
        byte[] data = new byte[kconfigSize(externs)];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (Extern e : externs) {
            if (e.kind() != Kind.KCONFIG) continue;
            String ctx = where + ": extern (kconfig) '" + e.name() + "'";
            Optional<String> value = e.name().equals("LINUX_KERNEL_VERSION") ? Optional.of(String.valueOf(kernelVersion()))
                    : e.name().startsWith("CONFIG_") ? KernelConfig.get().value(e.name()) : Optional.empty();
            if (value.isEmpty() || value.get().equals("n")) {
                if (!e.weak() && value.isEmpty()) throw new ObjectFormatException(ctx + ": value not found (declare it __weak to default to 0)");
                continue; // zero
            }
            BtfType t = btf.resolve(e.typeId());
            String v = value.get();
            if (t instanceof BtfType.Array a && btf.resolve(a.type()) instanceof BtfType.Int) {
                if (!v.startsWith("\"")) throw new ObjectFormatException(ctx + ": '" + v + "' is not a string");
                byte[] s = v.substring(1, v.length() - 1).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(s, 0, data, e.offset(), Math.min(s.length, e.size() - 1));
                continue;
            }
            long n;
            if (v.equals("y")) n = 1;
            else if (v.equals("m")) {
                if (t instanceof BtfType.Int i && i.isBool()) throw new ObjectFormatException(ctx + ": value 'm' for a bool");
                n = 2;
            } else {
                try {
                    n = Long.decode(v);
                } catch (NumberFormatException x) {
                    throw new ObjectFormatException(ctx + ": '" + v + "' is not a number");
                }
            }
            switch (e.size()) {
                case 1 -> b.put(e.offset(), (byte) n);
                case 2 -> b.putShort(e.offset(), (short) n);
                case 4 -> b.putInt(e.offset(), (int) n);
                case 8 -> b.putLong(e.offset(), n);
                default -> throw new ObjectFormatException(ctx + ": " + e.size() + "-byte values are not supported");
            }
        }
        return data;
    }

    /** {@code KERNEL_VERSION(a, b, c)} of the running kernel's release, c capped at 255 as libbpf does. */
    static int kernelVersion() {
        String[] p = System.getProperty("os.version", "0.0.0").split("[.\\-+]");
        int a = num(p, 0), b = num(p, 1), c = Math.min(255, num(p, 2));
        return (a << 16) + (b << 8) + c;
    }

    private static int num(String[] p, int i) {
        try {
            return i < p.length ? Integer.parseInt(p[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
