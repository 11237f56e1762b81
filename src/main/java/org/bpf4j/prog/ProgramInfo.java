package org.bpf4j.prog;

import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel reports about a loaded program ({@code struct bpf_prog_info}), with its translated
 * ("xlated") instructions and the ids of the maps it uses.
 */
public record ProgramInfo(int id, ProgramType type, int typeValue, String name, String tag, boolean gplCompatible,
                          long loadTimeNs, int createdByUid, int jitedLength, int xlatedLength, int[] mapIds,
                          int btfId, int verifiedInstructions, byte[] xlated) {
    // struct bpf_prog_info (linux/bpf.h): offsets checked against the UAPI header.
    private static final int SIZE = 232, TYPE = 0, ID = 4, TAG = 8, JITED_LEN = 16, XLATED_LEN = 20,
            XLATED_INSNS = 32, LOAD_TIME = 40, UID = 48, NR_MAP_IDS = 52, MAP_IDS = 56, NAME = 64, GPL_BITS = 84,
            BTF_ID = 128, VERIFIED_INSNS = 216;

    /** Reads the info of the program behind {@code fd}, in two calls: sizes first, then the arrays. */
    public static ProgramInfo read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = ObjInfo.get(arena, fd, SIZE, "program");
            int xlatedLen = first.get(JAVA_INT, XLATED_LEN);
            int nrMaps = first.get(JAVA_INT, NR_MAP_IDS);
            MemorySegment info = arena.allocate(SIZE, 8);
            MemorySegment xlated = arena.allocate(Math.max(8, xlatedLen), 8);
            MemorySegment maps = arena.allocate(Math.max(4, 4L * nrMaps), 8);
            info.set(JAVA_INT, XLATED_LEN, xlatedLen);
            info.set(JAVA_LONG, XLATED_INSNS, xlated.address());
            info.set(JAVA_INT, NR_MAP_IDS, nrMaps);
            info.set(JAVA_LONG, MAP_IDS, maps.address());
            ObjInfo.get(arena, fd, info, "program");
            int type = info.get(JAVA_INT, TYPE);
            return new ProgramInfo(info.get(JAVA_INT, ID), ProgramType.of(type), type, ObjInfo.name(info, NAME),
                    HexFormat.of().formatHex(info.asSlice(TAG, 8).toArray(JAVA_BYTE)),
                    (info.get(JAVA_INT, GPL_BITS) & 1) != 0, info.get(JAVA_LONG, LOAD_TIME), info.get(JAVA_INT, UID),
                    info.get(JAVA_INT, JITED_LEN), info.get(JAVA_INT, XLATED_LEN),
                    maps.asSlice(0, 4L * Math.min(nrMaps, info.get(JAVA_INT, NR_MAP_IDS))).toArray(JAVA_INT),
                    info.get(JAVA_INT, BTF_ID), info.get(JAVA_INT, VERIFIED_INSNS),
                    xlated.asSlice(0, Math.min(xlatedLen, info.get(JAVA_INT, XLATED_LEN))).toArray(JAVA_BYTE));
        }
    }
}
