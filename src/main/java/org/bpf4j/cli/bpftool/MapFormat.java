package org.bpf4j.cli.bpftool;

import org.bpf4j.map.MapInfo;
import org.bpf4j.prog.ProgramType;

/** {@code map show} in bpftool's text layout and JSON fields. */
public final class MapFormat {
    private MapFormat() {}

    static String typeName(MapInfo info) {
        return info.type() != null ? info.type().bpftoolName() : null;
    }

    /** The text block for one map, ending in a newline. */
    public static String text(Inspect.MapView m) {
        MapInfo i = m.info();
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(i.id())).append(": ");
        String type = typeName(i);
        sb.append(type != null ? type + "  " : "type " + i.typeValue() + "  ");
        if (!i.name().isEmpty()) sb.append("name ").append(i.name()).append("  ");
        sb.append("flags 0x").append(Integer.toHexString(i.flags())).append('\n');
        sb.append("\tkey ").append(Integer.toUnsignedString(i.keySize())).append("B  value ")
                .append(Integer.toUnsignedString(i.valueSize())).append("B  max_entries ")
                .append(Integer.toUnsignedString(i.maxEntries()));
        if (m.memlock() != null) sb.append("  memlock ").append(m.memlock()).append('B');
        if (i.type() == org.bpf4j.map.MapType.PROG_ARRAY) {
            if (m.ownerProgType() != null || m.ownerJited() != null) sb.append("\n\t");
            if (m.ownerProgType() != null) {
                int t = (int) ProgFormat.parseLong(m.ownerProgType());
                ProgramType pt = ProgramType.of(t);
                sb.append("owner_prog_type ").append(pt != null ? pt.bpftoolName() : Integer.toString(t)).append("  ");
            }
            if (m.ownerJited() != null) sb.append("owner").append(ProgFormat.parseLong(m.ownerJited()) != 0 ? "" : " not").append(" jited");
        }
        if (i.btfId() != 0 || m.frozen() != 0) sb.append("\n\t");
        if (i.btfId() != 0) sb.append("btf_id ").append(i.btfId());
        if (m.frozen() != 0) sb.append(i.btfId() != 0 ? "  " : "").append("frozen");
        sb.append('\n');
        return sb.toString();
    }

    /** The JSON object for one map, written into {@code json}. */
    public static void json(Inspect.MapView m, Json json) {
        MapInfo i = m.info();
        json.beginObject();
        json.name("id").unsigned(Integer.toUnsignedLong(i.id()));
        String type = typeName(i);
        if (type != null) json.field("type", type);
        else json.field("type", i.typeValue());
        if (!i.name().isEmpty()) json.field("name", i.name());
        json.field("flags", i.flags());
        json.name("bytes_key").unsigned(Integer.toUnsignedLong(i.keySize()));
        json.name("bytes_value").unsigned(Integer.toUnsignedLong(i.valueSize()));
        json.name("max_entries").unsigned(Integer.toUnsignedLong(i.maxEntries()));
        if (m.memlock() != null) json.field("bytes_memlock", ProgFormat.parseLong(m.memlock()));
        if (i.type() == org.bpf4j.map.MapType.PROG_ARRAY) {
            if (m.ownerProgType() != null) {
                int t = (int) ProgFormat.parseLong(m.ownerProgType());
                ProgramType pt = ProgramType.of(t);
                if (pt != null) json.field("owner_prog_type", pt.bpftoolName());
                else json.field("owner_prog_type", t);
            }
            if (m.ownerJited() != null) json.field("owner_jited", ProgFormat.parseLong(m.ownerJited()) != 0);
        }
        json.field("frozen", m.frozen());
        if (i.btfId() != 0) json.field("btf_id", i.btfId());
        json.endObject();
    }
}
