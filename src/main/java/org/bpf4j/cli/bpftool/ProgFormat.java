package org.bpf4j.cli.bpftool;

import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.sys.Native;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.stream.Collectors;

/** {@code prog show} in bpftool's text layout and JSON fields. */
public final class ProgFormat {
    private ProgFormat() {}

    private static final DateTimeFormatter LOADED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    /**
     * The wall-clock second a program was loaded: its load time counts from boot (CLOCK_BOOTTIME), so add the
     * boot time, as bpftool's print_boot_time does (same arithmetic, same truncation).
     */
    public static long loadedAtEpochSecond(long loadTimeNs) {
        long[] real = Native.clockGettime(Native.CLOCK_REALTIME);
        long[] boot = Native.clockGettime(Native.CLOCK_BOOTTIME);
        return (real[0] - boot[0]) + (real[1] - boot[1] + loadTimeNs) / 1_000_000_000L;
    }

    /** bpftool's {@code %FT%T%z} of a load time, in local time. */
    public static String loadedAt(long loadTimeNs) {
        return LOADED_AT.format(Instant.ofEpochSecond(loadedAtEpochSecond(loadTimeNs)).atZone(ZoneId.systemDefault()));
    }

    static String typeName(ProgramInfo info) {
        return info.type() != null ? info.type().bpftoolName() : null;
    }

    /** The text block for one program, ending in a newline. */
    public static String text(Inspect.Prog p) {
        ProgramInfo i = p.info();
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(i.id())).append(": ");
        String type = typeName(i);
        sb.append(type != null ? type + "  " : "type " + i.typeValue() + "  ");
        if (!i.name().isEmpty()) sb.append("name ").append(p.fullName()).append("  ");
        sb.append("tag ").append(i.tag());
        if (i.gplCompatible()) sb.append("  gpl");
        if (i.runTimeNs() != 0) sb.append(" run_time_ns ").append(i.runTimeNs()).append(" run_cnt ").append(i.runCount());
        if (i.recursionMisses() != 0) sb.append(" recursion_misses ").append(i.recursionMisses());
        sb.append('\n');
        if (i.loadTimeNs() != 0)
            sb.append("\tloaded_at ").append(loadedAt(i.loadTimeNs())).append("  uid ").append(Integer.toUnsignedString(i.createdByUid())).append('\n');
        sb.append("\txlated ").append(Integer.toUnsignedString(i.xlatedLength())).append('B');
        if (i.jitedLength() != 0) sb.append("  jited ").append(Integer.toUnsignedString(i.jitedLength())).append('B');
        else sb.append("  not jited");
        if (p.memlock() != null) sb.append("  memlock ").append(p.memlock()).append('B');
        if (i.mapIds().length > 0)
            sb.append("  map_ids ").append(Arrays.stream(i.mapIds()).mapToObj(Integer::toUnsignedString).collect(Collectors.joining(",")));
        if (i.btfId() != 0) sb.append("\n\tbtf_id ").append(i.btfId());
        sb.append('\n');
        return sb.toString();
    }

    /** The JSON object for one program, written into {@code json}. */
    public static void json(Inspect.Prog p, Json json) {
        ProgramInfo i = p.info();
        json.beginObject();
        json.name("id").unsigned(Integer.toUnsignedLong(i.id()));
        String type = typeName(i);
        if (type != null) json.field("type", type);
        else json.field("type", i.typeValue());
        if (!i.name().isEmpty()) json.field("name", p.fullName());
        json.name("tag").raw("\"" + i.tag() + "\"");
        json.field("gpl_compatible", i.gplCompatible());
        if (i.runTimeNs() != 0) {
            json.name("run_time_ns").unsigned(i.runTimeNs());
            json.name("run_cnt").unsigned(i.runCount());
        }
        if (i.recursionMisses() != 0) json.name("recursion_misses").unsigned(i.recursionMisses());
        if (i.loadTimeNs() != 0) {
            json.name("loaded_at").raw(Long.toString(loadedAtEpochSecond(i.loadTimeNs())));
            json.name("uid").unsigned(Integer.toUnsignedLong(i.createdByUid()));
        }
        json.name("bytes_xlated").unsigned(Integer.toUnsignedLong(i.xlatedLength()));
        if (i.jitedLength() != 0) {
            json.field("jited", true);
            json.name("bytes_jited").unsigned(Integer.toUnsignedLong(i.jitedLength()));
        } else {
            json.field("jited", false);
        }
        if (p.memlock() != null) json.field("bytes_memlock", parseLong(p.memlock()));
        if (i.mapIds().length > 0) {
            json.name("map_ids").beginArray();
            for (int id : i.mapIds()) json.unsigned(Integer.toUnsignedLong(id));
            json.endArray();
        }
        if (i.btfId() != 0) json.field("btf_id", i.btfId());
        json.endObject();
    }

    static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0; // bpftool's atoll
        }
    }
}
