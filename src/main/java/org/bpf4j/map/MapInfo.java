package org.bpf4j.map;

import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel reports about a loaded map ({@code struct bpf_map_info}); the BTF type ids are 0 for a map
 * created without BTF.
 */
public record MapInfo(int id, MapType type, int typeValue, String name, int keySize, int valueSize,
                      int maxEntries, int flags, int btfId, int btfKeyTypeId, int btfValueTypeId,
                      int btfVmlinuxValueTypeId, long mapExtra, int ifindex) {
    // struct bpf_map_info (linux/bpf.h): offsets checked against the UAPI header.
    private static final int SIZE = 88, TYPE = 0, ID = 4, KEY_SIZE = 8, VALUE_SIZE = 12, MAX_ENTRIES = 16,
            MAP_FLAGS = 20, NAME = 24, IFINDEX = 40, BTF_VMLINUX_VALUE_TYPE_ID = 44, BTF_ID = 64,
            BTF_KEY_TYPE_ID = 68, BTF_VALUE_TYPE_ID = 72, MAP_EXTRA = 80;

    /** The fields of the first version of this record, for callers that do not need the later ones. */
    public MapInfo(int id, MapType type, int typeValue, String name, int keySize, int valueSize,
                   int maxEntries, int flags, int btfId) {
        this(id, type, typeValue, name, keySize, valueSize, maxEntries, flags, btfId, 0, 0, 0, 0, 0);
    }

    /** Reads the info of the map behind {@code fd}. */
    public static MapInfo read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = ObjInfo.get(arena, fd, SIZE, "map");
            int type = info.get(JAVA_INT, TYPE);
            return new MapInfo(info.get(JAVA_INT, ID), MapType.of(type), type, ObjInfo.name(info, NAME),
                    info.get(JAVA_INT, KEY_SIZE), info.get(JAVA_INT, VALUE_SIZE), info.get(JAVA_INT, MAX_ENTRIES),
                    info.get(JAVA_INT, MAP_FLAGS), info.get(JAVA_INT, BTF_ID), info.get(JAVA_INT, BTF_KEY_TYPE_ID),
                    info.get(JAVA_INT, BTF_VALUE_TYPE_ID), info.get(JAVA_INT, BTF_VMLINUX_VALUE_TYPE_ID),
                    info.get(JAVA_LONG, MAP_EXTRA), info.get(JAVA_INT, IFINDEX));
        }
    }
}
