package org.bpf4j.map;

import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** What the kernel reports about a loaded map ({@code struct bpf_map_info}). */
public record MapInfo(int id, MapType type, int typeValue, String name, int keySize, int valueSize,
                      int maxEntries, int flags, int btfId) {
    // struct bpf_map_info (linux/bpf.h): offsets checked against the UAPI header.
    private static final int SIZE = 88, TYPE = 0, ID = 4, KEY_SIZE = 8, VALUE_SIZE = 12, MAX_ENTRIES = 16,
            MAP_FLAGS = 20, NAME = 24, BTF_ID = 64;

    /** Reads the info of the map behind {@code fd}. */
    public static MapInfo read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = ObjInfo.get(arena, fd, SIZE, "map");
            int type = info.get(JAVA_INT, TYPE);
            return new MapInfo(info.get(JAVA_INT, ID), MapType.of(type), type, ObjInfo.name(info, NAME),
                    info.get(JAVA_INT, KEY_SIZE), info.get(JAVA_INT, VALUE_SIZE), info.get(JAVA_INT, MAX_ENTRIES),
                    info.get(JAVA_INT, MAP_FLAGS), info.get(JAVA_INT, BTF_ID));
        }
    }
}
