package org.bpf4j.cli.bpftool;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapInfo;
import org.bpf4j.map.MapType;
import org.bpf4j.sys.Errno;

/** Map entries as bpftool's {@code map dump} and {@code map lookup} print them: hex bytes, text or JSON. */
public final class MapEntries {
    private MapEntries() {}

    /** bpftool's fprint_hex: bytes as {@code %02x} separated by one space, two after every 8, a newline after 16. */
    public static String hex(byte[] data, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                if (i % 16 == 0) sb.append('\n');
                else if (i % 8 == 0) sb.append("  ");
                else sb.append(' ');
            }
            sb.append(Character.forDigit((data[offset + i] >> 4) & 0xf, 16)).append(Character.forDigit(data[offset + i] & 0xf, 16));
        }
        return sb.toString();
    }

    static boolean mapOfProgs(MapType t) { return t == MapType.PROG_ARRAY; }

    static boolean mapOfMaps(MapType t) { return t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS; }

    /** One entry in bpftool's plain layout ({@code key: .. value: ..} on one line when both are short). */
    public static String text(MapInfo info, byte[] key, byte[] value) {
        StringBuilder sb = new StringBuilder();
        if (!(info.type() != null && KernelMap.perCpu(info.type()))) {
            boolean breakNames = info.keySize() > 16 || info.valueSize() > 16;
            boolean singleLine = info.keySize() + info.valueSize() <= 24 && !breakNames;
            if (info.keySize() > 0) {
                sb.append("key:").append(breakNames ? '\n' : ' ').append(hex(key, 0, info.keySize()));
                sb.append(singleLine ? "  " : "\n");
            }
            if (info.valueSize() > 0) {
                if (mapOfProgs(info.type())) {
                    sb.append("id:").append(breakNames ? '\n' : ' ').append(Integer.toUnsignedString(le32(value))).append(' ');
                } else {
                    sb.append("value:").append(breakNames ? '\n' : ' ').append(hex(value, 0, info.valueSize()));
                }
            }
            sb.append('\n');
        } else {
            int step = (info.valueSize() + 7) / 8 * 8;
            int n = value.length / Math.max(1, step);
            sb.append("key:\n").append(hex(key, 0, info.keySize())).append('\n');
            for (int cpu = 0; cpu < n; cpu++) {
                sb.append(String.format("value (CPU %02d):%c", cpu, info.valueSize() > 16 ? '\n' : ' '));
                sb.append(hex(value, cpu * step, info.valueSize())).append('\n');
            }
        }
        return sb.toString();
    }

    /** One entry whose lookup failed, as bpftool's print_entry_error_msg; null when bpftool prints nothing. */
    public static String errorText(MapInfo info, byte[] key, int errno) {
        if ((mapOfMaps(info.type()) || mapOfProgs(info.type())) && errno == Errno.ENOENT) return null;
        String msg = errno == Errno.ENOENT ? "<no entry>"
                : errno == Errno.ENOSPC && info.type() == MapType.REUSEPORT_SOCKARRAY ? "<cannot read>" : strerror(errno);
        boolean breakNames = info.keySize() > 16 || msg.length() > 16;
        boolean singleLine = info.keySize() + msg.length() <= 24 && !breakNames;
        return "key:" + (breakNames ? '\n' : ' ') + hex(key, 0, info.keySize()) + (singleLine ? "  " : "\n")
                + "value:" + (breakNames ? '\n' : ' ') + msg + "\n";
    }

    /** The C library's message, as bpftool's strerror (e.g. "Unknown error 524" for ENOTSUPP). */
    static String strerror(int errno) {
        return org.bpf4j.sys.Native.strerror(errno);
    }

    /** The BTF a map's keys and values are typed with, or null when it has none (bpftool's get_map_kv_btf). */
    public static org.bpf4j.btf.Btf btf(MapInfo info) {
        if (info.btfVmlinuxValueTypeId() != 0) return org.bpf4j.btf.Btf.vmlinux();
        if (info.btfValueTypeId() != 0 && info.btfId() != 0) return org.bpf4j.btf.Btf.byId(info.btfId());
        return null;
    }

    /** One entry formatted from BTF: {@code {"key": .., "value": ..}} or per CPU {@code "values"} (do_dump_btf). */
    public static void btfEntry(MapInfo info, org.bpf4j.btf.Btf btf, byte[] key, byte[] value, Json json, boolean plain) {
        BtfValues v = new BtfValues(btf, json, plain);
        json.beginObject();
        if (info.btfKeyTypeId() != 0) {
            json.name("key");
            v.write(info.btfKeyTypeId(), key, 0);
        }
        int valueType = info.btfVmlinuxValueTypeId() != 0 ? info.btfVmlinuxValueTypeId() : info.btfValueTypeId();
        if (!(info.type() != null && KernelMap.perCpu(info.type()))) {
            json.name("value");
            v.write(valueType, value, 0);
        } else {
            int step = (info.valueSize() + 7) / 8 * 8;
            json.name("values").beginArray();
            for (int cpu = 0; cpu < value.length / Math.max(1, step); cpu++) {
                json.beginObject();
                json.field("cpu", cpu);
                json.name("value");
                v.write(valueType, value, cpu * step);
                json.endObject();
            }
            json.endArray();
        }
        json.endObject();
    }

    /** One entry as a JSON object: hex arrays of key and value, or of each CPU's value. */
    public static void json(MapInfo info, byte[] key, byte[] value, Json json) {
        json(info, key, value, json, null);
    }

    /** One entry as a JSON object, with a {@code "formatted"} copy when the map has BTF. */
    public static void json(MapInfo info, byte[] key, byte[] value, Json json, org.bpf4j.btf.Btf btf) {
        json.beginObject();
        if (!(info.type() != null && KernelMap.perCpu(info.type()))) {
            json.name("key").hexBytes(key, 0, info.keySize());
            json.name("value").hexBytes(value, 0, info.valueSize());
        } else {
            int step = (info.valueSize() + 7) / 8 * 8;
            int n = value.length / Math.max(1, step);
            json.name("key").hexBytes(key, 0, info.keySize());
            json.name("values").beginArray();
            for (int cpu = 0; cpu < n; cpu++) {
                json.beginObject();
                json.field("cpu", cpu);
                json.name("value").hexBytes(value, cpu * step, info.valueSize());
                json.endObject();
            }
            json.endArray();
        }
        if (btf != null) {
            json.name("formatted");
            btfEntry(info, btf, key, value, json, false);
        }
        json.endObject();
    }

    /** A failed lookup in JSON; false when bpftool prints nothing for it. */
    public static boolean errorJson(MapInfo info, byte[] key, int errno, Json json) {
        if ((mapOfMaps(info.type()) || mapOfProgs(info.type())) && errno == Errno.ENOENT) return false;
        json.beginObject();
        json.name("key").hexBytes(key, 0, info.keySize());
        json.name("value").beginObject().field("error", strerror(errno)).endObject();
        json.endObject();
        return true;
    }

    static int le32(byte[] b) {
        return b.length < 4 ? 0 : (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }
}
