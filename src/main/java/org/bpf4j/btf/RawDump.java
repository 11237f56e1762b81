package org.bpf4j.btf;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * BTF as bpftool's {@code btf dump file X} prints it (raw format): one {@code [id] KIND 'name' ...} line per type,
 * with members, enumerators, parameters and section variables on tab-indented lines below.
 */
public final class RawDump {
    private RawDump() {}

    /** Writes every type of {@code btf} that is not in its base, in id order. */
    public static void dump(Btf btf, Appendable out) {
        int from = btf.base() == null ? 1 : btf.base().typeCount();
        StringBuilder sb = new StringBuilder(256);
        try {
            for (int id = from; id < btf.typeCount(); id++) {
                sb.setLength(0);
                type(btf, btf.type(id), sb);
                sb.append('\n');
                out.append(sb);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One type, without the final newline. */
    public static String type(Btf btf, int id) {
        StringBuilder sb = new StringBuilder();
        type(btf, btf.type(id), sb);
        return sb.toString();
    }

    private static String name(String n) { return n.isEmpty() ? "(anon)" : n; }

    private static void type(Btf btf, BtfType t, StringBuilder sb) {
        sb.append('[').append(t.id()).append("] ").append(t.kind().name()).append(" '").append(name(t.name())).append('\'');
        switch (t) {
            case BtfType.Int i -> sb.append(" size=").append(i.size()).append(" bits_offset=").append(i.bitOffset())
                    .append(" nr_bits=").append(i.bits()).append(" encoding=").append(switch (i.encoding()) {
                        case 0 -> "(none)";
                        case BtfType.Int.SIGNED -> "SIGNED";
                        case BtfType.Int.CHAR -> "CHAR";
                        case BtfType.Int.BOOL -> "BOOL";
                        default -> "UNKN";
                    });
            case BtfType.Array a -> sb.append(" type_id=").append(a.type()).append(" index_type_id=").append(a.indexType())
                    .append(" nr_elems=").append(Integer.toUnsignedString(a.nelems()));
            case BtfType.Composite c -> {
                sb.append(" size=").append(c.size()).append(" vlen=").append(c.members().size());
                for (BtfType.Member m : c.members()) {
                    sb.append("\n\t'").append(name(m.name())).append("' type_id=").append(m.type())
                            .append(" bits_offset=").append(m.bitOffset());
                    if (m.bitfieldSize() != 0) sb.append(" bitfield_size=").append(m.bitfieldSize());
                }
            }
            case BtfType.Enumeration e -> {
                sb.append(" encoding=").append(e.signed() ? "SIGNED" : "UNSIGNED").append(" size=").append(e.size())
                        .append(" vlen=").append(e.values().size());
                boolean wide = e instanceof BtfType.Enum64;
                for (BtfType.EnumValue v : e.values()) {
                    sb.append("\n\t'").append(name(v.name())).append("' val=");
                    sb.append(e.signed() ? Long.toString(v.value()) : Long.toUnsignedString(v.value()));
                    if (wide) sb.append(e.signed() ? "LL" : "ULL");
                }
            }
            case BtfType.Fwd f -> sb.append(" fwd_kind=").append(f.union() ? "union" : "struct");
            case BtfType.Func f -> sb.append(" type_id=").append(f.type()).append(" linkage=").append(switch (f.linkage()) {
                case 0 -> "static";
                case 1 -> "global";
                case 2 -> "extern";
                default -> "(unknown)";
            });
            case BtfType.FuncProto f -> {
                sb.append(" ret_type_id=").append(f.returnType()).append(" vlen=").append(f.params().size());
                for (BtfType.Param p : f.params()) sb.append("\n\t'").append(name(p.name())).append("' type_id=").append(p.type());
            }
            case BtfType.Var v -> sb.append(" type_id=").append(v.type()).append(", linkage=").append(switch (v.linkage()) {
                case 0 -> "static";
                case 1 -> "global";
                case 2 -> "extern";
                default -> "(unknown)";
            });
            case BtfType.Datasec d -> {
                sb.append(" size=").append(d.size()).append(" vlen=").append(d.vars().size());
                for (BtfType.VarSecInfo v : d.vars()) {
                    sb.append("\n\ttype_id=").append(v.type()).append(" offset=").append(v.offset()).append(" size=").append(v.size());
                    if (v.type() < btf.typeCount()) {
                        BtfType vt = btf.type(v.type());
                        sb.append(" (").append(vt.kind().name()).append(" '").append(name(vt.name())).append("')");
                    }
                }
            }
            case BtfType.Float f -> sb.append(" size=").append(f.size());
            case BtfType.DeclTag d -> sb.append(" type_id=").append(d.type()).append(" component_idx=").append(d.componentIdx());
            case BtfType.Ref r -> sb.append(" type_id=").append(r.type());
            case BtfType.Void v -> { }
        }
    }
}
